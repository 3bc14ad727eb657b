/**
 * `wbemsim explore`: every interleaving of small workloads (by default the built-in explore
 * configurations, `workloads/explore/`), with state hashing and partial-order reduction
 * (sim/explorer.ts). Prints states, transitions, whether the search was complete, and each
 * violated rule with a replay token. Exit codes as `run`: 0, 1 on a violation, 2 bad usage.
 */
import { Option, type Command } from 'commander';
import { implNames } from '../brokers/implementations.ts';
import { DEFAULT_EXPLORE_MAX_STEPS, DEFAULT_MAX_STATES } from '../sim/explorer.ts';
import { exploreWorkloads } from '../sim/explore-workloads.ts';
import { builtinWorkloads } from '../sim/workloads.ts';
import { load } from './load-workload.ts';
import type { Workload } from '../sim/workload.ts';
import { exploreText } from '../report/text.ts';
import { jsonOf } from '../report/json.ts';
import { exitCodeFor } from './exit-code.ts';
import { resolveImplForCli } from './impl.ts';
import { checkClientForCli, clientOption } from './client-option.ts';
import { checkOutputs, intOption } from './options.ts';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { packagePath } from '../package-root.ts';
import { EXPLORE_SPLIT_DEPTH, parseShard, SHARD_FORMAT, SHARD_VERSION } from './shard-file.ts';
import { inWorkers } from './run-workers.ts';
import { SharedClaims } from '../sim/shared-claims.ts';
import { mergeExplorations } from './explore-merge.ts';
import type { Progress } from './progress.ts';
import { runTask } from './interrupt.ts';
import type { ExploreResult, ExploreTask } from './tasks.ts';
import { checkReportDir, fetchWitnesses } from './report-output.ts';
import { ProgressLine, progressEveryOption } from './progress.ts';
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
    .option('--max-steps <n>', 'step bound per path: a path that reaches it is cut there and judged, the search goes on with the others, and the exploration is incomplete', intOption('--max-steps', 1), DEFAULT_EXPLORE_MAX_STEPS)
    .option('--max-states <n>', 'distinct states after which the exploration stops (incomplete)', intOption('--max-states', 1), DEFAULT_MAX_STATES)
    .option('--watchdog <n>', 'virtual time after which a held callback is let go', intOption('--watchdog', 1))
    .addOption(new Option('--mode <mode>', 'stateful: depth-first, keeping the state at branch points and going back to it (needs a broker that can be saved and restored: the in-process ones); breadth-first: level by level from the start, so that each rule\'s witness is a shortest run that breaks it (same brokers; no reduction, for small workloads such as a shrunk witness\'s); re-execution: run every branch again from the start (any broker). Default: stateful where possible').choices(['stateful', 'breadth-first', 're-execution']))
    .option('--bitstate', 'hash compaction: store each state as a 96-bit hash (24 to 48 bytes per state) instead of its key; the result states the estimated probability that a state was omitted')
    .option('--por', 'partial-order reduction: providers produce without virtual-time pacing (a few more interleavings), and the stateful search explores one sink\'s steps alone where the other sinks\' commute with them; far fewer states on workloads with several sinks; where it does not apply the search is the plain one and says why (docs/exploration.md, "Persistent sets")')
    .option('--time-budget <seconds>', 'wall-clock cap on the whole exploration (it is then incomplete)', intOption('--time-budget', 1))
    .option('--allow-cut', 'exit 0 even when an exploration was incomplete (the verdict still says so)')
    .option('--json', 'print a machine-readable summary instead of text')
    .option('--quiet', 'no progress on stderr (a line is shown on an interactive terminal, or with --progress-every)')
    .addOption(progressEveryOption())
    .option('--report <dir>', 'write a report into this folder: index.html (diagram of each violation), report.md, result.json, junit.xml')
    .option('--out <file>', 'also write the JSON result into this file (for a shard: what `wbemsim merge` reads)')
    .option('--shard <k/n>', 'explore only part k of n (a CI matrix job): the stateful search splits each workload\'s states by hash, the other searches split the workloads; `wbemsim merge` the n results')
    .option('--workers <n>', 'worker threads sharing one search: the stateful search shares the states each claims, the others split the workloads (default 1; counts are then sums over the workers, and vary a little from run to run)', intOption('--workers', 1))
    .addHelpText('after', `
Exit codes: 0 no must rule violated and every exploration complete, 1 a violation or an incomplete
exploration (unless --allow-cut), 2 bad usage or bad input, 130/143 interrupted by Ctrl-C/SIGTERM
(the summary printed is marked PARTIAL).

Sharding: --shard k/n explores part k of n; the stateful search keeps, at depth
${EXPLORE_SPLIT_DEPTH}, only the states whose key hashes to k-1 modulo n (every part explores the levels above), the
other searches take every n-th workload. \`wbemsim merge\` of the n results gives the verdicts
and violated rules of one search, each rule's witness the shortest run, then the smallest choice
list; states, transitions, paths and steps are sums over the parts, and say so.
Workers: --workers N shares one stateful search between N threads, each expanding the states it
claims first in a table of 64-bit hashes (the result gives the probability that two states shared
one), without sleep sets. A complete search gives the verdicts and violated rules of one search;
which thread explores a state depends on timing, so counts, a witness and, for a search cut by a
bound, what it reached may vary from run to run (--workers 1 and --shard are byte-identical).
docs/exploration.md, "Sharding an exploration" and "Workers".

Examples:
  wbemsim explore                                      the built-in configurations
  wbemsim explore --workers 2                          the same verdicts on two threads
  wbemsim explore --por                                fewer states: one sink's steps at a time where that is sound
  wbemsim explore --shard 1/3 --out x1.json            (one job of a CI matrix), then wbemsim merge x1.json x2.json x3.json
  wbemsim explore --workload explore-shared-sink-cancel --impl mutant:planted-race`)
    .action(async (opts) => {
      // Bad workloads and implementations are found here, before the work starts.
      checkOutputs({ '--out': opts.out });
      const workloads: Workload[] = opts.workload.length ? opts.workload.map(load) : exploreWorkloads();
      if (opts.report !== undefined) checkReportDir(opts.report);
      const shard = opts.shard !== undefined ? parseShard(opts.shard) : undefined;
      await resolveImplForCli(opts.impl);
      await checkClientForCli(opts.client);
      // The explorations run in worker threads, so that Ctrl-C can stop them (cli/interrupt.ts).
      const progress = ProgressLine.ofCommand(process.stderr, opts);
      const task = {
        impl: opts.impl, ...(opts.client ? { client: opts.client } : {}), workloadNames: opts.workload, maxSteps: opts.maxSteps, maxStates: opts.maxStates, watchdog: opts.watchdog,
        timeBudgetMs: opts.timeBudget ? opts.timeBudget * 1000 : undefined, progress: progress.enabled, mode: opts.mode, bitstate: opts.bitstate === true, ...(opts.por ? { por: true } : {}),
      } satisfies ExploreTask;
      const workers: number = opts.workers ?? 1;
      // The workers get the workloads read and checked here, and do not read them again.
      const result = await exploreInWorkers({ ...task, workloads }, workloads.map((w) => w.name), workers, shard, progress.listener).finally(() => progress.done());
      const shardFile = shard ? {
        format: SHARD_FORMAT, version: SHARD_VERSION, command: 'explore' as const, k: shard.k, n: shard.n,
        campaign: { wbemsim: packageVersion(), impl: opts.impl, workloads: workloads.map((w) => w.name), workloadsDigest: createHash('sha256').update(JSON.stringify(workloads)).digest('hex').slice(0, 16), maxSteps: opts.maxSteps, maxStates: opts.maxStates, watchdog: opts.watchdog ?? null, mode: opts.mode ?? null, bitstate: opts.bitstate === true, por: opts.por === true },
        workloads: workloads.map((w) => w.name), result: { ...result, parts: undefined }, wallMs: result.wallMs,
      } : undefined;
      await emitExplorations(result, { ...opts, ...(shardFile ? { shardFile } : {}) }, setCode);
    });
}

