/**
 * One run: a workload against an implementation under a strategy, from one seed. It builds the
 * world, drives it with the scheduler, streams every trace event to the judges (the lifecycle
 * monitor and the checks of specs/) as it happens, and returns the verdict with its replay token.
 * A run is a pure function of (implementation, workload, strategy, seed, choices, options).
 */
import { BrokerFailure, Interrupted, type BrokerAdapter } from './broker-adapter.ts';
import type { TraceEvent, TraceHeader, TraceLine, UnnumberedEvent } from '../trace/event.ts';
import { createJudge, type Judge, type JudgeResult } from '../specs/index.ts';
import { addMonitorFindings, Monitor, type MonitorRejection } from '../specs/monitor.ts';
import { Prng } from './prng.ts';
import { CHECK_EVERY, encodeToken, hashStep, STEP_HASH_START, type ReplaySpec } from './replay-token.ts';
import { Scheduler, type Reducer } from './scheduler.ts';
import { ChoiceListStrategy, RandomStrategy, type Step, type Strategy } from './strategy.ts';
import { DEFAULT_DEPTH, recipeOf } from './strategies.ts';
import { runsInProcess, World } from './world.ts';
import type { Workload } from './workload.ts';
import type { ClientModel } from './client-api.ts';

export interface RunOptions {
  /** The `--impl` value, recorded in the token. */
  impl: string;
  broker: BrokerAdapter;
  workload: Workload;
  seed: number;
  /** `random` unless given; a strategy made from the seed otherwise (PCT etc.). */
  strategy?: Strategy;
  /** Choices to follow first (a replay or a fast-check schedule), then the strategy. */
  choices?: readonly number[];
  /** Strict replay: every choice must be in range, and the run may not go past them. */
  strict?: boolean;
  /**
   * For a strict replay: the recorded run's length and step identity. With `steps` beyond
   * `choices`, the strategy chooses after the choices; a step whose identity differs from the
   * record stops the run with a ReplayDivergence naming the window of steps.
   */
  recorded?: { steps: number; checks?: readonly number[] };
  /** Step bound; `defaultMaxSteps(workload)` when absent. */
  maxSteps?: number;
  watchdog?: number;
  /** Providers without virtual-time pacing (WorldOptions.untimedProviders): what `explore --por` searches. */
  untimedProviders?: boolean;
  depth?: number;
  keepTrace?: boolean;
  reducer?: Reducer;
  shouldStop?: () => boolean;
  /** A client model playing the workload instead of the workload's own client (sim/client-api.ts). */
  client?: ClientModel;
  /** Called once the world exists: lets the explorer read state keys and monitor states while the run goes on. */
  onWorld?: (world: World, monitor: Monitor) => void;
}

export interface RunResult {
  token: string;
  impl: string;
  workload: string;
  strategy: string;
  seed: number;
  steps: number;
  end: { reason: 'quiescent' | 'bound' | 'deadlock' | 'crash' | 'timeout' | 'protocol-error' | 'stopped'; detail?: string };
  /** Rejections of the lifecycle monitor (white-box traces). */
  monitor: MonitorRejection[];
  judge: JudgeResult;
  /** The whole trace, when asked for. */
  trace?: TraceLine[];
  choices: number[];
  monitorCoverage: Monitor['coverage'];
}

/** The part of the default step bound that does not depend on the workload. */
export const DEFAULT_MAX_STEPS = 2000;

/**
 * The default step bound of a run of `w` (docs/workloads.md, "The step bound"):
 * 2000 + 20 × (calls + actions) + 10 × objects + 2 × method duration, where objects is the sum
 * of every call's `objects` and duration the sum of every call's `duration`. A call of the
 * reference broker takes under 10 steps plus about 3 per object it produces, so every workload
 * runs to its end under it with room to spare (500 concurrent calls included); only a broker that
 * never stops reaches it, and such a run is cut, not passed.
 */
export function defaultMaxSteps(w: Workload): number {
  let objects = 0;
  let duration = 0;
  for (const c of w.calls) {
    objects += c.objects ?? 0;
    duration += c.duration ?? 0;
  }
  return DEFAULT_MAX_STEPS + 20 * (w.calls.length + (w.actions?.length ?? 0)) + 10 * objects + 2 * duration;
}
export const DEFAULT_WATCHDOG = 12;

/** A strategy's choice diverged from what a replay recorded. */
export class ReplayDivergence extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReplayDivergence';
  }
}

/** "at step 5" or "between step 128 and 191" (steps counted from 0). */
function stepWindow(from: number, to: number): string {
  return from === to ? `at step ${from}` : `between step ${from} and ${to}`;
}

