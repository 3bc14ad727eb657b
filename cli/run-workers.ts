/**
 * `run --workers N`: the campaign (or the shard of it this process makes) split into N parts, each
 * made in its own worker thread exactly as a shard `k/N` would be, and merged here with the merge
 * of `wbemsim merge` (sim/campaign.ts `mergeCampaign`): the result is the one a single worker
 * gives, byte for byte. A stop request reaches every worker through the shared stop flag; each
 * hands back what it finished, and the merge of those is the partial result.
 */
import { mergeCampaign, type FoldOptions, type ShardPart, type ShardSpec } from '../sim/campaign.ts';
import type { Progress } from './progress.ts';
import { runTask } from './interrupt.ts';
import type { RunTask, RunTaskResult } from './tasks.ts';

/** Adds up the progress of several workers: each reports its own counts, the line shows their sum. */
export function progressOfWorkers(count: number, onProgress: ((p: Progress) => void) | undefined): ((k: number) => ((p: Progress) => void) | undefined) {
  if (!onProgress) return () => undefined;
  const latest: (Progress | undefined)[] = Array.from({ length: count }, () => undefined);
  return (k) => (p) => {
    latest[k] = p;
    const known = latest.filter((x): x is Progress => x !== undefined);
    const sum = (f: (x: Progress) => number | undefined) => known.reduce((n, x) => n + (f(x) ?? 0), 0);
    const planned = known.every((x) => x.planned !== undefined) && known.length === count ? sum((x) => x.planned) : undefined;
    // An exploration's workers count states as its result does: summed.
    const states = known.some((x) => x.states !== undefined) ? sum((x) => x.states) : undefined;
    onProgress({
      runs: sum((x) => x.runs), steps: sum((x) => x.steps), violations: Math.max(...known.map((x) => x.violations)),
      ...(planned !== undefined ? { planned } : {}), ...(states !== undefined ? { states } : {}),
    });
  };
}

/** The parts of several shards as one part (the records of all of them, in the campaign's order). */
export function combineParts(parts: ShardPart[]): ShardPart {
  return {
    records: parts.flatMap((p) => p.records),
    explorations: parts.flatMap((p) => p.explorations).sort((a, b) => a.index - b.index),
    budgetExhausted: parts.some((p) => p.budgetExhausted),
    interrupted: parts.some((p) => p.interrupted),
    ...(parts.find((p) => p.gaveUp) ? { gaveUp: parts.find((p) => p.gaveUp)!.gaveUp } : {}),
    planned: parts.reduce((n, p) => n + p.planned, 0),
  };
}

/**
 * Runs `task` in `workers` worker threads (one worker: the campaign as it is) and hands back the
 * merged result; with `shard`, only that shard's part, split among the workers.
 */
export async function runCampaignInWorkers(task: RunTask, fold: FoldOptions, workers: number, shard: ShardSpec | undefined, onProgress?: (p: Progress) => void): Promise<RunTaskResult> {
  if (workers <= 1) return runTask<RunTaskResult>('run', { ...task, ...(shard ? { shard } : {}) } satisfies RunTask, onProgress);
  const started = performance.now();
  const results = await inWorkers<RunTaskResult>('run', (within) => ({ ...task, shard: shard ? { ...shard, within } : within }), workers, onProgress);
  // A broker that does not start fails every worker alike: the first worker's campaign says so.
  const notStarted = results.find((r) => r.campaign.runs === 0 && r.campaign.brokerFailures.length > 0 && r.part?.records.length === 0);
  if (notStarted && results.every((r) => r.campaign.runs === 0)) return notStarted;
  const parts = results.map((r) => r.part!);
  const shrunk = results.flatMap((r) => r.shrunk ?? []);
  const campaign = mergeCampaign({ options: fold, parts, shrunk, wallMs: Math.round(performance.now() - started) });
  return { campaign, part: combineParts(parts), shrunk };
}

/**
 * Runs a task in `workers` worker threads, worker i the one `taskOf` makes for part i+1 of
 * `workers` (of the shard, or of the whole), with their progress counted together; the results
 * in worker order. The first failure is thrown once every worker has ended.
 */
export async function inWorkers<T>(kind: 'run' | 'explore', taskOf: (within: { k: number; n: number }) => object, workers: number, onProgress?: (p: Progress) => void): Promise<T[]> {
  const progressOf = progressOfWorkers(workers, onProgress);
  const settled = await Promise.allSettled(Array.from({ length: workers }, (_, i) => runTask<T>(kind, taskOf({ k: i + 1, n: workers }), progressOf(i))));
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<T>).value);
}
