/**
 * The choice point: the one interface through which anything picks the next step. Random, PCT,
 * exhaustive and fast-check-driven schedules are implementations of it; the scheduler does not
 * know which one it runs under (after fast-check's TaskSelector).
 */
/** One enabled step: a stable key, and the call it concerns (its "thread" for PCT and reductions). */
export interface Step {
  key: string;
  call?: string;
}

export interface Strategy {
  /** Short name used in replay tokens and reports. */
  readonly name: string;
  /** Picks one of the enabled steps (at least one), given in the scheduler's deterministic order; returns its index. */
  choose(steps: readonly Step[]): number;
}

/** Uniformly random choices from a seeded PRNG. */
export class RandomStrategy implements Strategy {
  readonly name = 'random';
  constructor(private readonly prng: { below(n: number): number }) {}
  choose(steps: readonly Step[]): number {
    return this.prng.below(steps.length);
  }
}

/**
 * Follows an explicit list of choices, each read modulo the number of options at its step (so
 * that any list of numbers is a valid schedule), then continues with `after` (the first enabled step when absent). This is what fast-check
 * generates and shrinks, and what a replay feeds back.
 */
export class ChoiceListStrategy implements Strategy {
  readonly name: string;
  private i = 0;
  constructor(private readonly choices: readonly number[], private readonly after?: Strategy) {
    this.name = after ? after.name : 'choices';
  }
  choose(steps: readonly Step[]): number {
    if (this.i < this.choices.length) return this.choices[this.i++]! % steps.length;
    return this.after ? this.after.choose(steps) : 0;
  }
}
