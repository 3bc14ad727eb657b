/**
 * The simulated world: the client (driven by a workload), its COM sinks with reference counts,
 * the harness-owned providers, and a broker behind the adapter API. The world offers every
 * enabled step; the scheduler's strategy picks one; the world takes it and records trace events.
 * It never reads a clock or a random source: a run is a pure function of the choices.
 */
import { joinSorted, type KeyOrder } from '../trace/key-order.ts';
import type { BrokerAdapter, BrokerInfo, BrokerOutput, CallTarget } from './broker-adapter.ts';
import { failed, RPC_E_DISCONNECTED, S_OK, WBEM_E_FAILED, WBEM_E_NOT_AVAILABLE, WBEM_STATUS_PROGRESS } from '../trace/hresult.ts';
import type { ProviderKind, UnnumberedEvent } from '../trace/event.ts';
import { afterCall, innerSink, passedSink, type CallSpec, type ClientAction, type SinkSpec, type Workload } from './workload.ts';
import { SwbemSinkLayer } from './swbemsink-layer.ts';
import type { ClientModel } from './client-api.ts';
import { ClientModelError, ClientRuntime, type ClientHost } from './client-model.ts';

import { stepOf, type Step, type StepKind } from './strategy.ts';
import { StateSnapshotter, type SavedState } from '../specs/state-snapshot.ts';
export type { Step };

/** What World.save returns: the state of its objects, and copies of the events not yet taken. */
export interface WorldSaved {
  readonly state: SavedState;
  readonly pending: readonly UnnumberedEvent[];
}

const NO_EVENTS: readonly UnnumberedEvent[] = Object.freeze([]);

/** RPC_C_AUTHN_LEVEL_NONE: the level of a local callback without Kerberos. */
const RPC_C_AUTHN_LEVEL_NONE = 1;

/** Whether the trace's header says the broker runs in the client's process: the broker's word, unless the workload puts it in another. */
export function runsInProcess(workload: Workload, info: BrokerInfo): boolean {
  return info.inProcess && workload.outOfProcess === undefined;
}

export interface WorldOptions {
  /** Virtual time after which a held callback is released by the watchdog (RULES.md item 4). */
  watchdog: number;
  /**
   * A client model plays the workload instead of the workload's own client (sim/client-api.ts):
   * the workload's calls then say only what each call's provider does.
   */
  client?: ClientModel;
  /**
   * Providers produce and complete without waiting on virtual time (no delay between objects, a
   * method without its duration). Without held callbacks (whose watchdog is offered only when
   * nothing else is enabled), every interleaving of the timed world stays possible and a few more
   * become so; in exchange a provider's steps set no timer, so they commute with other calls' steps
   * (sim/step-independence.ts) and partial-order reduction applies (sim/persistent-sets.ts).
   */
  untimedProviders?: boolean;
}

interface Callback {
  cb: string;
  call: string;
  sink: string;
  kind: 'indicate' | 'setstatus';
  final: boolean;
  held: boolean;
  heldSince: number;
  notBefore: number;
  /** A cancel made from inside this callback, still running (the callback cannot return before it). */
  innerCancel?: string;
  /** A cancel with this callback's sink has returned: the hold ends once no cancel runs. */
  holdDone?: boolean;
  /** The callback reached a client model: its thread returns it, not a `return:` step. */
  model?: boolean;
  /** Its `return:` step, made once (frozen: saved states share it). */
  step: Step;
  /**
   * What a cancel action made from inside a callback names to pick it (`final:SINK` or
   * `sink:SINK`, by the workload's sink), and `sw:ID` when an SWbemSink owns its sink.
   */
  target: string;
  swTarget: string | undefined;
}

interface Provider {
  kind: ProviderKind;
  spec: CallSpec;
  left: number;
  notBefore: number;
  done: boolean;
  /** Its `produce:` and `complete:` steps, made once (frozen: saved states share them). */
  produceStep: Step;
  completeStep: Step;
}

/** A step made once and kept: frozen, so that saved states share it instead of copying it. */
function fixedStep(kind: StepKind, id: string, call?: string, cancel?: string): Step {
  return Object.freeze(stepOf(kind, id, call, cancel));
}

const PROVIDER_OF: Record<CallSpec['op'], ProviderKind> = {
  ExecQueryAsync: 'instance',
  CreateInstanceEnumAsync: 'instance',
  GetObjectAsync: 'object',
  ExecMethodAsync: 'method',
  PutInstanceAsync: 'put',
  DeleteInstanceAsync: 'delete',
  ExecNotificationQueryAsync: 'event',
  // Class enumeration is served like instance enumeration; class writes like instance writes.
  CreateClassEnumAsync: 'instance',
  PutClassAsync: 'put',
  DeleteClassAsync: 'delete',
};

