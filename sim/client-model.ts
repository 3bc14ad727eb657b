/**
 * The harness side of a client model (sim/client-api.ts): its threads, locks and results as
 * plain data, the steps it offers the scheduler (`client:<thread>`), and the hang report.
 *
 * The world owns everything COM and the broker see (sinks and their counts, calls, cancels,
 * callbacks); the runtime reaches it only through `ClientHost`. Its own fields are plain data,
 * so the world's snapshotter saves and restores them with the world; the model object and the
 * host are shared, never copied.
 */
import type { UnnumberedEvent } from '../trace/event.ts';
import { S_OK } from '../trace/hresult.ts';
import type { ClientApi, ClientCallback, ClientCallSpec, ClientModel, ClientThread, ClientWait } from './client-api.ts';
import { stepOf, type Step } from './strategy.ts';
import { wrapperOf, type Workload } from './workload.ts';

/** What the runtime needs from the world. */
export interface ClientHost {
  now(): number;
  emit(e: UnnumberedEvent): void;
  createSink(id: string, wraps?: string): void;
  addRef(sink: string): void;
  /** The client's Release; `thread` names the client thread making it (a callback's `sink:<cb>`). */
  release(sink: string, thread?: string): void;
  call(spec: ClientCallSpec, swsink?: string): void;
  /** Whether the async method of `call` has returned, and with what. */
  callReturn(call: string): number | undefined;
  startCancel(id: string, services: string, sink: string | null, fromCallback?: string): void;
  /** Whether CancelAsyncCall `id` has returned, and with what. */
  cancelReturn(id: string): number | undefined;
  swbemCreate(swsink: string): void;
  /** SWbemSink.Cancel; returns the CancelAsyncCall ids it started. */
  swbemCancel(swsink: string, fromCallback: string | undefined, completing: boolean): string[];
  swbemNothing(swsink: string): void;
  releaseServices(services: string): void;
  returnCallback(cb: string, ret: number): void;
  /** The callbacks in progress on a call, for the hang report. */
  callbacksOf(call: string | undefined): string[];
  /** The calls a running cancel may be waiting for. */
  cancelTargets(cancel: string): string[];
}

/** A model broke the API's contract (a step that neither blocks, moves on nor ends): a defect of the model. */
export class ClientModelError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ClientModelError';
  }
}

export class ClientRuntime {
  /** The model's own state. */
  state: Record<string, unknown> = {};
  readonly threads = new Map<string, ClientThread>();
  /** Lock → the thread holding it. */
  readonly locks = new Map<string, string>();
  /** Sinks (inner sinks and SWbemSinks) whose callbacks reach the model. */
  readonly owned = new Set<string>();
  /** The thread whose step runs now, and whether that step ended (blocked, moved on or exited). */
  private running: string | undefined;
  private ended = false;
  private readonly api: ClientApi;

  constructor(readonly model: ClientModel, readonly host: ClientHost, readonly workload: Workload) {
    this.api = makeApi(this);
  }

  /** What the snapshotter must keep as is. */
  sharedParts(): object[] {
    return [this.model, this.host, this.api];
  }

  start(): void {
    this.running = undefined;
    this.model.start(this.api);
  }

  /** Callbacks on the model's sinks entered and not returned (of `call` when given). */
  inFlight(call?: string): number {
    let n = 0;
    for (const t of this.threads.values()) if (t.cb && (call === undefined || t.cb.call === call)) n++;
    return n;
  }

  /** Whether callbacks on `owner` (an inner sink or an SWbemSink) reach the model. */
  owns(owner: string): boolean {
    return this.owned.has(owner);
  }

  /** A callback started on one of the model's sinks: a thread runs its handler. */
  callbackStarted(cb: ClientCallback): void {
    const id = `sink:${cb.cb}`;
    this.threads.set(id, { id, at: cb.kind, vars: {}, cb });
  }

  enabled(out: Step[]): void {
    for (const t of this.threads.values()) {
      if (this.runnable(t)) out.push(stepOf('client', t.id, t.cb?.call));
    }
  }

  /** The earliest virtual time at which a sleeping thread wakes. */
  nextTimer(now: number): number | undefined {
    let t: number | undefined;
    for (const th of this.threads.values()) {
      const w = th.wait;
      if (w?.kind === 'time' && w.at > now && (t === undefined || w.at < t)) t = w.at;
    }
    return t;
  }

