/**
 * PCT, probabilistic concurrency testing (Burckhardt, Kothari, Musuvathi, Nagarakatte, ASPLOS
 * 2010): each thread gets a random priority; the highest-priority enabled thread runs; at d-1
 * change points, drawn uniformly among the first k steps, the running thread drops below every
 * initial priority (the i-th change point to d-i, so later drops go lower). A bug of depth d is
 * found with probability at least 1/(n·k^(d-1)).
 *
 * Two departures from the paper, both forced by the model:
 * - A thread here is not deterministic: one call may have several enabled steps at once (the
 *   reference broker's freedoms: Indicate one object or all, send progress or not, stop the
 *   provider or not). PCT only decides *which thread* runs; the step within the thread is drawn
 *   from the seeded PRNG, or the broker's freedoms would never be explored.
 * - Threads appear as calls are made, so priorities are drawn lazily: a fresh thread gets an
 *   independent uniform priority above the change-point band, which orders all threads by a
 *   uniformly random permutation, as the paper's d..d+n-1 assignment does.
 */
import { Prng } from './prng.ts';
import type { Step, Strategy } from './strategy.ts';

/** Maps a step to its thread: by default the call it concerns (see `defaultThreadOf`). */
export type ThreadOf = (step: Step) => string;

/** The PCT strategy with depth d and horizon k. */
export class PctStrategy implements Strategy {
  readonly name = 'pct';
  private readonly prng: Prng;
  private readonly priority = new Map<string, number>();
  /** Step number (1-based) → the index i of the change point at it (1..d-1). */
  private readonly changePoints = new Map<number, number>();
  private step = 0;

  /**
   * `depth` d (at least 1); `horizon` k, the expected number of steps of a run (change points
   * beyond the run's end are wasted, so k should be close to the real length); `threadOf` maps a
   * step to its thread.
   */
  constructor(seed: number, readonly depth: number, readonly horizon = 200, private readonly threadOf: ThreadOf = defaultThreadOf) {
    if (!Number.isInteger(depth) || depth < 1) throw new Error(`PCT depth must be an integer of at least 1 (got ${depth})`);
    this.prng = new Prng(seed ^ 0x5bd1e995);
    const k = Math.max(1, Math.floor(horizon));
    const wanted = Math.min(depth - 1, k);
    let i = 0;
    while (this.changePoints.size < wanted) {
      const at = 1 + this.prng.below(k);
      if (!this.changePoints.has(at)) this.changePoints.set(at, ++i);
    }
  }

  choose(steps: readonly Step[]): number {
    this.step++;
    let best: string | undefined;
    let bestPriority = -Infinity;
    for (const s of steps) {
      const t = this.threadOf(s);
      const p = this.priorityOf(t);
      if (p > bestPriority) { bestPriority = p; best = t; }
    }
    const mine: number[] = [];
    steps.forEach((s, i) => { if (this.threadOf(s) === best) mine.push(i); });
    const pick = mine[this.prng.below(mine.length)]!;
    // The change point i lowers the thread that runs at it to d-i (below every initial priority).
    const i = this.changePoints.get(this.step);
    if (i !== undefined) this.priority.set(best!, this.depth - i);
    return pick;
  }

  private priorityOf(thread: string): number {
    let p = this.priority.get(thread);
    if (p === undefined) {
      // Above the band 1..d-1 of change-point priorities, uniformly random among threads.
      p = this.depth + this.prng.nextU32() / 4294967296;
      this.priority.set(thread, p);
    }
    return p;
  }
}

/**
 * A step's thread: the call it concerns; else the CancelAsyncCall it belongs to (the client's
 * cancel action and the broker's steps that process and return it are one thread); any other
 * step is its own thread.
 */
export function defaultThreadOf(step: Step): string {
  if (step.call !== undefined) return `call:${step.call}`;
  return step.cancel !== undefined ? `cancel:${step.cancel}` : step.key;
}