/** The world of one run. */
export class World {
  /** Virtual time; each step takes one unit, and idle time jumps to the next timer. */
  now = 0;
  readonly events: UnnumberedEvent[] = [];
  private readonly sinks = new Map<string, SinkSpec>();
  private readonly owner = new Map<string, string>(); // passed sink (wrapper or inner) -> spec id
  private readonly refs = new Map<string, number>();
  private readonly callbacks = new Map<string, Callback>();
  private readonly providers = new Map<string, Provider>();
  /** Providers still working, in the order they started (the enabled set only walks these). */
  private readonly liveProviders = new Map<string, Provider>();
  /** Calls not yet issued and actions not yet taken, in workload order. */
  private pendingCalls: CallSpec[];
  private pendingActions: number[];
  private readonly callById = new Map<string, CallSpec>();
  /** Step objects of the broker's steps, made once per step id. */
  private readonly brokerSteps = new Map<string, Step>();
  /** Per callback id, the `act:` steps of the actions taken from inside it, by action index. */
  private readonly insideSteps = new Map<string, Step[]>();
  /**
   * The `call:` step of each of the workload's calls; per action, its `act:` step when taken from
   * outside a callback, or the target of the callbacks it is taken from inside (see `enabled`).
   */
  private readonly callSteps = new Map<string, Step>();
  private readonly actSteps: Step[];
  private readonly insideTargets: (string | undefined)[];
  private readonly issued = new Set<string>();
  private readonly returned = new Set<string>();
  private readonly finalReturned = new Set<string>();
  private readonly doneActions = new Set<number>();
  private readonly cancelsRunning = new Map<string, { sink: string | null; fromCallback?: string }>();
  private readonly calls: CallSpec[];
  private readonly actions: ClientAction[];
  private readonly scripting: SwbemSinkLayer;
  /**
   * For `broker.idle`: per sink pointer passed to calls, the broker's own references and the calls
   * on it not yet ended; `idleCandidates` are the sinks holding a broker reference with every call
   * ended, so the broker's enabled set is consulted only while one exists.
   */
  private readonly brokerRefs = new Map<string, number>();
  private readonly openOnSink = new Map<string, number>();
  private readonly sinkOfCall = new Map<string, string>();
  private readonly ended = new Set<string>();
  private readonly idleCandidates = new Set<string>();
  /**
   * The connection to the broker is lost (a `transport-loss` action): the broker runs on, but no
   * callback it starts reaches the client (each fails at once with RPC_E_DISCONNECTED on the
   * broker's side and leaves no trace on the client's), and the client's later calls and cancels
   * fail with RPC_E_DISCONNECTED without reaching the broker.
   */
  private transportLost = false;
  /** The client model playing the workload, and the results of its calls and cancels. */
  private readonly client?: ClientRuntime;
  private readonly clientResults = new Map<string, number>();

  constructor(readonly workload: Workload, readonly broker: BrokerAdapter, private readonly options: WorldOptions) {
    this.calls = workload.calls;
    this.actions = workload.actions ?? [];
    this.pendingCalls = options.client ? [] : [...this.calls];
    this.pendingActions = options.client ? [] : this.actions.map((_, i) => i);
    for (const c of this.calls) {
      this.callById.set(c.id, c);
      this.callSteps.set(c.id, fixedStep('call', c.id, c.id));
    }
    // A cancel action belongs to its CancelAsyncCall, as the broker's steps for it do.
    this.actSteps = this.actions.map((a, i) => fixedStep('act', String(i), undefined, a.kind === 'cancel' ? a.id : undefined));
    this.insideTargets = this.actions.map((a) => {
      if (a.kind === 'cancel' && a.fromCallback) return `${a.fromCallback === 'final' ? 'final' : 'sink'}:${a.sink}`;
      return a.kind === 'swbem-cancel' && a.fromCallback ? `sw:${a.swsink}` : undefined;
    });
    broker.reset({ security: workload.security !== false });
    this.scripting = new SwbemSinkLayer({
      emit: (e) => this.emit(e),
      addRef: (sink, by) => this.addRef(sink, by),
      release: (sink, by) => this.release(sink, by),
      cancel: (id, services, sink, fromCallback) => this.startCancel(id, services, sink, fromCallback),
    }, broker.scripting);
    if (workload.security === false) this.emit({ type: 'marker.no-security' });
    if (options.client) {
      this.client = new ClientRuntime(options.client, this.clientHost(), workload);
      this.client.start();
      return;
    }
    for (const sw of workload.swbemsinks ?? []) this.scripting.created(sw.id);
    for (const s of workload.sinks) {
      this.sinks.set(s.id, s);
      this.owner.set(s.id, s.id);
      this.emit({ type: 'sink.created', sink: s.id });
      this.addRef(s.id, 'client');
      if (s.wrapped) {
        const stub = passedSink(s);
        this.owner.set(stub, s.id);
        this.emit({ type: 'sink.created', sink: stub, wraps: s.id });
        this.addRef(stub, 'client');
        this.addRef(s.id, 'com');
      }
    }
  }