/** A shard's result of `explore`: its explorations, for `merge`. */
export interface ExploreShard {
  format: typeof SHARD_FORMAT;
  version: typeof SHARD_VERSION;
  command: 'explore';
  k: number;
  n: number;
  campaign: Record<string, unknown>;
  workloads: string[];
  result: ExploreResult;
  wallMs: number;
}

/** Runs the explorations in `workers` worker threads (shard k/N each) and merges them. */
async function exploreInWorkers(task: ExploreTask, workloads: string[], workers: number, shard: { k: number; n: number } | undefined, onProgress?: (p: Progress) => void): Promise<ExploreResult & { parts?: number; byWorkers?: boolean }> {
  if (workers <= 1) return runTask<ExploreResult>('explore', { ...task, ...(shard ? { shard } : {}) } satisfies ExploreTask, onProgress);
  const started = performance.now();
  // The workers of one stateful search share the states they claimed, one table per workload
  // (its memory is taken from the system only as it fills; none for the searches that split workloads).
  const claims = task.mode === 're-execution' || task.mode === 'breadth-first' ? [] : workloads.map(() => SharedClaims.create(task.maxStates ?? DEFAULT_MAX_STATES).buffers());
  const parts = await inWorkers<ExploreResult>('explore', (within) => ({ ...task, ...(shard ? { shard } : {}), team: { ...within, claims } }) satisfies ExploreTask, workers, onProgress);
  return { ...mergeExplorations(parts, workloads, Math.round(performance.now() - started), true), byWorkers: true };
}

