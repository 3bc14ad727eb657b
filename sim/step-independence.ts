/**
 * Which enabled steps commute, for the explorer's partial-order reduction (sleep sets).
 *
 * Two steps are independent when they concern different calls on different sinks and neither
 * is one of the steps that touch shared state or virtual time. Dependent with everything:
 * - client actions (CancelAsyncCall, releases) and the broker's steps that process or return a
 *   cancel (those that name it: BrokerStep.cancel): a cancel relates calls across sinks
 *   (CANCEL-SPARES-OTHER-SINKS, CANCEL-COVERS-SHARING-CALLS compare its entry and return with
 *   every other call's events);
 * - steps without a call;
 * - issuing a call and a provider producing: they set a provider timer relative to `now`, so the
 *   two orders leave different remaining times in the state key (the orders do not commute),
 *   unless providers are untimed (`explore --por`, WorldOptions.untimedProviders);
 * - the watchdog and every step of a call whose sink is `slow` or `hold`: their callbacks set
 *   timers (delay, watchdog deadline) and holds are judged against cancels.
 * What is left (an Indicate, SetStatus, callback return, provider completion, method return or
 * reference release of a call on a fast sink) changes only that call's broker entry, its sink's
 * reference count, its provider and its monitor state: disjoint state, so both orders reach the
 * same state key, neither disables the other, and the per-call monitor sees the same sequence.
 * The BrokerAdapter contract backs this: a broker step's `call` names the call it concerns.
 *
 * Under a client model the workload's sinks say nothing of the sinks the calls really use: a
 * model may pass one sink to calls the workload gives distinct sinks. The sink of each call, and
 * whether its callbacks set timers, is then read from the world the search runs (`attach`), once
 * the call was entered; until a world is attached, no two steps are independent.
 */
import type { Step } from './strategy.ts';
import { innerSink, type Workload } from './workload.ts';

/** What the relation reads of a world under a client model: the sink each entered call really reaches. */
export interface CallSinks {
  sinkOwnerOfCall(call: string): string | undefined;
}

/** The independence relation of one workload's steps. */
export class StepIndependence {
  /** call id → the sink spec it was passed (a wrapper and its inner sink are one sink). */
  private readonly sinkOf = new Map<string, string>();
  /** Calls whose steps set timers or holds (their sink is slow, hold or hold-final). */
  private readonly timed = new Set<string>();
  /** Sinks whose callbacks set timers or holds, by spec id (a client model's sink of that id is treated alike). */
  private readonly timedSinks = new Set<string>();
  /** Under a client model: the world whose calls' sinks decide. */
  private world: CallSinks | undefined;

  /**
   * `client`: a client model plays the workload, so the calls' sinks are read from the world.
   * `untimed`: providers set no timers, so issuing a call and producing are local steps too.
   */
  constructor(workload: Workload, private readonly client = false, private readonly untimed = false) {
    const spec = new Map(workload.sinks.map((s) => [s.id, s]));
    for (const s of workload.sinks) if (s.behaviour === 'slow' || s.behaviour === 'hold' || s.behaviour === 'hold-final') this.timedSinks.add(s.id);
    if (client) return;
    for (const c of workload.calls) {
      if (c.sink === null) continue;
      const owner = innerSink(c.sink);
      this.sinkOf.set(c.id, owner);
      const b = spec.get(owner)?.behaviour;
      if (b === 'slow' || b === 'hold' || b === 'hold-final') this.timed.add(c.id);
    }
  }

  /** The world the search runs (the same object for a whole stateful search; each run's under re-execution). */
  attach(world: CallSinks): void {
    this.world = world;
  }

  /** True when `a` and `b` commute (see the module comment); false whenever in doubt. */
  independent(a: Step, b: Step): boolean {
    if (a.call === undefined || b.call === undefined || a.call === b.call) return false;
    const sa = this.sinkOfCall(a.call);
    const sb = this.sinkOfCall(b.call);
    return sa !== undefined && sb !== undefined && sa !== sb && this.local(a, a.call, sa) && this.local(b, b.call, sb);
  }

  private sinkOfCall(call: string): string | undefined {
    return this.client ? this.world?.sinkOwnerOfCall(call) : this.sinkOf.get(call);
  }

  /** A step of `call` (whose sink is `sink`) that touches only its own call's state and no timer. */
  private local(s: Step, call: string, sink: string): boolean {
    if (this.client ? this.timedSinks.has(sink) : this.timed.has(call)) return false;
    if (s.kind === 'return' || s.kind === 'complete') return true;
    if (this.untimed && (s.kind === 'call' || s.kind === 'produce')) return true;
    return s.kind === 'broker' && s.cancel === undefined;
  }
}