  /**
   * A copy of the world's state (the client, its sinks, the providers, the scripting layer), for
   * stateful search. The broker is saved apart (BrokerAdapter.snapshot). The events not yet
   * taken by the caller are part of it, as copies: a restore gives them back as they were when
   * saved, unnumbered, whatever the caller did to the ones it took.
   */
  save(): WorldSaved {
    const pending = this.events.length === 0 ? NO_EVENTS : this.events.map((e) => ({ ...e }));
    return { state: this.snapshots().save(), pending };
  }

  /** Back to a state `save` returned; the saved state stays usable. */
  restore(s: WorldSaved, last = false): void {
    this.snapshots().restore(s.state, last);
    this.events.length = 0;
    for (const e of s.pending) this.events.push({ ...e });
  }

  private snapshotter?: StateSnapshotter;
  private snapshots(): StateSnapshotter {
    // The step caches (the broker's steps, the calls' and the actions') and the actions' targets hold immutable values: kept across restores.
    // So are the maps of the workload's sinks and calls by id, filled once by the constructor.
    // The events not yet taken are saved apart, as copies (save).
    return (this.snapshotter ??= new StateSnapshotter([this, this.scripting, ...(this.client ? [this.client] : [])], [this.broker, this.events, this.options, this.brokerSteps, this.insideSteps, this.callSteps, this.actSteps, this.insideTargets, this.sinks, this.callById, ...this.scripting.sharedParts(), ...(this.client?.sharedParts() ?? [])], [this.workload]));
  }

  /** The cancel actions not taken yet, by id (sim/persistent-sets.ts, PorView). */
  *pendingCancels(): Iterable<string> {
    for (const i of this.pendingActions) {
      const a = this.actions[i]!;
      if (a.kind === 'cancel') yield a.id;
    }
  }

  /** The cancels entered and not returned, by id. */
  runningCancels(): Iterable<string> {
    return this.cancelsRunning.keys();
  }

  /** Whether a call made with `sink`, its wrapper or its inner sink has not ended yet. */
  hasOpenCall(sink: string): boolean {
    const inner = innerSink(sink);
    for (const [s, n] of this.openOnSink) if (n > 0 && innerSink(s) === inner) return true;
    return false;
  }

  /** The calls and cancels not made yet that still wait (`after`), with the call each waits for. */
  *waits(): Iterable<{ call?: string; cancel?: string; on: string }> {
    for (const c of this.pendingCalls) if (c.after && !this.satisfied(c.after)) yield { call: c.id, on: afterCall(c.after) };
    for (const i of this.pendingActions) {
      const a = this.actions[i]!;
      if (a.kind === 'cancel' && a.after && !this.satisfied(a.after)) yield { cancel: a.id, on: afterCall(a.after) };
    }
  }

  /** Whether callback `cb` is a final SetStatus still in the sink. */
  isFinalCallback(cb: string): boolean {
    return this.callbacks.get(cb)?.final === true;
  }

  /** Every step enabled now, in a deterministic order. Empty with `nextTimer()` undefined means the run is over. */
  enabled(): Step[] {
    const out: Step[] = [];
    for (const c of this.pendingCalls) {
      if (this.satisfied(c.after)) out.push(this.callSteps.get(c.id)!);
    }
    for (const i of this.pendingActions) {
      const a = this.actions[i]!;
      if (!this.satisfied(a.after)) continue;
      const target = this.insideTargets[i];
      if (target === undefined) {
        out.push(this.actSteps[i]!);
        continue;
      }
      // A cancel action belongs to its CancelAsyncCall, as the broker's steps for it do.
      const cancel = a.kind === 'cancel' ? a.id : undefined;
      // The callbacks it can be taken from inside (no cancel of their own running), in start
      // order: Indicates and progress statuses by the sink a workload names (`sink:ID`) and by
      // SWbemSink (`sw:ID`); final statuses by the sink a workload names (`final:ID`).
      for (const cb of this.callbacks.values()) {
        if (cb.innerCancel || (cb.target !== target && cb.swTarget !== target)) continue;
        out.push(this.insideStep(i, cb, cancel));
      }
    }
    for (const cb of this.callbacks.values()) {
      if (!cb.innerCancel && !cb.held && !cb.model && this.now >= cb.notBefore) out.push(cb.step);
    }
    this.client?.enabled(out);
    for (const [call, p] of this.liveProviders) {
      if (p.done) { this.liveProviders.delete(call); continue; }
      if (this.now < p.notBefore) continue;
      out.push(p.left > 0 ? p.produceStep : p.completeStep);
    }
    for (const s of this.broker.enabled()) {
      let step = this.brokerSteps.get(s.id);
      if (!step || step.call !== s.call || step.cancel !== s.cancel) this.brokerSteps.set(s.id, (step = stepOf('broker', s.id, s.call, s.cancel)));
      out.push(step);
    }
    // The watchdog lets a held callback go only when nothing else can happen and the hold has
    // lasted its bound: a broker whose cancel can return is never convicted of waiting (RULES.md item 4).
    if (out.length === 0) {
      for (const cb of this.callbacks.values()) {
        if (cb.held && !cb.innerCancel && this.now >= cb.heldSince + this.options.watchdog) out.push(stepOf('watchdog', cb.cb, cb.call));
      }
    }
    return out;
  }

