/**
 * `wbemsim run`: an implementation over workloads, many runs, one verdict. The main job of
 * `npm start` (the reference broker over the built-in workloads).
 */
import { writeFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { implNames } from '../brokers/implementations.ts';
import type { Campaign } from '../sim/campaign.ts';
import { DEFAULT_SWARM_RUNS } from '../sim/workload-generator.ts';
import { builtinWorkloads } from '../sim/workloads.ts';
import { DEFAULT_SHRINK_BUDGET } from '../sim/shrink.ts';
import { runText } from '../report/text.ts';
import { jsonText } from '../report/json.ts';
import { UsageError } from './usage-error.ts';
import { load } from './explore-command.ts';
import { parseFailOn, exitCodeFor, FAIL_ON } from './exit-code.ts';
import { checkOutputs, intOption, MAX_SEED, seedOption } from './options.ts';
import { notStarted, resolveImplForCli } from './impl.ts';
import { checkClientForCli, clientOption } from './client-option.ts';
import { runTask } from './interrupt.ts';
import type { RunTask } from './tasks.ts';
import { checkReportDir, fetchWitnesses } from './report-output.ts';
import { ProgressLine } from './progress.ts';
import { resultOfCampaign } from '../report/results-of-runs.ts';
import { writeReport } from '../report/write-report.ts';

export function registerRun(program: Command, setCode: (code: number) => void): void {
  program
    .command('run')
    .description('Run an implementation over workloads under the virtual scheduler and judge every trace against RULES.md.')
    .option('--impl <impl>', `implementation under test: ${implNames().join(', ')}`, 'reference')
    .addOption(clientOption())
    .option('--workload <name|file>', `a built-in workload name or a workload JSON file (repeatable; without it: the conformance suite, every scenario then a swarm campaign of generated workloads): ${builtinWorkloads().map((w) => w.name).join(', ')}`, collect, [])
    .addOption(new Option('--strategy <name>', 'how the scheduler picks the next step (default: portfolio for the suite, random with --workload); portfolio rotates random, PCT and a probabilistic walk per run').choices(['random', 'pct', 'exhaustive', 'portfolio']))
    .option('--max-states <n>', 'exhaustive: distinct states per workload after which its exploration stops (--runs is not used)', intOption('--max-states', 1), 20000)
    .option('--depth <d>', 'bug depth for PCT (number of priority change points + 1)', intOption('--depth', 1), 3)
    .option('--seed <n>', `first seed, 0..${MAX_SEED}; run i uses seed + i`, seedOption(), 1)
    .option('--runs <n>', `runs per workload (default 200), or the swarm campaign's runs without --workload (default ${DEFAULT_SWARM_RUNS})`, intOption('--runs', 1))
    .option('--max-steps <n>', 'step bound per run; a run that reaches it is cut (default: 2000 + 20 per call and action + 10 per object + 2 per unit of method duration)', intOption('--max-steps', 1))
    .option('--watchdog <n>', 'virtual time after which a held callback is let go', intOption('--watchdog', 1), 12)
    .option('--time-budget <seconds>', 'wall-clock cap on the whole campaign; a run it stops, or never starts, is cut (see --allow-cut)', intOption('--time-budget', 1))
    .option('--step-timeout <ms>', 'wall-clock limit for one answer of a stdio broker', intOption('--step-timeout', 1), 5000)
    .option('--allow-cut', 'exit 0 even when runs were cut by --max-steps or --time-budget (the verdict still says how many)')
    .option('--trace <file>', 'write the trace of the run the report shows (JSON lines): the first violation\'s shrunk witness, else the first broker failure, else the first run')
    .option('--shrink-budget <runs>', 'runs each violation\'s shrink may make (0: show the witnesses as found)', intOption('--shrink-budget', 0), DEFAULT_SHRINK_BUDGET)
    .option('--json', 'print a machine-readable summary instead of text')
    .option('--verbose', 'name every rule the workloads did not exercise (otherwise counted)')
    .option('--quiet', 'no progress line on stderr (it is shown only on an interactive terminal)')
    .option('--report <dir>', 'write a report into this folder: index.html (diagram of each violation), report.md, result.json, junit.xml')
    .option('--fail-on <outcomes>', `also exit 1 on these outcomes (comma-separated: ${FAIL_ON.join(', ')})`, '')
    .addHelpText('after', `
Exit codes: 0 no must rule violated and every run ran to its end, 1 a violation, runs cut by a bound
(unless --allow-cut) or an outcome named by --fail-on, 2 bad usage or bad input, 130/143
interrupted by Ctrl-C/SIGTERM (the summary printed is marked PARTIAL).

Every violation is shown by its shrunk witness: its run is made smaller, workload and
interleaving, while it still violates the same rule (at most --shrink-budget runs each), and the
summary gives its sizes before and after; its replay token reproduces the shrunk run.

Examples:
  wbemsim run                                  the conformance suite: every scenario, then the swarm campaign
  wbemsim run --workload mixed --runs 50       one built-in workload, 50 seeded runs
  wbemsim run --impl mutant:double-final --runs 50 --json
  wbemsim run --impl stdio:'python3 examples/python-broker/broker.py' --workload mixed
  wbemsim run --workload my-workload.json --seed 7 --trace out.jsonl
  wbemsim run --impl mutant:planted-race --report out/   then open out/index.html`)
    .action(async (opts) => {
      // Everything that can be bad usage is found before the runs, not after them.
      checkOutputs({ '--trace': opts.trace });
      if (opts.report !== undefined) checkReportDir(opts.report);
      const failOn = parseFailOn(opts.failOn);
      // No workload named: the conformance suite (scenarios, then the swarm campaign).
      const suite = opts.workload.length === 0 && opts.strategy !== 'exhaustive';
      opts.strategy ??= suite ? 'portfolio' : 'random';
      opts.runs ??= suite ? DEFAULT_SWARM_RUNS : 200;
      if (opts.strategy !== 'exhaustive' && opts.seed + opts.runs - 1 > MAX_SEED) throw new UsageError(`--seed ${opts.seed} with --runs ${opts.runs} goes past the last seed ${MAX_SEED}`);
      // Bad workloads and implementations are found here, before the work starts.
      opts.workload.forEach(load);
      await resolveImplForCli(opts.impl, { stepTimeoutMs: opts.stepTimeout });
      await checkClientForCli(opts.client);
      // The campaign runs in a worker thread, so that Ctrl-C can stop it (cli/interrupt.ts).
      const progress = new ProgressLine(process.stderr, opts.quiet === true, opts.timeBudget ? opts.timeBudget * 1000 : undefined);
      const campaign = await runTask<Campaign>('run', {
        impl: opts.impl, ...(opts.client ? { client: opts.client } : {}), workloadNames: opts.workload, stepTimeoutMs: opts.stepTimeout, strategy: opts.strategy, depth: opts.depth, seed: opts.seed,
        ...(suite ? { suite, runs: 0, swarm: opts.runs } : { runs: opts.runs }),
        maxSteps: opts.maxSteps, maxStates: opts.maxStates, watchdog: opts.watchdog, timeBudgetMs: opts.timeBudget ? opts.timeBudget * 1000 : undefined,
        keepTraceOf: opts.trace || opts.report !== undefined ? 'shown' : undefined, progress: progress.enabled, shrinkBudget: opts.shrinkBudget,
      } satisfies RunTask, progress.listener).finally(() => progress.done());
      if (campaign.runs === 0 && campaign.brokerFailures.length) throw notStarted(campaign.brokerFailures[0]!);
      if (opts.trace && campaign.trace) writeFileSync(opts.trace, campaign.trace.map((l) => JSON.stringify(l)).join('\n') + '\n');
      // One result for the text, --json and --report; only a report needs the witnesses (the shown
      // run's trace is at hand, the other findings' are replayed).
      const known = new Map(campaign.traceOf && campaign.trace ? [[campaign.traceOf.token, campaign.trace]] : []);
      const shown = [...campaign.violations, ...campaign.inconclusive, ...campaign.warnings].map((f) => f.replay);
      const result = resultOfCampaign(campaign, opts.report !== undefined ? await fetchWitnesses(shown, known) : []);
      if (opts.report !== undefined) writeReport(opts.report, result);
      process.stdout.write(opts.json ? jsonText(result) : runText(result, { verbose: opts.verbose === true }));
      setCode(exitCodeFor(result.outcome, failOn, opts.allowCut === true));
    });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

