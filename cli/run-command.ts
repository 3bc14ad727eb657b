/**
 * `wbemsim run`: an implementation over workloads, many runs, one verdict. The main job of
 * `npm start` (the reference broker over the built-in workloads).
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { implNames } from '../brokers/implementations.ts';
import { campaignUnits, foldOptionsOf, owns, SWARM_SEGMENT, type Campaign, type SuiteScenario } from '../sim/campaign.ts';
import type { Workload } from '../sim/workload.ts';
import { suiteScenarioData, suiteScenarios } from '../scenarios/suite.ts';
import { packagePath } from '../package-root.ts';
import { encodePart, parseShard, resultJson, SHARD_FILE, SHARD_FORMAT, SHARD_VERSION, type RunShard } from './shard-file.ts';
import { runCampaignInWorkers } from './run-workers.ts';
import { DEFAULT_SWARM_RUNS } from '../sim/workload-generator.ts';
import { builtinWorkloads } from '../sim/workloads.ts';
import { DEFAULT_SHRINK_BUDGET } from '../sim/shrink.ts';
import { runText } from '../report/text.ts';
import { jsonOf } from '../report/json.ts';
import { UsageError } from './usage-error.ts';
import { load } from './load-workload.ts';
import { parseFailOn, exitCodeFor, FAIL_ON } from './exit-code.ts';
import { checkOutputs, intOption, MAX_SEED, seedOption } from './options.ts';
import { notStarted, resolveImplForCli } from './impl.ts';
import { checkClientForCli, clientOption } from './client-option.ts';
import { runTask } from './interrupt.ts';
import type { ReplayResult, RunTask } from './tasks.ts';
import { checkReportDir, fetchWitnesses } from './report-output.ts';
import { ProgressLine, progressEveryOption } from './progress.ts';
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
    .option('--quiet', 'no progress on stderr (a line is shown on an interactive terminal, or with --progress-every)')
    .addOption(progressEveryOption())
    .option('--report <dir>', 'write a report into this folder: index.html (diagram of each violation), report.md, result.json, junit.xml')
    .option('--fail-on <outcomes>', `also exit 1 on these outcomes (comma-separated: ${FAIL_ON.join(', ')})`, '')
    .option('--out <file>', 'also write the JSON result into this file (for a shard: what `wbemsim merge` reads)')
    .option('--shard <k/n>', 'make only part k of n of the campaign (a CI matrix job); `wbemsim merge` the n results for the whole campaign\'s result')
    .option('--workers <n>', 'worker threads the runs are split among (default 1; at most one per unit of work); the result is the same for any number. Each worker loads the harness and its broker first, so more workers pay off only on campaigns much longer than the default one', intOption('--workers', 1))
    .addHelpText('after', `
Exit codes: 0 no must rule violated and every run ran to its end, 1 a violation, runs cut by a bound
(unless --allow-cut) or an outcome named by --fail-on, 2 bad usage or bad input, 130/143
interrupted by Ctrl-C/SIGTERM (the summary printed is marked PARTIAL).

Sharding and workers: --shard k/n makes the part k of n of the campaign: scenario j, the run
(workload, seed) and swarm segment u (of ${SWARM_SEGMENT} runs) go to shard (u mod n) + 1, in one order
of the whole campaign. \`wbemsim merge\` of the n results prints the text and exit code of the
unsharded run, and its --json is the same byte for byte (but "wall"). --workers N splits the runs
of this process the same way among N threads and merges them here. docs/campaign.md, "Sharding".

Every violation is shown by its shrunk witness: its run is made smaller, workload and
interleaving, while it still violates the same rule (at most --shrink-budget runs each), and the
summary gives its sizes before and after; its replay token reproduces the shrunk run.

Examples:
  wbemsim run                                  the conformance suite: every scenario, then the swarm campaign
  wbemsim run --workload mixed --runs 50       one built-in workload, 50 seeded runs
  wbemsim run --impl mutant:double-final --runs 50 --json
  wbemsim run --impl stdio:'python3 examples/python-broker/broker.py' --workload mixed
  wbemsim run --workload my-workload.json --seed 7 --trace out.jsonl
  wbemsim run --impl mutant:planted-race --report out/   then open out/index.html
  wbemsim run --shard 2/4 --out shard-2.json   (one job of a CI matrix), then
  wbemsim merge shard-1.json shard-2.json shard-3.json shard-4.json
  wbemsim run --workers 2                      the suite on two threads (same result as --workers 1)`)
    .action(async (opts) => {
      // Everything that can be bad usage is found before the runs, not after them.
      checkOutputs({ '--trace': opts.trace, '--out': opts.out });
      if (opts.report !== undefined) checkReportDir(opts.report);
      const failOn = parseFailOn(opts.failOn);
      const shard = opts.shard !== undefined ? parseShard(opts.shard) : undefined;
      // No workload named: the conformance suite (scenarios, then the swarm campaign).
      const suite = opts.workload.length === 0 && opts.strategy !== 'exhaustive';
      opts.strategy ??= suite ? 'portfolio' : 'random';
      opts.runs ??= suite ? DEFAULT_SWARM_RUNS : 200;
      if (opts.strategy !== 'exhaustive' && opts.seed + opts.runs - 1 > MAX_SEED) throw new UsageError(`--seed ${opts.seed} with --runs ${opts.runs} goes past the last seed ${MAX_SEED}`);
      // Bad workloads and implementations are found here, before the work starts.
      const workloads = suite ? [] : opts.workload.length ? opts.workload.map(load) : builtinWorkloads();
      await resolveImplForCli(opts.impl, { stepTimeoutMs: opts.stepTimeout });
      await checkClientForCli(opts.client);
      const task = {
        impl: opts.impl, ...(opts.client ? { client: opts.client } : {}), workloadNames: opts.workload, stepTimeoutMs: opts.stepTimeout, strategy: opts.strategy, depth: opts.depth, seed: opts.seed,
        ...(suite ? { suite, runs: 0, swarm: opts.runs } : { runs: opts.runs }),
        maxSteps: opts.maxSteps, maxStates: opts.maxStates, watchdog: opts.watchdog, timeBudgetMs: opts.timeBudget ? opts.timeBudget * 1000 : undefined,
        keepTraceOf: opts.trace || opts.report !== undefined ? 'shown' : undefined, shrinkBudget: opts.shrinkBudget,
      } satisfies RunTask;
      const scenarios = suite ? suiteScenarios() : undefined;
      const shape = { ...task, workloads, ...(scenarios ? { scenarios } : {}) };
      const fold = foldOptionsOf(shape);
      // The campaign runs in worker threads, so that Ctrl-C can stop it (cli/interrupt.ts); never
      // more workers than the units of work this process has to make.
      const units = Array.from({ length: campaignUnits(shape) }, (_, u) => u).filter((u) => owns(shard, u)).length;
      const workers = Math.max(1, Math.min(opts.workers ?? 1, units));
      const progress = ProgressLine.ofCommand(process.stderr, opts);
      // The workers get the workloads and scenarios read and checked here, and do not read them again.
      const handed = { workloads, ...(suite ? { scenarios: suiteScenarioData() } : {}) };
      const result = await runCampaignInWorkers({ ...task, ...handed, progress: progress.enabled }, fold, workers, shard, progress.listener).finally(() => progress.done());
      const shardFile = shard && result.part ? {
        format: SHARD_FORMAT, version: SHARD_VERSION, command: 'run', k: shard.k, n: shard.n, campaign: campaignIdentity(task, workloads, scenarios),
        fold, part: encodePart(result.part), shrunk: result.shrunk ?? [], wallMs: result.campaign.wall.ms,
      } satisfies RunShard : undefined;
      await emitCampaign(result.campaign, { ...opts, failOn, shardFile }, setCode);
    });
}

/** Everything that decides a campaign's runs: shards of one campaign agree on all of it. */
function campaignIdentity(task: RunTask, workloads: Workload[], scenarios: SuiteScenario[] | undefined): Record<string, unknown> {
  const digest = (x: unknown) => createHash('sha256').update(JSON.stringify(x)).digest('hex').slice(0, 16);
  return {
    wbemsim: packageVersion(), impl: task.impl, strategy: task.strategy, seed: task.seed, runs: task.runs, swarm: task.swarm ?? 0,
    workloads: workloads.map((w) => w.name), workloadsDigest: digest(workloads), scenariosDigest: scenarios ? digest(scenarios) : null,
    maxSteps: task.maxSteps ?? null, depth: task.depth ?? null, watchdog: task.watchdog ?? null, maxStates: task.strategy === 'exhaustive' ? task.maxStates ?? null : null,
    shrinkBudget: task.shrinkBudget ?? null,
  };
}