  /**
   * The `act:` step of action `i` taken from inside callback `cb`, made once per callback id and
   * action (frozen, so saved states share it); remade if a broker reuses a callback id for
   * another call.
   */
  private insideStep(i: number, cb: Callback, cancel: string | undefined): Step {
    let steps = this.insideSteps.get(cb.cb);
    if (!steps) this.insideSteps.set(cb.cb, (steps = []));
    let step = steps[i];
    if (!step || step.call !== cb.call || step.cancel !== cancel) steps[i] = step = fixedStep('act', `${i}:${cb.cb}`, cb.call, cancel);
    return step;
  }

  /** The earliest virtual time at which a step now waiting on time becomes enabled. */
  nextTimer(): number | undefined {
    let t: number | undefined;
    const at = (x: number) => { if (x > this.now && (t === undefined || x < t)) t = x; };
    for (const cb of this.callbacks.values()) {
      if (cb.innerCancel || cb.model) continue;
      at(cb.held ? cb.heldSince + this.options.watchdog : cb.notBefore);
    }
    const woken = this.client?.nextTimer(this.now);
    if (woken !== undefined) at(woken);
    for (const p of this.liveProviders.values()) if (!p.done && !(p.kind === 'event' && p.left === 0)) at(p.notBefore);
    return t;
  }

  /** Advances virtual time to `t` (nothing was enabled before it). */
  advanceTo(t: number): void {
    this.now = t;
  }

  /** Takes one enabled step. */
  take(step: Step): void {
    this.now++;
    const arg = step.id;
    switch (step.kind) {
      case 'call': this.issueCall(this.callById.get(arg)!); break;
      case 'act': this.runAction(arg); break;
      case 'return': this.returnCallback(this.callbacks.get(arg)!); break;
      case 'watchdog': {
        const cb = this.callbacks.get(arg)!;
        cb.held = false;
        cb.notBefore = this.now;
        this.emit({ type: 'hold.released', cb: cb.cb, by: 'watchdog' });
        break;
      }
      case 'produce': this.produce(arg); break;
      case 'complete': this.complete(arg); break;
      case 'broker': this.apply(this.broker.step(arg)); break;
      case 'client': this.client!.step(arg); break;
      default: throw new Error(`unknown step ${String((step as Step).key)}`);
    }
    this.noteIdle();
  }

  /**
   * RELEASE-PROMPTLY is about the broker's quiescence: when the broker has no enabled step while
   * it holds a reference to a sink whose calls have all ended, it will not release it by itself.
   * Written once per idle stretch (a repeat adds nothing while nothing else happened).
   */
  private noteIdle(): void {
    if (this.idleCandidates.size === 0) return;
    // A reference that carries a callback still in the sink is owed to that delivery.
    let owed = true;
    for (const sink of this.idleCandidates) {
      let busy = false;
      for (const cb of this.callbacks.values()) if (cb.sink === sink) { busy = true; break; }
      if (!busy) { owed = false; break; }
    }
    if (owed || this.broker.enabled().length > 0) return;
    if ((this.events.at(-1) as { type?: string } | undefined)?.type === 'broker.idle') return;
    this.emit({ type: 'broker.idle' });
  }

  private isIdleCandidate(sink: string): boolean {
    return (this.brokerRefs.get(sink) ?? 0) > 0 && this.openOnSink.get(sink) === 0;
  }

  /** Applies `change` to the bookkeeping of `sink` and keeps `idleCandidates` in step. */
  private track(sink: string, change: () => void): void {
    change();
    if (this.isIdleCandidate(sink)) this.idleCandidates.add(sink);
    else this.idleCandidates.delete(sink);
  }

  /** A call ended (final status returned, or the method failed): its sink may now await release. */
  private callEnded(call: string): void {
    const sink = this.sinkOfCall.get(call);
    if (sink === undefined || this.ended.has(call)) return;
    this.ended.add(call);
    this.track(sink, () => this.openOnSink.set(sink, (this.openOnSink.get(sink) ?? 1) - 1));
  }

  /**
   * The sink a call entered with really reaches: the spec (or client model) sink behind the
   * pointer passed, a wrapper and its inner sink being one, an SWbemSink's sinks its own;
   * undefined before the call is entered or when it passed NULL.
   */
  sinkOwnerOfCall(call: string): string | undefined {
    const p = this.sinkOfCall.get(call);
    if (p === undefined) return undefined;
    return this.scripting.owns(p) ? p.slice(0, p.lastIndexOf('.')) : this.owner.get(p) ?? p;
  }

  /** Why the world stopped when no step is enabled: quiescent, or a deadlock (something still waits). */
  stuck(): string | undefined {
    const waiting: string[] = [];
    for (const [k, c] of this.cancelsRunning) waiting.push(`CancelAsyncCall ${k}${c.fromCallback ? ` (from inside ${c.fromCallback})` : ''} never returned`);
    for (const c of this.calls) if (this.issued.has(c.id) && !this.returned.has(c.id)) waiting.push(`${c.op} ${c.id} never returned`);
    for (const cb of this.callbacks.values()) if (cb.innerCancel) waiting.push(`callback ${cb.cb} waits for its own cancel`);
    if (this.client) waiting.push(...this.client.stuck());
    return waiting.length ? waiting.join('; ') : undefined;
  }