/**
 * A strict replay: the recorded choices, each of which must be in range, then (when the record is
 * longer) the strategy; the run may not go past the record, and the keys of the steps taken must
 * hash to the recorded step identity at every check.
 */
class StrictReplay implements Strategy {
  readonly name = 'replay';
  private i = 0;
  private h = STEP_HASH_START;
  private readonly total: number;
  constructor(private readonly choices: readonly number[], private readonly after: Strategy | undefined, private readonly recorded?: RunOptions['recorded']) {
    this.total = recorded?.steps ?? choices.length;
  }
  choose(steps: readonly Step[]): number {
    const i = this.i;
    const from = i - (i % CHECK_EVERY);
    if (i >= this.total) throw new ReplayDivergence(`diverged at step ${i}: the run goes on past its ${this.total} recorded steps`);
    let c = this.choices[i];
    if (c === undefined) {
      if (!this.after) throw new ReplayDivergence(`diverged at step ${i}: no recorded choice and no strategy`);
      c = this.after.choose(steps);
    } else if (c >= steps.length) {
      throw new ReplayDivergence(`diverged ${stepWindow(from, i)}: step ${i} has recorded choice ${c} but only ${steps.length} steps are enabled`);
    }
    this.h = hashStep(this.h, steps[c]!.key);
    this.i++;
    const checks = this.recorded?.checks;
    if (checks && (this.i % CHECK_EVERY === 0 || this.i === this.total)) {
      const want = checks[Math.ceil(this.i / CHECK_EVERY) - 1];
      if (want !== undefined && want !== this.h) throw new ReplayDivergence(`diverged ${stepWindow(from, i)}: the steps taken are not the recorded ones`);
    }
    return c;
  }
  /** Throws unless the run took every recorded step. */
  finished(taken: number): void {
    if (taken < this.total) throw new ReplayDivergence(`diverged ${stepWindow(taken - (taken % CHECK_EVERY), taken)}: the run ended after ${taken} of its ${this.total} recorded steps`);
  }
}

/** Records the step identity of a run: the rolling hash of the chosen steps' keys, every CHECK_EVERY steps and at the end. */
class StepIdentity implements Strategy {
  readonly name: string;
  readonly checks: number[] = [];
  private h = STEP_HASH_START;
  private n = 0;
  constructor(private readonly inner: Strategy) {
    this.name = inner.name;
  }
  choose(steps: readonly Step[]): number {
    const c = this.inner.choose(steps);
    this.h = hashStep(this.h, steps[c]?.key ?? '');
    if (++this.n % CHECK_EVERY === 0) this.checks.push(this.h);
    return c;
  }
  /** The checks, with the last partial window's. */
  all(): number[] {
    return this.n % CHECK_EVERY === 0 ? this.checks : [...this.checks, this.h];
  }
}

