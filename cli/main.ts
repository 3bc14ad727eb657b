/**
 * The `wbemsim` command line. Each command lives in its own file and registers itself here.
 * Exit codes: 0 no `must` rule violated and nothing cut, 1 a violation or a cut run, 2 bad usage or
 * bad input, 130 and 143 interrupted by SIGINT and SIGTERM (cli/interrupt.ts), after a summary
 * marked partial.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { packagePath } from '../package-root.ts';
import { UsageError } from './usage-error.ts';
import { installInterrupts } from './interrupt.ts';
import { dropAhead, startAhead, taskEntry } from './worker.ts';
import { inertLines } from '../report/inert.ts';

type Register = (program: Command, setCode: (code: number) => void) => void;

/**
 * Each command's module, in the order the help lists them. Only the module of the command run is
 * loaded (every one for the top-level help, `help` and a word that names no command), so that a
 * command does not load the modules of all the others before it starts.
 */
const COMMANDS: Record<string, () => Promise<Register>> = {
  run: async () => (await import('./run-command.ts')).registerRun,
  check: async () => (await import('./check-command.ts')).registerCheck,
  spec: async () => (await import('./spec-command.ts')).registerSpec,
  diagram: async () => (await import('./diagram-command.ts')).registerDiagram,
  explore: async () => (await import('./explore-command.ts')).registerExplore,
  replay: async () => (await import('./replay-command.ts')).registerReplay,
  mutants: async () => (await import('./mutants-command.ts')).registerMutants,
  scenario: async () => (await import('./scenario-command.ts')).registerScenario,
  report: async () => (await import('./report-command.ts')).registerReport,
  record: async () => (await import('./record-command.ts')).registerRecord,
  clients: async () => (await import('./clients-command.ts')).registerClients,
  merge: async () => (await import('./merge-command.ts')).registerMerge,
};

/** The commands whose work runs in cli/tasks.ts in a worker thread (cli/interrupt.ts, runTask). */
const TASK_COMMANDS = new Set(['run', 'explore', 'mutants', 'replay', 'scenario']);

/** The version in the package's own package.json. */
function packageVersion(): string {
  return (JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as { version: string }).version;
}

export async function main(argv: string[]): Promise<number> {
  const program = new Command('wbemsim')
    .description('Deterministic simulator and conformance harness for WMI asynchronous calls and CancelAsyncCall.')
    .version(packageVersion(), '-V, --version', 'print the version of wbemsim')
    .exitOverride()
    // Bad usage is one line: commander's message, then where to look, on the same line.
    .configureOutput({ writeErr: (s) => process.stderr.write(s), outputError: (s, write) => write(`${s.trimEnd()} (run with --help for usage)\n`) });
  let code = 0;
  const setCode = (c: number) => { code = c; };
  const named = argv[0] !== undefined && Object.hasOwn(COMMANDS, argv[0]) ? [argv[0]] : Object.keys(COMMANDS);
  // The long commands run in a worker thread: it starts loading the simulator now, beside the
  // main thread loading the command and reading its options.
  if (TASK_COMMANDS.has(argv[0] ?? '') && !argv.includes('--help') && !argv.includes('-h')) startAhead(taskEntry('tasks'));
  try {
    for (const register of await Promise.all(named.map((name) => COMMANDS[name]!()))) register(program, setCode);
  } catch (err) {
    dropAhead();
    throw err;
  }
  const interrupts = installInterrupts();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return interrupts.exitCode() ?? code;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version exit 0; unknown options and missing arguments are bad usage.
      return err.exitCode === 0 ? 0 : 2;
    }
    if (err instanceof UsageError) {
      process.stderr.write(`wbemsim: ${inertLines(err.message)}\n`);
      return interrupts.exitCode() ?? 2;
    }
    throw err;
  } finally {
    interrupts.dispose();
    dropAhead();
  }
}