  /** A canonical key of the world's state for exhaustive search (no history, no sequence numbers). */
  stateKey(order?: KeyOrder): string {
    // A held callback's timer is its watchdog deadline, not notBefore: equal keys must fire the watchdog alike.
    const cbs = [...this.callbacks.values()].map((c) => `${c.cb}/${c.held ? 'h' : ''}${c.holdDone ? 'd' : ''}${c.innerCancel ?? ''}/${Math.max(0, (c.held ? c.heldSince + this.options.watchdog : c.notBefore) - this.now)}`);
    const provs = [...this.providers].map(([k, p]) => `${k}/${p.left}/${p.done ? 1 : 0}/${Math.max(0, p.notBefore - this.now)}`);
    // Sorted: sets filled in a different order are the same state.
    const sorted = (xs: Iterable<unknown>) => joinSorted(xs, ',', order);
    return [
      sorted(this.issued), sorted(this.returned), sorted(this.finalReturned),
      sorted(this.doneActions), sorted(this.cancelsRunning.keys()), sorted(cbs), sorted(provs),
      sorted([...this.refs].map(([s, n]) => `${s}=${n}`)), this.scripting.stateKey(order), this.broker.stateKey(order),
      this.transportLost ? 'lost' : '',
      ...(this.client ? [this.client.stateKey(this.now)] : []),
    ].join('|');
  }

  private satisfied(after: string | undefined): boolean {
    if (!after) return true;
    return after.endsWith('.final') ? this.finalReturned.has(afterCall(after)) : this.returned.has(after);
  }

  /**
   * Records an event, which the world's callers always make afresh: `seq` (numbered in place by
   * the runner) and `t` are added to it, with no copy. A trace that is kept puts `seq` first.
   */
  private emit(e: UnnumberedEvent): void {
    const x = e as UnnumberedEvent & { seq: number; t: number };
    x.seq = 0;
    x.t = this.now;
    this.events.push(x);
  }

  private addRef(sink: string, by: 'client' | 'com' | 'broker' | 'scripting', call?: string): void {
    const n = (this.refs.get(sink) ?? 0) + 1;
    this.refs.set(sink, n);
    if (by === 'broker') this.track(sink, () => this.brokerRefs.set(sink, (this.brokerRefs.get(sink) ?? 0) + 1));
    this.emit(call ? { type: 'sink.addref', sink, count: n, by, call } : { type: 'sink.addref', sink, count: n, by });
  }

  private release(sink: string, by: 'client' | 'com' | 'broker' | 'scripting', call?: string, thread?: string): void {
    const n = (this.refs.get(sink) ?? 0) - 1;
    this.refs.set(sink, n);
    if (by === 'broker') this.track(sink, () => this.brokerRefs.set(sink, (this.brokerRefs.get(sink) ?? 0) - 1));
    const e: UnnumberedEvent = call ? { type: 'sink.release', sink, count: n, by, call } : { type: 'sink.release', sink, count: n, by };
    this.emit(thread ? { ...e, thread } as UnnumberedEvent : e);
    // A stub's last release drops its reference on the inner sink (COM's own).
    const inner = this.owner.get(sink);
    if (n === 0 && inner && inner !== sink) this.release(inner, 'com');
  }

  private issueCall(c: CallSpec): void {
    this.issued.add(c.id);
    this.pendingCalls = this.pendingCalls.filter((x) => x !== c);
    const services = c.services ?? 'svc1';
    const flags = c.flags ?? 0;
    const sink = c.swsink !== undefined ? this.scripting.sinkFor(c.id, c.swsink, services, flags) : c.sink;
    // The query text and language as the recorder writes them: a NULL one is left out.
    const text = {
      ...(typeof c.query === 'string' ? { query: c.query } : {}),
      ...(typeof c.language === 'string' ? { language: c.language } : {}),
    };
    this.emit(c.swsink !== undefined
      ? { type: 'call.entered', call: c.id, op: c.op, services, sink, flags, ...text, swsink: c.swsink, thread: `client:${c.id}` }
      : { type: 'call.entered', call: c.id, op: c.op, services, sink, flags, ...text, thread: `client:${c.id}` });
    if (this.transportLost) {
      this.returned.add(c.id);
      if (this.client) this.clientResults.set(`call:${c.id}`, RPC_E_DISCONNECTED >>> 0);
      this.emit({ type: 'call.returned', call: c.id, hr: RPC_E_DISCONNECTED >>> 0, thread: `client:${c.id}` });
      return;
    }
    if (sink !== null) {
      this.sinkOfCall.set(c.id, sink);
      this.track(sink, () => this.openOnSink.set(sink, (this.openOnSink.get(sink) ?? 0) + 1));
    }
    const target: CallTarget = { provider: PROVIDER_OF[c.op] };
    if (c.startError !== undefined) target.startError = c.startError;
    this.apply(this.broker.input({
      kind: 'call', call: c.id, op: c.op, services, sink, flags,
      ...(c.query !== undefined ? { query: c.query } : {}), ...(c.language !== undefined ? { language: c.language } : {}), target,
    }));
  }