export function runOnce(o: RunOptions): RunResult {
  const base = o.strategy ?? new RandomStrategy(new Prng(o.seed));
  // Whether the strategy can be remade from the token (its name, the seed, the depth, the
  // workload): then the token need not list the choices it made.
  const recipe = o.strategy === undefined ? { name: 'random', seed: o.seed } : recipeOf(o.strategy);
  const remakable = !o.reducer && recipe !== undefined && recipe.seed === o.seed
    && (recipe.name === 'random' || recipe.workload === o.workload && (recipe.depth ?? DEFAULT_DEPTH) === (o.depth ?? DEFAULT_DEPTH));
  const replaying = o.strict ? new StrictReplay(o.choices ?? [], remakable ? base : undefined, o.recorded) : undefined;
  const identity = new StepIdentity(replaying ?? (o.choices?.length ? new ChoiceListStrategy(o.choices, base) : base));
  const header: TraceHeader = {
    seq: 0, type: 'header', format: 'wbemsim-trace', version: 2, recorder: 'simulation',
    broker: { name: o.broker.info.name, version: o.broker.info.version }, inProcess: runsInProcess(o.workload, o.broker.info),
    whiteBox: true, seed: o.seed, workload: o.workload.name,
  };
  const monitor = new Monitor({ annotated: o.broker.info.annotates === true });
  // A judge left by an earlier run is reset and used again: making one costs more than a short run's steps.
  const judge = spareJudge ?? createJudge({ reusable: true });
  spareJudge = undefined;
  judge.begin(header);
  const trace: TraceLine[] | undefined = o.keepTrace ? [header] : undefined;
  let seq = 0;
  let fed = 0;
  let world: World | undefined;
  const feed = (e: UnnumberedEvent) => {
    // The world's events carry a placeholder `seq` (added last, to make no copy of every event): number them in place.
    let ev: TraceEvent;
    if ('seq' in e) { ev = e as TraceEvent; ev.seq = ++seq; } else ev = { seq: ++seq, ...e } as TraceEvent;
    monitor.event(ev);
    judge.event(ev);
    // A kept trace lists `seq` first.
    trace?.push(Object.assign({ seq: ev.seq }, ev));
  };
  const flush = () => {
    const events = world!.events;
    while (fed < events.length) feed(events[fed++]!);
  };
  const scheduler = new Scheduler(identity);
  const maxSteps = o.maxSteps ?? defaultMaxSteps(o.workload);
  let end: RunResult['end'];
  try {
    world = new World(o.workload, o.broker, { watchdog: o.watchdog ?? DEFAULT_WATCHDOG, ...(o.client ? { client: o.client } : {}), ...(o.untimedProviders ? { untimedProviders: true } : {}) });
    o.onWorld?.(world, monitor);
    flush();
    const stop = scheduler.run(world, { maxSteps, afterStep: flush, reducer: o.reducer, shouldStop: o.shouldStop });
    flush();
    const stuck = stop === 'idle' ? world.stuck() : undefined;
    end = stop === 'bound' ? { reason: 'bound', detail: `${maxSteps} steps` }
      : stop === 'stopped' ? { reason: 'stopped', detail: 'time budget' }
      : stuck ? { reason: 'deadlock', detail: stuck } : { reason: 'quiescent' };
  } catch (err) {
    if (err instanceof Interrupted) {
      // A stop request that reached a broker mid-answer cuts the run like the time budget does.
      if (world) flush();
      end = { reason: 'stopped', detail: 'interrupted' };
    } else {
      if (!(err instanceof BrokerFailure)) throw err;
      if (world) flush();
      end = { reason: err.reason, detail: err.message };
    }
  }
  // A run stopped from outside (time budget, interrupt) ended early without diverging.
  if (end.reason !== 'stopped') replaying?.finished(scheduler.steps);
  const t = world?.now ?? 0;
  if (end.reason === 'deadlock') feed({ type: 'marker.watchdog', verdict: 'deadlock', detail: end.detail!, t });
  feed({ type: 'run.end', reason: end.reason === 'stopped' ? 'bound' : end.reason, ...(end.detail ? { detail: end.detail } : {}), t });
  // The choices the strategy made itself need not be listed when it can be remade.
  const explicit = remakable ? scheduler.choices.slice(0, Math.min(o.choices?.length ?? 0, scheduler.steps)) : scheduler.choices;
  const spec: ReplaySpec = {
    impl: o.impl, ...(o.client ? { client: o.client.name } : {}), workload: o.workload, strategy: base.name, seed: o.seed,
    choices: explicit, steps: scheduler.steps, checks: identity.all(),
    ...(o.depth !== undefined ? { depth: o.depth } : {}),
    ...(o.maxSteps !== undefined ? { maxSteps: o.maxSteps } : {}),
    ...(o.watchdog !== undefined ? { watchdog: o.watchdog } : {}),
    ...(o.untimedProviders ? { untimedProviders: true } : {}),
  };
  const tokenOf = lazyToken(spec);
  const result = judge.finish();
  judge.reset();
  spareJudge = judge;
  addMonitorFindings(result, monitor.rejections);
  for (const f of [...result.violations, ...result.warnings, ...result.lint, ...result.inconclusive]) {
    Object.defineProperty(f, 'replay', { get: tokenOf, enumerable: true, configurable: true });
  }
  const run: RunResult = {
    get token() { return tokenOf(); },
    impl: o.impl, workload: o.workload.name, strategy: base.name, seed: o.seed, steps: scheduler.steps, end,
    monitor: monitor.rejections, judge: result, trace, choices: scheduler.choices, monitorCoverage: monitor.coverage,
  };
  tokenThunks.set(run, tokenOf);
  return run;
}

/**
 * The judge the last run finished with, reset, for the next run (runOnce); none while a run uses
 * it, so that a run made inside another (a shrink's) makes its own.
 */
let spareJudge: Judge | undefined;

/** Each run's token maker (runOnce), which holds the run's replay spec and nothing else of it. */
const tokenThunks = new WeakMap<RunResult, () => string>();

/**
 * The token of `spec`, made when first read: most runs of a campaign never print theirs. A
 * function of its own, so that what it keeps alive is the spec alone, not the run's world.
 */
function lazyToken(spec: ReplaySpec): () => string {
  let token: string | undefined;
  return () => (token ??= encodeToken(spec));
}

/**
 * A function that gives run `r`'s token when called. For a run runOnce made, it keeps only what
 * the token needs, so a record of the run can hold it without holding the run.
 */
export function tokenOfRun(r: RunResult): () => string {
  return tokenThunks.get(r) ?? (() => r.token);
}
