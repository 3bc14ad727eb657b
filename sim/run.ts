/**
 * One run: a workload against an implementation under a strategy, from one seed. It builds the
 * world, drives it with the scheduler, streams every trace event to the judges (the lifecycle
 * monitor and the checks of specs/) as it happens, and returns the verdict with its replay token.
 * A run is a pure function of (implementation, workload, strategy, seed, choices, options).
 */
import { BrokerFailure, Interrupted, type BrokerAdapter } from './broker-adapter.ts';
import type { TraceEvent, TraceHeader, TraceLine, UnnumberedEvent } from '../trace/event.ts';
import { createJudge, type JudgeResult } from '../specs/index.ts';
import { addMonitorFindings, Monitor, type MonitorRejection } from '../specs/monitor.ts';
import { Prng } from './prng.ts';
import { encodeToken, type ReplaySpec } from './replay-token.ts';
import { Scheduler, type Reducer } from './scheduler.ts';
import { ChoiceListStrategy, RandomStrategy, type Step, type Strategy } from './strategy.ts';
import { World } from './world.ts';
import type { Workload } from './workload.ts';
import { builtinWorkloads } from './workloads.ts';

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
  /** Step bound; `defaultMaxSteps(workload)` when absent. */
  maxSteps?: number;
  watchdog?: number;
  depth?: number;
  keepTrace?: boolean;
  reducer?: Reducer;
  shouldStop?: () => boolean;
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

class StrictReplay implements Strategy {
  readonly name = 'replay';
  private i = 0;
  constructor(private readonly choices: readonly number[]) {}
  choose(steps: readonly Step[]): number {
    const c = this.choices[this.i];
    if (c === undefined) throw new ReplayDivergence(`the run goes on past the ${this.choices.length} recorded choices (step ${this.i + 1})`);
    if (c >= steps.length) throw new ReplayDivergence(`step ${this.i + 1}: recorded choice ${c} but only ${steps.length} steps are enabled`);
    this.i++;
    return c;
  }
}

export function runOnce(o: RunOptions): RunResult {
  const base = o.strategy ?? new RandomStrategy(new Prng(o.seed));
  const strategy = o.strict ? new StrictReplay(o.choices ?? []) : o.choices?.length ? new ChoiceListStrategy(o.choices, base) : base;
  const header: TraceHeader = {
    seq: 0, type: 'header', format: 'wbemsim-trace', version: 2, recorder: 'simulation',
    broker: { name: o.broker.info.name, version: o.broker.info.version }, inProcess: o.broker.info.inProcess,
    whiteBox: true, seed: o.seed, workload: o.workload.name,
  };
  const monitor = new Monitor({ annotated: o.broker.info.annotates === true });
  const judge = createJudge();
  judge.begin(header);
  const trace: TraceLine[] | undefined = o.keepTrace ? [header] : undefined;
  let seq = 0;
  let fed = 0;
  let world: World | undefined;
  const feed = (e: UnnumberedEvent) => {
    // The world's events carry a placeholder `seq` first: number them in place.
    let ev: TraceEvent;
    if ('seq' in e) { ev = e as TraceEvent; ev.seq = ++seq; } else ev = { seq: ++seq, ...e } as TraceEvent;
    monitor.event(ev);
    judge.event(ev);
    trace?.push(ev);
  };
  const flush = () => {
    const events = world!.events;
    while (fed < events.length) feed(events[fed++]!);
  };
  const scheduler = new Scheduler(strategy);
  const maxSteps = o.maxSteps ?? defaultMaxSteps(o.workload);
  let end: RunResult['end'];
  try {
    world = new World(o.workload, o.broker, { watchdog: o.watchdog ?? DEFAULT_WATCHDOG });
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
  const t = world?.now ?? 0;
  if (end.reason === 'deadlock') feed({ type: 'marker.watchdog', verdict: 'deadlock', detail: end.detail!, t });
  feed({ type: 'run.end', reason: end.reason === 'stopped' ? 'bound' : end.reason, ...(end.detail ? { detail: end.detail } : {}), t });
  const spec: ReplaySpec = {
    impl: o.impl,
    workload: builtinWorkloads().some((w) => w.name === o.workload.name && w === o.workload) ? o.workload.name : o.workload,
    strategy: base.name, seed: o.seed, choices: scheduler.choices,
    ...(o.depth !== undefined ? { depth: o.depth } : {}),
    ...(o.maxSteps !== undefined ? { maxSteps: o.maxSteps } : {}),
    ...(o.watchdog !== undefined ? { watchdog: o.watchdog } : {}),
  };
  const token = encodeToken(spec);
  const result = judge.finish();
  addMonitorFindings(result, monitor.rejections);
  for (const f of [...result.violations, ...result.warnings, ...result.lint, ...result.inconclusive]) f.replay = token;
  return {
    token, impl: o.impl, workload: o.workload.name, strategy: base.name, seed: o.seed, steps: scheduler.steps, end,
    monitor: monitor.rejections, judge: result, trace, choices: scheduler.choices, monitorCoverage: monitor.coverage,
  };
}