  /** CancelAsyncCall entered, by the client or by the scripting layer. */
  private startCancel(id: string, services: string, pointer: string | null, cbId?: string): void {
    this.cancelsRunning.set(id, { sink: pointer, fromCallback: cbId });
    if (cbId) this.callbacks.get(cbId)!.innerCancel = id;
    this.emit(cbId
      ? { type: 'cancel.entered', cancel: id, services, sink: pointer, fromCallback: cbId, thread: `sink:${cbId}` }
      : { type: 'cancel.entered', cancel: id, services, sink: pointer, thread: `client:${id}` });
    if (this.transportLost) {
      this.apply([{ kind: 'cancel-return', cancel: id, hr: RPC_E_DISCONNECTED }]);
      return;
    }
    this.apply(this.broker.input(cbId
      ? { kind: 'cancel', cancel: id, services, sink: pointer, fromCallback: cbId }
      : { kind: 'cancel', cancel: id, services, sink: pointer }));
  }

  /** The world as a client model's runtime reaches it. */
  private clientHost(): ClientHost {
    return {
      now: () => this.now,
      emit: (e) => this.emit(e),
      createSink: (id, wraps) => {
        this.owner.set(id, wraps ?? id);
        this.emit(wraps ? { type: 'sink.created', sink: id, wraps } : { type: 'sink.created', sink: id });
        this.addRef(id, 'client');
        if (wraps) this.addRef(wraps, 'com');
      },
      addRef: (sink) => this.addRef(sink, 'client'),
      release: (sink, thread) => this.release(sink, 'client', undefined, thread),
      call: (spec, swsink) => {
        const w = this.callById.get(spec.call);
        if (!w) throw new ClientModelError(`the client model makes call ${spec.call}, which the workload ${this.workload.name} does not have`);
        if (this.issued.has(spec.call)) throw new ClientModelError(`the client model makes call ${spec.call} twice`);
        const services = spec.services ?? w.services;
        const flags = spec.flags ?? w.flags;
        this.issueCall({
          ...w, sink: spec.sink, ...(services !== undefined ? { services } : {}), ...(flags !== undefined ? { flags } : {}),
          ...(swsink !== undefined ? { swsink } : { swsink: undefined }),
        });
      },
      callReturn: (call) => this.clientResults.get(`call:${call}`),
      startCancel: (id, services, sink, fromCallback) => this.startCancel(id, services, sink, fromCallback),
      cancelReturn: (id) => this.clientResults.get(`cancel:${id}`),
      swbemCreate: (swsink) => this.scripting.created(swsink),
      swbemCancel: (swsink, fromCallback, completing) => {
        // The CancelAsyncCalls it makes: running now, or already returned.
        const ids = () => [...this.cancelsRunning.keys(), ...[...this.clientResults.keys()].filter((k) => k.startsWith('cancel:')).map((k) => k.slice(7))];
        const before = new Set(ids());
        this.scripting.cancel(swsink, fromCallback, completing);
        return ids().filter((k) => !before.has(k));
      },
      swbemNothing: (swsink) => this.scripting.nothing(swsink),
      releaseServices: (services) => this.releaseServices(services),
      returnCallback: (cb, ret) => this.returnCallback(this.callbacks.get(cb)!, ret),
      callbacksOf: (call) => [...this.callbacks.values()].filter((c) => call === undefined || c.call === call).map((c) => c.cb),
      cancelTargets: () => this.calls.filter((c) => this.issued.has(c.id) && !this.ended.has(c.id)).map((c) => c.id),
    };
  }

  /** A callback started on a sink of the client model: its thread will run the handler and return it. */
  private toClient(o: Extract<BrokerOutput, { kind: 'indicate' | 'set-status' }>, final: boolean): void {
    const owner = this.scripting.owns(o.sink) ? o.sink.slice(0, o.sink.lastIndexOf('.')) : this.owner.get(o.sink) ?? o.sink;
    if (!this.client!.owns(owner)) return;
    this.callbacks.get(o.cb)!.model = true;
    this.client!.callbackStarted({
      cb: o.cb, call: o.call, sink: o.sink, owner, kind: o.kind === 'indicate' ? 'indicate' : 'setstatus', final,
      count: o.kind === 'indicate' ? o.count : 0, lFlags: o.kind === 'set-status' ? o.lFlags : 0, hResult: o.kind === 'set-status' ? o.hResult >>> 0 : 0,
    });
  }

  private releaseServices(services: string): void {
    this.emit({ type: 'services.release.entered', services });
    this.apply(this.broker.input({ kind: 'services-released', services }));
    this.emit({ type: 'services.release.returned', services });
  }

