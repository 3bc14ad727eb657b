/**
 * `wbemsim explore`: every interleaving of small workloads (by default the built-in explore
 * configurations, `workloads/explore/`), with state hashing and partial-order reduction
 * (sim/explorer.ts). Prints states, transitions, whether the search was complete, and each
 * violated rule with a replay token. Exit codes as `run`: 0, 1 on a violation, 2 bad usage.
 */
import { Option, type Command } from 'commander';
import { implNames } from '../brokers/implementations.ts';
import { DEFAULT_EXPLORE_MAX_STEPS, DEFAULT_MAX_STATES } from '../sim/explorer.ts';
import { exploreWorkloads, resolveWorkload } from '../sim/explore-workloads.ts';
import { builtinWorkloads, WorkloadError } from '../sim/workloads.ts';
import type { Workload } from '../sim/workload.ts';
import { exploreText } from '../report/text.ts';
import { jsonText } from '../report/json.ts';
import { exitCodeFor } from './exit-code.ts';
import { resolveImplForCli } from './impl.ts';
import { checkClientForCli, clientOption } from './client-option.ts';
import { intOption } from './options.ts';
import { UsageError } from './usage-error.ts';
import { runTask } from './interrupt.ts';
import type { ExploreResult, ExploreTask } from './tasks.ts';
import { checkReportDir, fetchWitnesses } from './report-output.ts';
import { ProgressLine } from './progress.ts';
import { resultOfExplorations } from '../report/results-of-runs.ts';
import { writeReport } from '../report/write-report.ts';

/** Registers `wbemsim explore`. */
export function registerExplore(program: Command, setCode: (code: number) => void): void {
  program
    .command('explore')
    .description('Explore every interleaving of small workloads (state hashing, partial-order reduction) and judge every run.')
    .option('--workload <name|file>', `a workload name or JSON file (repeatable; default: the built-in explore configurations ${exploreWorkloads().map((w) => w.name).join(', ')}; the built-in workloads work too: ${builtinWorkloads().map((w) => w.name).join(', ')})`, collect, [])
    .option('--impl <impl>', `implementation under test: ${implNames().join(', ')}`, 'reference')
    .addOption(clientOption())
    .option('--max-steps <n>', 'step bound per run (reaching it makes the exploration incomplete)', intOption('--max-steps', 1), DEFAULT_EXPLORE_MAX_STEPS)
    .option('--max-states <n>', 'distinct states after which the exploration stops (incomplete)', intOption('--max-states', 1), DEFAULT_MAX_STATES)
    .option('--watchdog <n>', 'virtual time after which a held callback is let go', intOption('--watchdog', 1))
    .addOption(new Option('--mode <mode>', 'stateful: depth-first, keeping the state at branch points and going back to it (needs a broker that can be saved and restored: the in-process ones); breadth-first: level by level from the start, so that each rule\'s witness is a shortest run that breaks it (same brokers; no reduction, for small workloads such as a shrunk witness\'s); re-execution: run every branch again from the start (any broker). Default: stateful where possible').choices(['stateful', 'breadth-first', 're-execution']))
    .option('--bitstate', 'hash compaction: store each state as a 64-bit hash (about 16 bytes per state) instead of its key; the result states the estimated probability that a state was omitted')
    .option('--time-budget <seconds>', 'wall-clock cap on the whole exploration (it is then incomplete)', intOption('--time-budget', 1))
    .option('--allow-cut', 'exit 0 even when an exploration was incomplete (the verdict still says so)')
    .option('--json', 'print a machine-readable summary instead of text')
    .option('--quiet', 'no progress line on stderr (it is shown only on an interactive terminal)')
    .option('--report <dir>', 'write a report into this folder: index.html (diagram of each violation), report.md, result.json, junit.xml')
    .addHelpText('after', `
Exit codes: 0 no must rule violated and every exploration complete, 1 a violation or an incomplete
exploration (unless --allow-cut), 2 bad usage or bad input, 130/143 interrupted by Ctrl-C/SIGTERM
(the summary printed is marked PARTIAL).

Examples:
  wbemsim explore                                      the built-in configurations
  wbemsim explore --workload explore-shared-sink-cancel --impl mutant:planted-race`)
    .action(async (opts) => {
      // Bad workloads and implementations are found here, before the work starts.
      opts.workload.forEach(load);
      if (opts.report !== undefined) checkReportDir(opts.report);
      await resolveImplForCli(opts.impl);
      await checkClientForCli(opts.client);
      // The explorations run in a worker thread, so that Ctrl-C can stop them (cli/interrupt.ts).
      const progress = new ProgressLine(process.stderr, opts.quiet === true, opts.timeBudget ? opts.timeBudget * 1000 : undefined);
      const { results, coverage, wallMs: wall, interrupted } = await runTask<ExploreResult>('explore', {
        impl: opts.impl, ...(opts.client ? { client: opts.client } : {}), workloadNames: opts.workload, maxSteps: opts.maxSteps, maxStates: opts.maxStates, watchdog: opts.watchdog,
        timeBudgetMs: opts.timeBudget ? opts.timeBudget * 1000 : undefined, progress: progress.enabled, mode: opts.mode, bitstate: opts.bitstate === true,
      } satisfies ExploreTask, progress.listener).finally(() => progress.done());
      // One result for the text, --json and --report; only a report needs the witnesses.
      const witnesses = opts.report !== undefined ? await fetchWitnesses(results.flatMap((x) => x.violations.map((v) => v.token))) : [];
      const result = resultOfExplorations(results, witnesses, wall, interrupted, coverage);
      if (opts.report !== undefined) writeReport(opts.report, result);
      process.stdout.write(opts.json ? jsonText(result) : exploreText(result));
      setCode(exitCodeFor(result.outcome, undefined, opts.allowCut === true));
    });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** A workload by name or file; one that does not load is bad usage. */
export function load(nameOrPath: string): Workload {
  try {
    return resolveWorkload(nameOrPath);
  } catch (err) {
    if (err instanceof WorkloadError) throw new UsageError(err.message);
    throw err;
  }
}
