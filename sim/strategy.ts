/**
 * The choice point: the one interface through which anything picks the next step. Random, PCT,
 * exhaustive and fast-check-driven schedules are implementations of it; the scheduler does not
 * know which one it runs under (after fast-check's TaskSelector).
 */
/**
 * Who takes a step: the client issuing a call (`call`) or acting (`act`: a cancel, a release...),
 * a callback returning (`return`) or let go by the watchdog (`watchdog`), a provider producing
 * (`produce`) or completing (`complete`), the broker (`broker`: one of its enabled steps) or a
 * client model's thread (`client`).
 */
export type StepKind = 'call' | 'act' | 'return' | 'watchdog' | 'produce' | 'complete' | 'broker' | 'client';

/**
 * One enabled step, as a value: what takes it and what it concerns. Strategies, reductions and
 * PCT read these fields, never the key's text.
 */
export interface Step {
  /** Stable identity, `kind:id`: what sleep sets, symmetry and a replay's step identity compare. */
  readonly key: string;
  readonly kind: StepKind;
  /** The step's id within its kind: a call, an action's index, a callback, a broker's step id... */
  readonly id: string;
  /** The call it concerns (its "thread" for PCT, and the unit of independence). */
  readonly call?: string;
  /** The CancelAsyncCall it belongs to: a cancel action, or a broker step that processes or returns one. */
  readonly cancel?: string;
}

/** A step of `kind` with `id`, concerning `call` and belonging to `cancel` when given. */
export function stepOf(kind: StepKind, id: string, call?: string, cancel?: string): Step {
  const s: { key: string; kind: StepKind; id: string; call?: string; cancel?: string } = { key: `${kind}:${id}`, kind, id };
  if (call !== undefined) s.call = call;
  if (cancel !== undefined) s.cancel = cancel;
  return s;
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
