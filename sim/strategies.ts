/** Strategies by name, each made from a run's seed (`--strategy`). */
import { defaultThreadOf, PctStrategy, type ThreadOf } from './pct-strategy.ts';
import { Prng } from './prng.ts';
import { RandomStrategy, type Step, type Strategy } from './strategy.ts';
import type { Workload } from './workload.ts';

/** The names `--strategy` accepts. */
export type StrategyName = 'random' | 'pct' | 'exhaustive';

/** The PCT depth when none is given. */
export const DEFAULT_DEPTH = 3;

/**
 * The strategy for one run. `exhaustive` is not a per-run strategy: the explorer drives it.
 * Given the workload, PCT's horizon k is its estimated run length and a client's CancelAsyncCall
 * is one thread with the broker's processing of it.
 */
export function makeStrategy(name: StrategyName, seed: number, depth = DEFAULT_DEPTH, workload?: Workload): Strategy {
  let s: Strategy;
  switch (name) {
    case 'random': s = new RandomStrategy(new Prng(seed)); break;
    case 'pct': s = workload ? new PctStrategy(seed, depth, estimatedSteps(workload)) : new PctStrategy(seed, depth); break;
    case 'exhaustive': throw new Error('exhaustive exploration is driven by the explorer, not by a per-run strategy');
  }
  recipes.set(s, { name, seed, depth, workload });
  return s;
}

/** How `makeStrategy` made a strategy: what a replay needs to make it again. */
export interface StrategyRecipe {
  name: string;
  seed: number;
  depth?: number;
  workload?: Workload;
}

const recipes = new WeakMap<Strategy, StrategyRecipe>();

/**
 * The recipe of a strategy made by `makeStrategy` (undefined for any other): the run's token can
 * then leave out the choices the strategy made, since the replay remakes it. A strategy serves one run.
 */
export function recipeOf(s: Strategy): StrategyRecipe | undefined {
  return recipes.get(s);
}

/**
 * A run's expected number of scheduler steps, PCT's horizon k: per call, its method call and
 * return, the provider's start, production and completion, each object's Indicate and return,
 * the final status and its return, the release; per client action, a few steps. An estimate: the
 * paper's bound needs k at least the run's length, and change points past the end are wasted.
 */
export function estimatedSteps(w: Workload): number {
  let n = 0;
  for (const c of w.calls) {
    const objects = c.op === 'ExecQueryAsync' || c.op === 'CreateInstanceEnumAsync' || c.op === 'CreateClassEnumAsync' || c.op === 'ExecNotificationQueryAsync' ? c.objects ?? 2 : 1;
    n += 6 + 3 * objects + ((c.flags ?? 0) & 0x80 ? 2 : 0);
  }
  return n + 3 * (w.actions?.length ?? 0);
}

/**
 * Probabilistic random walk (Coyote's "probabilistic" strategy): keep running the thread that ran
 * last (the call or cancel of the last step, as PCT counts threads) and switch to a uniformly
 * random step only with probability `switchOdds` or when that thread has nothing enabled. Long
 * runs of one thread reach the states where one call got far ahead of the others, which uniform
 * choices rarely do.
 */
export class ProbabilisticStrategy implements Strategy {
  readonly name = 'probabilistic';
  private readonly prng: Prng;
  private last: string | undefined;

  constructor(seed: number, private readonly switchOdds = 0.2, private readonly threadOf: ThreadOf = defaultThreadOf) {
    this.prng = new Prng(seed ^ 0x68e31da4);
  }

  choose(steps: readonly Step[]): number {
    const stay = this.last !== undefined && this.prng.nextU32() / 4294967296 >= this.switchOdds;
    const mine: number[] = [];
    if (stay) steps.forEach((s, i) => { if (this.threadOf(s) === this.last) mine.push(i); });
    const pick = mine.length ? mine[this.prng.below(mine.length)]! : this.prng.below(steps.length);
    this.last = this.threadOf(steps[pick]!);
    return pick;
  }
}
