/**
 * The virtual scheduler: repeatedly asks the world for its enabled steps, lets the strategy pick
 * one, and takes it; when nothing is enabled it advances virtual time to the next timer. Every
 * choice is recorded as one small integer, so a run replays from its choice list.
 */
import type { Step, Strategy } from './strategy.ts';

/** What the scheduler drives: the world, or anything that offers steps the same way. */
export interface Steppable {
  enabled(): Step[];
  nextTimer(): number | undefined;
  advanceTo(t: number): void;
  take(step: Step): void;
}

/** Sits between the enabled set and the strategy (partial-order reduction, symmetry). */
export type Reducer = (steps: Step[]) => Step[];

export interface ScheduleLimits {
  maxSteps: number;
  /** Called after each step (the runner streams new trace events to the judges here). */
  afterStep?: () => void;
  /** Wall-clock cut-off, checked between steps; only cuts work short. */
  shouldStop?: () => boolean;
  reducer?: Reducer;
}

export type ScheduleEnd = 'idle' | 'bound' | 'stopped';

export class Scheduler {
  /** The index chosen at each step, in order. */
  readonly choices: number[] = [];
  steps = 0;

  constructor(private readonly strategy: Strategy) {}

  /** Runs until nothing is enabled (`idle`), the step bound, or the stop callback. */
  run(world: Steppable, limits: ScheduleLimits): ScheduleEnd {
    for (;;) {
      let enabled = world.enabled();
      if (enabled.length === 0) {
        const t = world.nextTimer();
        if (t === undefined) return 'idle';
        world.advanceTo(t);
        continue;
      }
      if (this.steps >= limits.maxSteps) return 'bound';
      if (limits.shouldStop?.()) return 'stopped';
      if (limits.reducer) enabled = limits.reducer(enabled);
      const i = this.strategy.choose(enabled);
      if (i < 0 || i >= enabled.length) throw new Error(`strategy ${this.strategy.name} chose ${i} of ${enabled.length}`);
      this.choices.push(i);
      this.steps++;
      world.take(enabled[i]!);
      limits.afterStep?.();
    }
  }
}