  private runAction(arg: string): void {
    const [indexText, cbId] = arg.split(':') as [string, string | undefined];
    const i = Number(indexText);
    const a = this.actions[i]!;
    this.doneActions.add(i);
    this.pendingActions = this.pendingActions.filter((x) => x !== i);
    if (a.kind === 'cancel') {
      const spec = a.sink ? this.sinks.get(a.sink) : undefined;
      const pointer = a.sink === null ? null : spec && spec.wrapped && !a.inner ? passedSink(spec) : a.sink;
      this.startCancel(a.id, a.services ?? 'svc1', pointer, cbId);
    } else if (a.kind === 'swbem-cancel') {
      this.scripting.cancel(a.swsink, cbId);
    } else if (a.kind === 'swbem-nothing') {
      this.scripting.nothing(a.swsink);
    } else if (a.kind === 'transport-loss') {
      this.transportLost = true;
      this.emit({ type: 'marker.transport-lost' });
    } else if (a.kind === 'release-sink') {
      const spec = this.sinks.get(a.sink)!;
      if (spec.wrapped) this.release(passedSink(spec), 'client');
      this.release(a.sink, 'client');
    } else this.releaseServices(a.services);
  }

  private returnCallback(cb: Callback, modelRet?: number): void {
    this.callbacks.delete(cb.cb);
    const spec = this.sinks.get(this.owner.get(cb.sink) ?? cb.sink);
    const behaviour = spec?.behaviour ?? 'fast';
    const ret = modelRet !== undefined ? modelRet : (behaviour === 'fail-indicate' && cb.kind === 'indicate') || (behaviour === 'fail-setstatus' && cb.kind === 'setstatus') ? WBEM_E_FAILED : S_OK;
    this.emit({ type: cb.kind === 'indicate' ? 'indicate.returned' : 'setstatus.returned', cb: cb.cb, ret, thread: `sink:${cb.cb}` });
    if (cb.final) {
      this.finalReturned.add(cb.call);
      this.callEnded(cb.call);
      this.scripting.finalReturned(cb.sink);
    }
    this.apply(this.broker.input({ kind: 'callback-returned', cb: cb.cb, ret }));
  }

  /**
   * CALLBACK-AUTH-LEVEL: with the broker in another process, the level the callback reached the
   * sink at. A local callback without Kerberos always comes at NONE; otherwise at the level the
   * broker states (none is marked when it states none).
   */
  private markAuthLevel(cb: string): void {
    const remote = this.workload.outOfProcess;
    if (!remote) return;
    const level = remote.local ? RPC_C_AUTHN_LEVEL_NONE : this.broker.info.callbackAuthLevel;
    if (level === undefined) return;
    this.emit({
      type: 'marker.auth-level', cb, level,
      ...(remote.local ? { local: true } : {}), ...(remote.anonymousCallbacks ? { anonymousAllowed: true } : {}),
    });
  }

  private produce(call: string): void {
    const p = this.providers.get(call)!;
    const count = p.kind === 'event' || p.kind === 'instance' ? 1 : p.left;
    p.left -= count;
    p.notBefore = this.options.untimedProviders ? this.now : this.now + 1;
    this.emit({ type: 'provider.produced', call, count });
    this.apply(this.broker.input({ kind: 'provider-produced', call, count }));
    // An event provider never completes: after its last event it goes quiet (NOTIFICATION-NEVER-COMPLETES).
    if (p.kind === 'event' && p.left === 0) p.done = true;
  }

  private complete(call: string): void {
    const p = this.providers.get(call)!;
    p.done = true;
    const hr = p.spec.result ?? S_OK;
    this.emit({ type: 'provider.completed', call, hr });
    this.apply(this.broker.input({ kind: 'provider-completed', call, hr }));
  }

  private startProvider(call: string): void {
    const spec = this.callById.get(call)!;
    const kind = PROVIDER_OF[spec.op];
    const left = kind === 'instance' || kind === 'event' ? spec.objects ?? 2 : kind === 'object' || kind === 'method' ? 1 : 0;
    const delay = this.options.untimedProviders ? 0 : kind === 'method' ? spec.duration ?? 5 : 1;
    const p: Provider = {
      kind, spec, left, notBefore: this.now + delay, done: kind === 'event' && left === 0,
      produceStep: fixedStep('produce', call, call), completeStep: fixedStep('complete', call, call),
    };
    this.providers.set(call, p);
    if (!p.done) this.liveProviders.set(call, p);
    this.emit({ type: 'provider.started', call, kind });
  }

