/**
 * `wbemsim mutants`: the suite against every faulty broker of the zoo. Prints
 * mutant → targeted rules → killed or not → caught by → runs to detect, and the score. Exit 0 when
 * every mutant is caught by a rule it targets, 1 otherwise (a mutant caught only by other rules,
 * or by a rule the reference broker violates too, is a weakness of the suite), 2 for bad usage.
 */
import { Command, Option } from 'commander';
import { MUTANTS } from '../brokers/mutants/index.ts';
import { DEFAULT_ZOO_RUNS } from '../brokers/mutants/run-mutant-zoo.ts';
import { DEFAULT_SWARM_RUNS } from '../sim/workload-generator.ts';
import { exitCodeFor } from './exit-code.ts';
import { intOption, seedOption } from './options.ts';
import { UsageError } from './usage-error.ts';
import { mutantsText } from '../report/text.ts';
import { jsonText } from '../report/json.ts';
import { runTask } from './interrupt.ts';
import type { MutantsResult, MutantsTask } from './tasks.ts';
import { ProgressLine, progressEveryOption } from './progress.ts';
import { DEFAULT_SHRINK_BUDGET } from '../sim/shrink.ts';
import { checkReportDir, fetchWitnesses } from './report-output.ts';
import { resultOfZoo } from '../report/results-of-runs.ts';
import { writeReport } from '../report/write-report.ts';

/** Registers the `mutants` command. */
export function registerMutants(program: Command, setCode: (code: number) => void): void {
  program
    .command('mutants')
    .description('Run the suite against every mutant of the zoo (faulty brokers) and say which rule catches each, and how fast.')
    .option('--runs <n>', 'budget: runs per workload for each mutant (it stops at its first catch)', intOption('--runs', 1), DEFAULT_ZOO_RUNS)
    .option('--swarm-runs <n>', `for a mutant the workloads did not catch: the swarm campaign's runs after the scenarios (0: neither)`, intOption('--swarm-runs', 0), DEFAULT_SWARM_RUNS)
    .option('--seed <n>', 'first seed; round r uses seed + r', seedOption(), 1)
    .addOption(new Option('--strategy <name>', 'how the scheduler picks the next step').choices(['random', 'pct']).default('random'))
    .option('--depth <d>', 'bug depth for PCT', intOption('--depth', 1), 3)
    .option('--only <names>', 'only these mutants (comma-separated, repeatable)', collect, [])
    .option('--report <dir>', 'write a report into this folder: index.html (the catching interleaving of each mutant), report.md, result.json, junit.xml')
    .option('--shrink-budget <runs>', 'runs each catching run\'s shrink may make (0: show the catching runs as found)', intOption('--shrink-budget', 0), DEFAULT_SHRINK_BUDGET)
    .option('--quiet', 'no progress on stderr (a line is shown on an interactive terminal, or with --progress-every)')
    .addOption(progressEveryOption())
    .option('--json', 'print {mutants: [{name, targets, killed, caughtBy, runsToDetect, ...}], score} instead of the table')
    .addHelpText('after', `
Exit codes: 0 every mutant caught by a rule it targets, 1 otherwise, 2 bad usage, 130/143 interrupted
by Ctrl-C/SIGTERM (the table printed is marked PARTIAL and lists the mutants finished).

Mutants: ${MUTANTS.map((m) => m.name).join(', ')}`)
    .action(async (opts: { runs: number; swarmRuns: number; seed: number; strategy: 'random' | 'pct'; depth: number; only: string[]; json?: boolean; report?: string; shrinkBudget: number; quiet?: boolean; progressEvery?: number }) => {
      if (opts.report !== undefined) checkReportDir(opts.report);
      const unknown = opts.only.filter((n) => !MUTANTS.some((m) => m.name === n));
      if (unknown.length) throw new UsageError(`unknown mutant(s) ${unknown.join(', ')} (one of: ${MUTANTS.map((m) => m.name).join(', ')})`);
      // The zoo runs in a worker thread, so that Ctrl-C can stop it (cli/interrupt.ts).
      const started = performance.now();
      const progress = ProgressLine.ofCommand(process.stderr, opts);
      const result = await runTask<MutantsResult>('mutants', {
        runs: opts.runs, swarmRuns: opts.swarmRuns, seed: opts.seed, strategy: opts.strategy, depth: opts.depth, only: opts.only, shrinkBudget: opts.shrinkBudget, progress: progress.enabled,
      } satisfies MutantsTask, progress.listener).finally(() => progress.done());
      // One result for the text, --json and --report; only a report needs the witnesses. Here the
      // suite is on trial: a mutant not caught by a rule it targets is its failure.
      const witnesses = opts.report !== undefined ? await fetchWitnesses(result.mutants.map((m) => m.replay), new Map(), result.mutants.length) : [];
      const zoo = resultOfZoo(result, witnesses, Math.round(performance.now() - started));
      if (opts.report !== undefined) writeReport(opts.report, zoo);
      process.stdout.write(opts.json ? jsonText(zoo) : mutantsText(zoo));
      setCode(exitCodeFor(zoo.outcome));
    });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, ...value.split(',').map((s) => s.trim()).filter(Boolean)];
}