function packageVersion(): string {
  return (JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as { version: string }).version;
}

/** How a campaign is shown: the options of `run` (and of `merge`) that decide its output and exit code. */
export interface EmitOptions {
  json?: boolean;
  verbose?: boolean;
  trace?: string;
  report?: string;
  out?: string;
  allowCut?: boolean;
  failOn: ReturnType<typeof parseFailOn>;
  /** A shard's result: what the merge needs, added to the JSON and written beside the report. */
  shardFile?: RunShard;
}

/**
 * Prints a campaign (text or JSON), writes its trace, report and `--out` file, and sets the exit
 * code: the end of `run`, and of `merge` of the shards of a run.
 */
export async function emitCampaign(campaign: Campaign, opts: EmitOptions, setCode: (code: number) => void): Promise<void> {
  if (campaign.runs === 0 && campaign.brokerFailures.length) throw notStarted(campaign.brokerFailures[0]!);
  // A merged campaign knows its shown run by its token only: the trace is replayed (deterministic).
  let trace = campaign.trace;
  if ((opts.trace || opts.report !== undefined) && !trace && campaign.traceOf) trace = (await runTask<ReplayResult>('replay', { token: campaign.traceOf.token })).run?.trace;
  if (opts.trace && trace) writeFileSync(opts.trace, trace.map((l) => JSON.stringify(l)).join('\n') + '\n');
  // One result for the text, --json and --report; only a report needs the witnesses (the shown
  // run's trace is at hand, the other findings' are replayed).
  const known = new Map(campaign.traceOf && trace ? [[campaign.traceOf.token, trace]] : []);
  const shown = [...campaign.violations, ...campaign.inconclusive, ...campaign.warnings].map((f) => f.replay);
  const result = resultOfCampaign(campaign, opts.report !== undefined ? await fetchWitnesses(shown, known) : []);
  const json = () => resultJson(opts.shardFile ? { ...jsonOf(result), shard: opts.shardFile } : jsonOf(result));
  if (opts.report !== undefined) {
    writeReport(opts.report, result);
    if (opts.shardFile) writeFileSync(join(opts.report, SHARD_FILE), json());
  }
  if (opts.out) writeFileSync(opts.out, json());
  const note = opts.shardFile ? `Shard ${opts.shardFile.k}/${opts.shardFile.n}: the runs of this shard only; \`wbemsim merge\` the results of all ${opts.shardFile.n} shards for the campaign's verdict.\n` : '';
  process.stdout.write(opts.json ? json() : note + runText(result, { verbose: opts.verbose === true }));
  setCode(exitCodeFor(result.outcome, opts.failOn, opts.allowCut === true));
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