  private runnable(t: ClientThread): boolean {
    const w = t.wait;
    if (!w) return true;
    switch (w.kind) {
      case 'call': return this.host.callReturn(w.call) !== undefined;
      case 'cancel': return this.host.cancelReturn(w.cancel) !== undefined;
      case 'swbem-cancel': return w.cancels.every((c) => this.host.cancelReturn(c) !== undefined);
      case 'time': return this.host.now() >= w.at;
      case 'lock': return !this.locks.has(w.lock);
      case 'until': return this.model.ready?.(w.cond, this.state, t, (call) => this.inFlight(call)) ?? false;
      case 'callbacks': return this.inFlight(w.call) === 0;
    }
  }

  /** One step of thread `id`: its wait ends, then the model runs it to its next blocking point. */
  step(id: string): void {
    const t = this.threads.get(id);
    if (!t) throw new ClientModelError(`no client thread ${id}`);
    const w = t.wait;
    if (w) {
      if (w.kind === 'call') t.hr = this.host.callReturn(w.call);
      else if (w.kind === 'cancel') t.hr = this.host.cancelReturn(w.cancel);
      else if (w.kind === 'swbem-cancel') t.hr = w.cancels.map((c) => this.host.cancelReturn(c)!).find((hr) => hr !== S_OK) ?? S_OK;
      else if (w.kind === 'lock') this.locks.set(w.lock, t.id);
      delete t.wait;
    }
    this.running = id;
    this.ended = false;
    this.model.run(t, this.api);
    if (!this.ended) throw new ClientModelError(`${this.model.name}: the step of thread ${id} at "${t.at}" neither blocked, moved on nor ended`);
    this.running = undefined;
  }

  /** The id of the thread whose step runs now, if any. */
  current(): string | undefined {
    return this.running;
  }

  /** The running thread (throws outside a step: `start` may not block). */
  thread(what: string): ClientThread {
    const t = this.running === undefined ? undefined : this.threads.get(this.running);
    if (!t) throw new ClientModelError(`${this.model.name}: ${what} outside a thread's step`);
    return t;
  }

  block(wait: ClientWait): void {
    const t = this.thread('a blocking operation');
    if (this.ended && t.wait) throw new ClientModelError(`${this.model.name}: thread ${t.id} blocked twice in one step`);
    t.wait = wait;
    this.ended = true;
  }

  goto(at: string): void {
    this.thread('goto').at = at;
    this.ended = true;
  }

  exit(): void {
    const t = this.thread('exit');
    if (t.cb) throw new ClientModelError(`${this.model.name}: callback thread ${t.id} must return from its callback`);
    this.threads.delete(t.id);
    for (const [l, holder] of this.locks) if (holder === t.id) this.locks.delete(l);
    this.ended = true;
  }

  returnFromCallback(ret: number): void {
    const t = this.thread('returnFromCallback');
    if (!t.cb) throw new ClientModelError(`${this.model.name}: thread ${t.id} is not a callback`);
    if (t.wait) throw new ClientModelError(`${this.model.name}: callback thread ${t.id} returned while blocked`);
    this.threads.delete(t.id);
    this.ended = true;
    this.host.returnCallback(t.cb.cb, ret);
  }

  /** A canonical key of the model's state (exhaustive search). */
  stateKey(now: number): string {
    const threads = [...this.threads.values()].map((t) => {
      const w = t.wait;
      const wait = !w ? '' : w.kind === 'time' ? `time+${Math.max(0, w.at - now)}` : JSON.stringify(w);
      return `${t.id}@${t.at}/${wait}/${t.hr ?? ''}/${JSON.stringify(t.vars)}`;
    }).sort();
    return `${JSON.stringify(this.state)}|${threads.join(',')}|${[...this.locks].sort().join(',')}`;
  }

  /**
   * Why the client is stuck when nothing can move: one line per blocked thread, thread → waits on
   * → held by, and the cycle when the holder waits for the thread itself.
   */
  stuck(): string[] {
    const out: string[] = [];
    for (const t of this.threads.values()) {
      const w = t.wait;
      if (!w || this.runnable(t)) continue;
      out.push(`client thread ${t.id} → waits on ${this.waitText(w)} → held by ${this.holder(t, w)}`);
    }
    return out;
  }

  private waitText(w: ClientWait): string {
    switch (w.kind) {
      case 'call': return `the return of async call ${w.call}`;
      case 'cancel': return `the return of CancelAsyncCall ${w.cancel}`;
      case 'swbem-cancel': return `the return of SWbemSink.Cancel on ${w.swsink}`;
      case 'time': return `a timer at t=${w.at}`;
      case 'lock': return `lock ${w.lock}`;
      case 'until': return w.what;
      case 'callbacks': return w.what;
    }
  }