/** Prints explorations (text or JSON), writes the report and `--out`, and sets the exit code: the end of `explore` and of `merge` of its shards. */
export async function emitExplorations(result: ExploreResult & { parts?: number; byWorkers?: boolean }, opts: { json?: boolean; report?: string; out?: string; allowCut?: boolean; shardFile?: ExploreShard }, setCode: (code: number) => void): Promise<void> {
  const { results, coverage, wallMs: wall, interrupted } = result;
  const parts = result.parts ?? 1;
  // One result for the text, --json and --report; only a report needs the witnesses.
  const witnesses = opts.report !== undefined ? await fetchWitnesses(results.flatMap((x) => x.violations.map((v) => v.token))) : [];
  const one = resultOfExplorations(results, witnesses, wall, interrupted, coverage);
  if (opts.report !== undefined) writeReport(opts.report, one);
  const json = () => JSON.stringify({
    ...jsonOf(one), ...(parts > 1 ? { parts, counts: result.byWorkers ? 'per-worker sums' : 'per-shard sums' } : {}), ...(opts.shardFile ? { shard: opts.shardFile } : {}),
  }, null, 2) + '\n';
  if (opts.out) writeFileSync(opts.out, json());
  const note = opts.shardFile ? `Shard ${opts.shardFile.k}/${opts.shardFile.n}: this shard's part of each exploration; \`wbemsim merge\` the results of all ${opts.shardFile.n} shards.\n`
    : parts > 1 && result.byWorkers ? `wbemsim explore: ${parts} worker threads; states, transitions, paths, runs and steps are sums over the workers (a state above the split is counted by each); a complete search gives the verdicts and violated rules of one search.\n`
    : parts > 1 ? `wbemsim explore: merged from ${parts} parts; states, transitions, paths, runs and steps are per-shard sums (a state above the split is counted by every part); the verdicts and violated rules are those of one search.\n` : '';
  process.stdout.write(opts.json ? json() : note + exploreText(one));
  setCode(exitCodeFor(one.outcome, undefined, opts.allowCut === true));
}

function packageVersion(): string {
  return (JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as { version: string }).version;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
