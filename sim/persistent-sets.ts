/**
 * Persistent sets by sink (`explore --por`): at a state, explore only the enabled steps of one
 * sink's calls when every step the other sinks' calls and cancels can take before them commutes
 * with each of those steps (Godefroid 1996, persistent sets; with sleep sets on top, as there).
 *
 * The components are the workload's sinks (a wrapper and its inner sink are one). A step belongs
 * to the sink of its call, a cancel's steps to the sink of the cancel. Two steps of different
 * components commute, with providers untimed (WorldOptions.untimedProviders), except where a
 * cancel is judged against what it finds on other sinks: at its entry the checks remember which
 * calls on other sinks were pending (entered, not failed to start, final status not back;
 * specs/cancel-windows.ts). So a step that changes that, *sensitive* below (issuing a call; the
 * return of a final SetStatus), does not commute with another sink's cancel, and a cancel's steps
 * do not commute with another sink's sensitive steps. The set of one component's enabled steps is
 * therefore taken when it holds no step of a cancel and, if it holds a sensitive step, no other
 * sink has a cancel still to enter or running.
 *
 * Between components nothing else can enable, disable or reorder: a call or cancel that still
 * waits (`after`) for a call of another sink joins the two sinks into one component, and the workload
 * is restricted to what keeps it so (`refusal`: fast sinks, calls and cancels with a sink, no
 * other client action, no client model, SWbemSink or remote broker), and the broker must keep each
 * step within its component: a step that names a call acts on calls and sinks of that call's sink
 * only, a cancel's on those of the cancel's sink, and a method returns a failure only at its
 * entry; a cancel's events come from steps that name it. `check` verifies that of every step
 * taken, from the events it made, and stops the search if a broker breaks it, since the search
 * would then have left out interleavings that differ. What events do not show (a step enabling or
 * disabling another sink's step, a change to another sink's call inside the broker) is assumed.
 *
 * The state graph has no cycle (every step makes a call, a cancel, a provider or a callback
 * progress), so the persistent sets need no cycle proviso; the search stops if a path comes back
 * to a state on it (PorUnsound.cycle).
 */
import type { Step } from './strategy.ts';
import type { UnnumberedEvent } from '../trace/event.ts';
import { failed } from '../trace/hresult.ts';
import { innerSink, type Workload } from './workload.ts';

/** What the reduction reads of the world at a state. */
export interface PorView {
  /** Cancel actions not taken yet, by id. */
  pendingCancels(): Iterable<string>;
  /** Cancels entered and not returned, by id. */
  runningCancels(): Iterable<string>;
  /** Whether callback `cb` (a `return:` step's id) is a final SetStatus. */
  isFinalCallback(cb: string): boolean;
  /** The calls and cancels not made yet whose `after` is not satisfied yet, with the call each waits for. */
  waits(): Iterable<{ call?: string; cancel?: string; on: string }>;
  /** Whether a call made with `sink` (or its wrapper or inner sink) has not ended yet. */
  hasOpenCall(sink: string): boolean;
}

/** The persistent sets of one workload's states. */
export class SinkPersistentSets {
  /** call id → its component (the sink it was passed, a wrapper counted as its inner sink). */
  private readonly callSink = new Map<string, string>();
  /** cancel id → its component. */
  private readonly cancelSink = new Map<string, string>();

  private constructor(workload: Workload) {
    for (const c of workload.calls) this.callSink.set(c.id, innerSink(c.sink!));
    for (const a of workload.actions ?? []) if (a.kind === 'cancel') this.cancelSink.set(a.id, innerSink(a.sink!));
  }

  /** Why `--por` cannot reduce this workload, or undefined when it can. */
  static refusal(workload: Workload): string | undefined {
    if (workload.outOfProcess) return 'its broker is in another process (a transport loss relates every sink)';
    if (workload.swbemsinks?.length) return 'it uses SWbemSink objects';
    const timed = workload.sinks.find((s) => s.behaviour !== undefined && s.behaviour !== 'fast');
    if (timed) return `sink ${timed.id} is ${timed.behaviour}: only fast sinks are reduced (the others set timers, hold or fail callbacks)`;
    for (const c of workload.calls) if (c.sink === null) return `call ${c.id} has no sink`;
    for (const a of workload.actions ?? []) {
      if (a.kind !== 'cancel') return `it has a ${a.kind} action (it relates every sink)`;
      if (a.sink === null) return `cancel ${a.id} has no sink`;
    }
    if (new Set(workload.calls.map((c) => innerSink(c.sink!))).size < 2) return 'its calls all use one sink';
    return undefined;
  }

  /** The reduction of `workload`, or undefined when `refusal` says it does not apply. */
  static of(workload: Workload): SinkPersistentSets | undefined {
    return SinkPersistentSets.refusal(workload) === undefined ? new SinkPersistentSets(workload) : undefined;
  }

  /**
   * Whether step `s` (not a cancel's) changes what a cancel of another sink is judged against:
   * issuing a call, or the return of a final SetStatus. Asked before the step is taken.
   */
  sensitive(s: Step, view: PorView): boolean {
    return s.kind === 'call' || (s.kind === 'return' && view.isFinalCallback(s.id));
  }

  /** The components with a cancel still to enter or running. */
  private cancelling(view: PorView, componentOf: (sink: string) => string): Set<string> {
    const out = new Set<string>();
    for (const k of view.pendingCancels()) out.add(componentOf(this.cancelSink.get(k)!));
    for (const k of view.runningCancels()) out.add(componentOf(this.cancelSink.get(k)!));
    return out;
  }

  /** The sink of a step's cancel or call, before joins. */
  private sinkOf(s: Step): string | undefined {
    if (s.cancel !== undefined) return this.cancelSink.get(s.cancel);
    return s.call === undefined ? undefined : this.callSink.get(s.call);
  }