  /** Turns a broker's outputs into trace events and world state, in order. */
  private apply(outputs: BrokerOutput[]): void {
    for (const o of outputs) {
      switch (o.kind) {
        case 'call-return':
          this.returned.add(o.call);
          if (this.client) this.clientResults.set(`call:${o.call}`, o.hr >>> 0);
          if (failed(o.hr)) this.callEnded(o.call);
          this.emit({ type: 'call.returned', call: o.call, hr: o.hr >>> 0, thread: `client:${o.call}` });
          break;
        case 'cancel-return': {
          const running = this.cancelsRunning.get(o.cancel);
          this.cancelsRunning.delete(o.cancel);
          if (this.client) this.clientResults.set(`cancel:${o.cancel}`, o.hr >>> 0);
          this.emit({ type: 'cancel.returned', cancel: o.cancel, hr: o.hr >>> 0, thread: running?.fromCallback ? `sink:${running.fromCallback}` : `client:${o.cancel}` });
          this.scripting.cancelReturned(o.cancel, o.hr);
          if (running?.fromCallback) {
            const cb = this.callbacks.get(running.fromCallback);
            if (cb) { cb.innerCancel = undefined; cb.notBefore = this.now; }
          }
          // The client holds a callback until a cancel with its sink has returned; while any other
          // cancel still runs it keeps holding, since a held callback's return bounds every running
          // cancel's p (RULES.md item 1) and must not cut a window the broker is still inside.
          for (const cb of this.callbacks.values()) {
            if (cb.held && running && running.sink !== null && this.owner.get(cb.sink) === this.owner.get(running.sink)) cb.holdDone = true;
          }
          if (this.cancelsRunning.size === 0) {
            for (const cb of this.callbacks.values()) {
              if (!cb.held || !cb.holdDone) continue;
              cb.held = false;
              cb.notBefore = this.now;
              this.emit({ type: 'hold.released', cb: cb.cb, by: 'cancel-returned' });
            }
          }
          break;
        }
        case 'addref': this.addRef(o.sink, 'broker', o.call); break;
        case 'release': this.release(o.sink, 'broker', o.call); break;
        case 'indicate':
        case 'set-status': {
          if (this.transportLost) {
            // The callback never reaches the client: the broker's call into the sink fails.
            this.apply(this.broker.input({ kind: 'callback-returned', cb: o.cb, ret: RPC_E_DISCONNECTED }));
            break;
          }
          const spec = this.sinks.get(this.owner.get(o.sink) ?? o.sink);
          const final = o.kind === 'set-status' && o.lFlags !== WBEM_STATUS_PROGRESS;
          const held = spec?.behaviour === (final ? 'hold-final' : 'hold');
          const delay = spec?.behaviour === 'slow' ? spec.delay ?? 3 : 0;
          const target = `${final ? 'final' : 'sink'}:${this.owner.get(o.sink)}`;
          const swTarget = !final && this.scripting.owns(o.sink) ? `sw:${o.sink.slice(0, o.sink.lastIndexOf('.'))}` : undefined;
          this.callbacks.set(o.cb, {
            cb: o.cb, call: o.call, sink: o.sink, kind: o.kind === 'indicate' ? 'indicate' : 'setstatus', final, held, heldSince: this.now, notBefore: this.now + delay,
            step: fixedStep('return', o.cb, o.call), target, swTarget,
            // Present from the start: one shape for every callback, read at every step by the enabled set.
            innerCancel: undefined, holdDone: undefined, model: undefined,
          });
          const extra = held ? { held: true, hold: 'until-cancel' as const, holdBound: this.options.watchdog } : {};
          if (o.kind === 'indicate') this.emit({ type: 'indicate.entered', cb: o.cb, sink: o.sink, call: o.call, count: o.count, ...extra, thread: `sink:${o.cb}` });
          else this.emit({ type: 'setstatus.entered', cb: o.cb, sink: o.sink, call: o.call, lFlags: o.lFlags, hResult: o.hResult >>> 0, errorObject: o.errorObject, ...extra, thread: `sink:${o.cb}` });
          this.markAuthLevel(o.cb);
          if (this.scripting.owns(o.sink)) {
            this.scripting.callback(o.sink, o.kind === 'indicate' ? 'indicate' : 'setstatus', o.kind === 'indicate' ? o.count : 0, o.kind === 'set-status' ? o.lFlags : 0, o.kind === 'set-status' ? o.hResult : 0);
          }
          if (this.client) this.toClient(o, final);
          break;
        }
        case 'provider-start': this.startProvider(o.call); break;
        case 'provider-cancel': {
          const p = this.providers.get(o.call);
          const supported = p && p.kind !== 'method' && !p.spec.cancelUnsupported && !p.done;
          const answer = supported ? S_OK : WBEM_E_NOT_AVAILABLE;
          this.emit({ type: 'provider.cancel-requested', call: o.call, answer });
          if (supported) { p.done = true; this.emit({ type: 'provider.stopped', call: o.call }); }
          this.apply(this.broker.input({ kind: 'provider-cancel-answer', call: o.call, hr: answer }));
          break;
        }
        case 'provider-abort': {
          const p = this.providers.get(o.call);
          if (p && !p.done) { p.done = true; this.emit({ type: 'provider.stopped', call: o.call }); }
          break;
        }
        case 'cancel-processed': this.emit({ type: 'annotation.cancel-processed', cancel: o.cancel, calls: o.calls }); break;
        case 'final-decided': this.emit({ type: 'annotation.final-decided', call: o.call, hResult: o.hResult >>> 0 }); break;
      }
    }
  }
}