  private holder(t: ClientThread, w: ClientWait): string {
    if (w.kind === 'lock') {
      const h = this.locks.get(w.lock);
      return h ? `client thread ${h}${h === t.id ? ' (itself)' : ''}` : 'nobody';
    }
    if (w.kind === 'cancel' || w.kind === 'swbem-cancel' || w.kind === 'call') {
      const ids = w.kind === 'cancel' ? [w.cancel] : w.kind === 'swbem-cancel' ? w.cancels : [];
      const calls = w.kind === 'call' ? [w.call] : ids.flatMap((c) => this.host.cancelTargets(c));
      const cbs = [...new Set(calls.flatMap((c) => this.host.callbacksOf(c)))];
      if (cbs.length === 0) return 'the broker';
      const mine = cbs.map((cb) => `sink:${cb}`);
      const cycle = mine.includes(t.id) ? ': a cycle, the thread waits for itself' : '';
      return `the broker, which waits for callback ${mine.join(', ')} to return${cycle}`;
    }
    if (w.kind === 'callbacks') {
      const mine = [...this.threads.values()].filter((x) => x.cb && (w.call === undefined || x.cb.call === w.call)).map((x) => x.id);
      if (mine.length === 0) return 'nobody';
      const cycle = mine.includes(t.id) ? ': a cycle, the thread waits for itself' : '';
      return `callback ${mine.join(', ')}, still in flight${cycle}`;
    }
    if (w.kind === 'until') return 'nobody: the condition can no longer become true';
    return 'nobody';
  }
}

/** The API object a model's code calls; every call acts on the runtime's running thread. */
function makeApi(rt: ClientRuntime): ClientApi {
  const host = rt.host;
  return {
    get state() { return rt.state; },
    get workload() { return rt.workload; },
    get now() { return host.now(); },
    inFlight: (call) => rt.inFlight(call),
    createSink(id) {
      rt.owned.add(id);
      host.createSink(id);
    },
    wrap(sink) {
      const stub = wrapperOf(sink);
      host.createSink(stub, sink);
      return stub;
    },
    addRef: (sink) => host.addRef(sink),
    release(sink) {
      const id = rt.current();
      host.release(sink, id?.startsWith('sink:') ? id : undefined);
    },
    spawn(id, at, vars = {}) {
      if (rt.threads.has(id)) throw new ClientModelError(`${rt.model.name}: thread ${id} exists`);
      rt.threads.set(id, { id, at, vars: { ...vars } });
    },
    callAsync(spec) {
      rt.thread('an async call');
      host.call(spec);
      rt.block({ kind: 'call', call: spec.call });
    },
    cancel(id, sink, services = 'svc1') {
      const t = rt.thread('CancelAsyncCall');
      host.startCancel(id, services, sink, t.cb?.cb);
      rt.block({ kind: 'cancel', cancel: id });
    },
    swbemCreate(swsink) {
      rt.owned.add(swsink);
      host.swbemCreate(swsink);
    },
    swbemCall(swsink, call, services, flags) {
      rt.thread('an SWbemSink call');
      host.call({ call, sink: null, ...(services !== undefined ? { services } : {}), ...(flags !== undefined ? { flags } : {}) }, swsink);
      rt.block({ kind: 'call', call });
    },
    swbemCancel(swsink, completing = false) {
      const t = rt.thread('SWbemSink.Cancel');
      const cancels = host.swbemCancel(swsink, t.cb?.cb, completing);
      rt.block({ kind: 'swbem-cancel', swsink, cancels });
    },
    swbemNothing: (swsink) => host.swbemNothing(swsink),
    releaseServices: (services) => host.releaseServices(services),
    sleep(ticks) {
      rt.block({ kind: 'time', at: host.now() + ticks });
    },
    waitUntil(cond, what) {
      rt.block({ kind: 'until', cond, what });
    },
    waitForCallbacks(call, what) {
      rt.block({ kind: 'callbacks', ...(call !== undefined ? { call } : {}), what });
    },
    lock(name) {
      rt.block({ kind: 'lock', lock: name });
    },
    unlock(name) {
      const t = rt.thread('unlock');
      if (rt.locks.get(name) === t.id) rt.locks.delete(name);
    },
    goto: (at) => rt.goto(at),
    exit: () => rt.exit(),
    returnFromCallback: (ret = S_OK) => rt.returnFromCallback(ret),
    saw(what, detail, call) {
      host.emit({ type: 'client.saw', what, ...(call !== undefined ? { call } : {}), ...(detail !== undefined ? { detail } : {}) });
    },
  };
}