  /**
   * The components at a state: each sink, joined with the sink of the call that a pending call or
   * cancel still waits for (`after`, not yet satisfied), since that call's step will enable it.
   * Once satisfied, a wait never closes again: the sinks are apart from then on.
   */
  private components(view: PorView): (sink: string) => string {
    const parent = new Map<string, string>();
    const root = (x: string): string => {
      let r = x;
      while (parent.has(r)) r = parent.get(r)!;
      return r;
    };
    for (const w of view.waits()) {
      const a = root(w.cancel !== undefined ? this.cancelSink.get(w.cancel)! : this.callSink.get(w.call!)!);
      const b = root(this.callSink.get(w.on)!);
      if (a !== b) parent.set(a < b ? b : a, a < b ? a : b);
    }
    return parent.size === 0 ? (x) => x : root;
  }

  /**
   * The indices of `enabled` to explore: one component's steps, the smallest that qualifies, or
   * undefined for all of them.
   */
  choose(view: PorView, enabled: readonly Step[]): Set<number> | undefined {
    const componentOf = this.components(view);
    const groups = new Map<string, { at: Set<number>; cancel: boolean; sensitive: boolean }>();
    for (let i = 0; i < enabled.length; i++) {
      const s = enabled[i]!;
      const own = this.sinkOf(s);
      if (own === undefined) return undefined;
      const c = componentOf(own);
      let g = groups.get(c);
      if (!g) groups.set(c, (g = { at: new Set(), cancel: false, sensitive: false }));
      g.at.add(i);
      if (s.cancel !== undefined) g.cancel = true;
      else if (this.sensitive(s, view)) g.sensitive = true;
    }
    if (groups.size < 2) return undefined;
    const cancelling = this.cancelling(view, componentOf);
    let best: { c: string; at: Set<number> } | undefined;
    for (const [c, g] of groups) {
      if (g.cancel) continue;
      if (g.sensitive && [...cancelling].some((x) => x !== c)) continue;
      // Ties go to the sink named first: the choice depends on the state, not on the order of `enabled`.
      if (!best || g.at.size < best.at.size || (g.at.size === best.at.size && c < best.c)) best = { c, at: g.at };
    }
    return best?.at;
  }

  /**
   * Throws if the events of step `s`, just taken, act outside its component or do what only the
   * sensitive steps and a cancel's may (see the module comment): act on a call or sink of another
   * sink, return a method's failure after its entry, or release a reference to a sink whose call
   * has not ended while another sink's cancel is to come or running (CANCEL-SPARES-OTHER-SINKS
   * judges such a release). `sensitive`: what `sensitive` said of `s` before it was taken.
   */
  check(s: Step, sensitive: boolean, events: readonly UnnumberedEvent[], view: PorView, broker: string): void {
    if (s.cancel !== undefined) sensitive = true;
    const own = this.sinkOf(s);
    for (const e of events) {
      const call = 'call' in e && typeof e.call === 'string' ? e.call : undefined;
      const sink = 'sink' in e && typeof e.sink === 'string' ? e.sink : undefined;
      const cancel = 'cancel' in e && typeof e.cancel === 'string' ? e.cancel : undefined;
      const other = call !== undefined ? this.callSink.get(call) : sink !== undefined ? innerSink(sink) : cancel !== undefined ? this.cancelSink.get(cancel) : undefined;
      if (other !== undefined && other !== own) {
        throw PorUnsound.step(broker, s, `acted on ${call !== undefined ? `call ${call}` : sink !== undefined ? `sink ${sink}` : `cancel ${cancel}`} of sink ${other}`);
      }
      // A cancel's events come from its own steps (BrokerStep.cancel): those are never taken alone.
      if (cancel !== undefined && s.cancel === undefined) {
        throw PorUnsound.step(broker, s, `acted for cancel ${cancel} without naming it as its cancel`);
      }
      // A broker that annotates says which calls its cancel processed: a call of another sink is acted on.
      if (e.type === 'annotation.cancel-processed') {
        const far = e.calls.find((c) => this.callSink.get(c) !== own);
        if (far !== undefined) throw PorUnsound.step(broker, s, `processed call ${far} of sink ${this.callSink.get(far) ?? '?'}`);
      }
      if (e.type === 'call.returned' && failed(e.hr) && !sensitive) {
        throw PorUnsound.step(broker, s, `returned call ${e.call} with a failure after its entry`);
      }
      if (!sensitive && e.type === 'sink.release' && (e.by ?? 'broker') === 'broker' && view.hasOpenCall(e.sink)) {
        const componentOf = this.components(view);
        const at = componentOf(innerSink(e.sink));
        const k = [...this.cancelling(view, componentOf)].find((c) => c !== at);
        if (k !== undefined) throw PorUnsound.step(broker, s, `released a reference to sink ${e.sink} while a call made with it had not ended and a cancel of sink ${k} was to come or running`);
      }
    }
  }
}

/** A broker broke what `--por` assumes of it: the reduced search would not be exhaustive. */
export class PorUnsound extends Error {
  /** Step `s` of `broker` did `what`, outside what the reduction assumes of a step. */
  static step(broker: string, s: Step, what: string): PorUnsound {
    return new PorUnsound(`--por: broker ${broker}'s step ${s.key} ${what}; partial-order reduction takes each step to act within its own sink, so explore this broker without --por`);
  }

  /** A path came back to a state on it: persistent sets without a cycle proviso could leave steps out for good. */
  static cycle(broker: string): PorUnsound {
    return new PorUnsound(`--por: under broker ${broker} a path came back to a state it had passed; partial-order reduction takes the state graph to have no cycle, so explore this broker without --por`);
  }
}
