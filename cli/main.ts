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
import { registerRun } from './run-command.ts';
import { registerDiagram } from './diagram-command.ts';
import { registerCheck } from './check-command.ts';
import { registerSpec } from './spec-command.ts';
import { registerExplore } from './explore-command.ts';
import { registerReplay } from './replay-command.ts';
import { registerMutants } from './mutants-command.ts';
import { registerScenario } from './scenario-command.ts';
import { registerReport } from './report-command.ts';
import { registerRecord } from './record-command.ts';
import { registerClients } from './clients-command.ts';
import { registerMerge } from './merge-command.ts';
import { installInterrupts } from './interrupt.ts';
import { inertLines } from '../report/inert.ts';

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
  registerRun(program, setCode);
  registerCheck(program, setCode);
  registerSpec(program, setCode);
  registerDiagram(program, setCode);
  registerExplore(program, setCode);
  registerReplay(program, setCode);
  registerMutants(program, setCode);
  registerScenario(program, setCode);
  registerReport(program, setCode);
  registerRecord(program, setCode);
  registerClients(program, setCode);
  registerMerge(program, setCode);
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
  }
}
