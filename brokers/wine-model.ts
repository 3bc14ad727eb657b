/**
 * A behavioural model of Wine's wbemprox (Wine 8.0; ReactOS ships the same code), written from the
 * facts observed in IMPLEMENTATIONS.md section 1, in wbemsim's own code. `--impl wine` runs it;
 * `--impl wine:wrappers` is the same model handed unsecured-apartment wrappers (see below).
 *
 * Its design, fact by fact (quoted from IMPLEMENTATIONS.md section 1):
 * - "One operation slot per IWbemServices object, not freed by completion": a second async call
 *   fails at once with WBEM_E_FAILED while the first runs and after it finished, until
 *   CancelAsyncCall frees the slot or the object is released. Other IWbemServices objects have
 *   their own slot, so their calls run concurrently.
 * - An accepted ExecQueryAsync does QueryInterface +1, AddRef +1, Release −1 on the caller's
 *   thread (one reference kept); a refused one QI then Release (net 0); unimplemented methods never
 *   touch the sink. ExecMethodAsync, DeleteInstanceAsync, GetObjectAsync, PutInstanceAsync,
 *   CreateInstanceEnumAsync (and CreateClassEnumAsync) → WBEM_E_FAILED at once, no callbacks.
 * - A worker thread delivers one Indicate per object (lObjectCount = 1), then SetStatus(0, S_OK);
 *   never two callbacks of one call at once; callbacks may precede the method's return. Query
 *   errors come through the final status, not the return value. No progress status, ever.
 * - The sink reference is kept after the final status, until CancelAsyncCall or the release of the
 *   IWbemServices object.
 * - CancelAsyncCall(NULL) → WBEM_E_INVALID_PARAMETER; any sink while the slot is empty → the same.
 *   With the slot occupied, "CancelAsyncCall ignores which sink it is given", and "waits for the
 *   operation to finish", including a callback the client blocks, delivers the remaining Indicates
 *   and the normal final SetStatus(S_OK), releases, then returns S_OK. WBEM_E_CALL_CANCELLED is
 *   never sent.
 * - CancelAsyncCall from inside Indicate or SetStatus deadlocks ("the worker waits for itself"):
 *   under the virtual scheduler no step is enabled while that cancel is pending, and the world ends
 *   the run with a deadlock, never a wall-clock hang.
 * - Releasing the IWbemServices object while a call runs waits for it, delivers everything, then
 *   releases the sink.
 * - Indicate returning WBEM_E_FAILED is ignored. No CoInitializeSecurity: completes normally.
 * - ExecNotificationQueryAsync "behaves like a query and completes by itself": the model ends it
 *   at once with S_OK and no object (`SELECT * FROM __InstanceCreationEvent`), or with the
 *   query's error when the workload gives one (the usual `WITHIN` query ends with
 *   WBEM_E_INVALID_QUERY); no event is ever delivered, no event provider is started.
 * - "IUnsecuredApartment is not registered (REGDB_E_CLASSNOTREG)": a Wine client cannot create a
 *   wrapper, so a workload that passes one describes a call that never happens on Wine. By default
 *   the model answers such a call with REGDB_E_CLASSNOTREG (the client's CoCreateInstance failure,
 *   surfaced at the call so that the trace says why nothing ran). With `wrappers: true` it takes a
 *   wrapper like any sink, which shows what its cancel design does to a client that cancels with
 *   the inner sink: the cancel works, hiding that client bug (CANCEL-SAME-POINTER).
 * - "ExecQueryAsync(NULL language, NULL query) returns S_OK and never calls the sink (it releases
 *   the sink before returning; the slot stays free)": with the slot free, a call whose query is
 *   NULL takes the sink like an accepted one (QueryInterface +1, AddRef +1), drops the operation
 *   it could not fill in (Release −1), releases the QueryInterface reference (Release −1) and
 *   returns S_OK; nothing is started. The language is never looked at. ExecNotificationQueryAsync
 *   takes the same path in wbemprox and is modelled alike (only ExecQueryAsync was recorded).
 */
import { StateSnapshotter, type SavedState } from '../specs/state-snapshot.ts';
import type { BrokerAdapter, BrokerInput, BrokerOutput, BrokerStep, RunSetup } from '../sim/broker-adapter.ts';
import { isWrapper } from '../sim/workload.ts';
import { ImplError, registerImpl, registerImplForm } from './registry.ts';
import type { Operation } from '../trace/event.ts';
import {
  REGDB_E_CLASSNOTREG, S_OK, WBEM_E_FAILED, WBEM_E_INVALID_PARAMETER, WBEM_STATUS_COMPLETE, failed,
} from '../trace/hresult.ts';

/** Options of the Wine model. */
export interface WineModelOptions {
  /** Accept unsecured-apartment wrappers as plain sinks (IUnsecuredApartment is not registered on Wine). */
  wrappers?: boolean;
}

/** The operations wbemprox implements asynchronously; the others answer WBEM_E_FAILED at once. */
const IMPLEMENTED: readonly Operation[] = ['ExecQueryAsync', 'ExecNotificationQueryAsync'];

/** The one operation of an IWbemServices object's slot. */
interface WineOp {
  call: string;
  services: string;
  sink: string;
  returned: boolean;
  /** Objects produced and not yet indicated. */
  queued: number;
  /** The final status to send once the queue is empty (the provider's result, or the query's error). */
  result?: number;
  /** The callback running in the sink (Indicate or the final SetStatus). */
  callback?: string;
  finalSent: boolean;
  /** The final SetStatus returned: the worker is done (the slot stays occupied). */
  done: boolean;
  /** The broker still holds its sink reference. */
  holds: boolean;
  cbCount: number;
}

interface WineCancel {
  cancel: string;
  /** The operation the cancel waits for: whatever occupied the slot, whichever sink was given. */
  op: WineOp;
}

/** The Wine 8.0 broker model (IMPLEMENTATIONS.md section 1). */
export class WineModel implements BrokerAdapter {
  readonly info;
  /** Call ids are names only here, and the key names every operation (sim/symmetry.ts). */
  readonly symmetric = true;
  private readonly wrappers: boolean;
  private ops = new Map<string, WineOp>();
  /** IWbemServices object → the operation holding its slot. */
  private slots = new Map<string, WineOp>();
  private cancels = new Map<string, WineCancel>();
  /** IWbemServices objects the client released; their slot is freed once the operation is done. */
  private releasedServices = new Set<string>();

  constructor(options: WineModelOptions = {}) {
    this.wrappers = options.wrappers ?? false;
    this.info = { name: this.wrappers ? 'wine (wrappers accepted)' : 'wine', version: '8.0 (model)', inProcess: true };
  }


  /** A copy of the broker's state, for stateful search (BrokerAdapter.snapshot). */
  snapshot(): unknown {
    return this.snapshots().save();
  }

  restore(s: unknown, last = false): void {
    this.snapshots().restore(s as SavedState, last);
  }

  private snapshotter?: StateSnapshotter;
  private snapshots(): StateSnapshotter {
    return (this.snapshotter ??= new StateSnapshotter([this], [this.info]));
  }

  reset(_setup: RunSetup): void {
    // "No CoInitializeSecurity: completes normally (in-process)": the setup changes nothing.
    this.ops = new Map();
    this.slots = new Map();
    this.cancels = new Map();
    this.releasedServices = new Set();
  }

  input(msg: BrokerInput): BrokerOutput[] {
    const out: BrokerOutput[] = [];
    switch (msg.kind) {
      case 'call': this.onCall(msg, out); break;
      case 'cancel': this.onCancel(msg, out); break;
      case 'callback-returned': this.onCallbackReturned(msg.cb); break;
      case 'provider-produced': {
        const op = this.ops.get(msg.call);
        if (op) op.queued += msg.count;
        break;
      }
      case 'provider-completed': {
        const op = this.ops.get(msg.call);
        if (op) op.result = msg.hr;
        break;
      }
      case 'provider-cancel-answer': break; // never asked: Wine has no provider cancellation
      case 'services-released':
        // The release waits for the running operation; `srel:` lets go once it is done.
        this.releasedServices.add(msg.services);
        break;
    }
    return out;
  }

  enabled(): BrokerStep[] {
    const steps: BrokerStep[] = [];
    for (const op of this.ops.values()) {
      const c = op.call;
      if (!op.returned) steps.push({ id: `ret:${c}`, call: c });
      if (op.callback === undefined && !op.finalSent) {
        // The worker: one object per Indicate, then the final status once everything is out.
        if (op.queued > 0) steps.push({ id: `ind:${c}`, call: c });
        else if (op.result !== undefined) steps.push({ id: `fin:${c}`, call: c });
      }
    }
    for (const k of this.cancels.values()) if (k.op.done) steps.push({ id: `cr:${k.cancel}`, call: k.op.call, cancel: k.cancel });
    for (const svc of this.releasedServices) {
      const op = this.slots.get(svc);
      if (op?.done) steps.push({ id: `srel:${svc}`, call: op.call });
    }
    return steps;
  }

  step(id: string): BrokerOutput[] {
    const out: BrokerOutput[] = [];
    const colon = id.indexOf(':');
    const kind = id.slice(0, colon);
    const arg = id.slice(colon + 1);
    switch (kind) {
      case 'ret': {
        const op = this.ops.get(arg)!;
        op.returned = true;
        out.push({ kind: 'call-return', call: arg, hr: S_OK });
        break;
      }
      case 'ind': {
        const op = this.ops.get(arg)!;
        op.queued--;
        op.callback = `${arg}#${++op.cbCount}`;
        out.push({ kind: 'indicate', cb: op.callback, call: arg, sink: op.sink, count: 1 });
        break;
      }
      case 'fin': {
        const op = this.ops.get(arg)!;
        op.finalSent = true;
        op.callback = `${arg}#${++op.cbCount}f`;
        const hr = op.result!;
        out.push({ kind: 'final-decided', call: arg, hResult: hr });
        out.push({ kind: 'set-status', cb: op.callback, call: arg, sink: op.sink, lFlags: WBEM_STATUS_COMPLETE, hResult: hr, errorObject: failed(hr) });
        break;
      }
      case 'cr': {
        // The operation is over: release the sink it kept, free the slot, then return S_OK.
        const k = this.cancels.get(arg)!;
        this.cancels.delete(arg);
        this.free(k.op, out);
        out.push({ kind: 'cancel-return', cancel: arg, hr: S_OK });
        break;
      }
      case 'srel': {
        this.releasedServices.delete(arg);
        const op = this.slots.get(arg);
        if (op) this.free(op, out);
        break;
      }
      default: throw new Error(`wine model: unknown step ${id}`);
    }
    return out;
  }

  stateKey(): string {
    const parts: string[] = [];
    for (const op of this.ops.values()) {
      parts.push(`${op.call}:${op.services}:${op.returned ? 1 : 0}${op.queued},${op.result ?? ''},${op.callback ?? ''},${op.finalSent ? 1 : 0}${op.done ? 1 : 0}${op.holds ? 1 : 0}`);
    }
    for (const [svc, op] of this.slots) parts.push(`slot:${svc}=${op.call}`);
    for (const k of this.cancels.values()) parts.push(`${k.cancel}>${k.op.call}`);
    parts.push(`rel:${[...this.releasedServices].join(',')}`);
    return parts.join(';');
  }

  private onCall(msg: Extract<BrokerInput, { kind: 'call' }>, out: BrokerOutput[]): void {
    const reply = (hr: number) => out.push({ kind: 'call-return', call: msg.call, hr });
    if (msg.sink === null) return void reply(WBEM_E_INVALID_PARAMETER);
    if (!IMPLEMENTED.includes(msg.op)) return void reply(WBEM_E_FAILED);
    if (!this.wrappers && isWrapper(msg.sink)) return void reply(REGDB_E_CLASSNOTREG);
    if (this.slots.has(msg.services) || this.releasedServices.has(msg.services)) {
      // QueryInterface then Release: the sink was touched, no reference kept.
      out.push({ kind: 'addref', sink: msg.sink, call: msg.call }, { kind: 'release', sink: msg.sink, call: msg.call });
      return void reply(WBEM_E_FAILED);
    }
    if (msg.query === null) {
      // The query text cannot be copied: the operation is dropped, its reference with it, and the
      // method returns the QueryInterface's S_OK without starting anything.
      out.push(
        { kind: 'addref', sink: msg.sink, call: msg.call },
        { kind: 'addref', sink: msg.sink, call: msg.call },
        { kind: 'release', sink: msg.sink, call: msg.call },
        { kind: 'release', sink: msg.sink, call: msg.call },
      );
      return void reply(S_OK);
    }
    const op: WineOp = {
      call: msg.call, services: msg.services, sink: msg.sink, returned: false, queued: 0,
      finalSent: false, done: false, holds: true, cbCount: 0,
    };
    this.ops.set(msg.call, op);
    this.slots.set(msg.services, op);
    // QueryInterface +1, AddRef +1, Release −1 on the caller's thread: one reference kept.
    out.push(
      { kind: 'addref', sink: msg.sink, call: msg.call },
      { kind: 'addref', sink: msg.sink, call: msg.call },
      { kind: 'release', sink: msg.sink, call: msg.call },
    );
    if (msg.op === 'ExecNotificationQueryAsync') {
      // Completes by itself like a query with no rows (or with the query's error); no event provider.
      op.result = msg.target.startError ?? S_OK;
    } else if (msg.target.startError !== undefined) {
      // "Query errors come through the final status, not the return value."
      op.result = msg.target.startError;
    } else {
      out.push({ kind: 'provider-start', call: msg.call });
    }
  }

  private onCancel(msg: Extract<BrokerInput, { kind: 'cancel' }>, out: BrokerOutput[]): void {
    const op = msg.sink === null ? undefined : this.slots.get(msg.services);
    if (!op) {
      out.push({ kind: 'cancel-return', cancel: msg.cancel, hr: WBEM_E_INVALID_PARAMETER });
      return;
    }
    // The sink argument is ignored: the cancel waits for whatever holds the slot (`cr:` once done).
    this.cancels.set(msg.cancel, { cancel: msg.cancel, op });
  }

  private onCallbackReturned(cb: string): void {
    const op = this.ops.get(cb.slice(0, cb.lastIndexOf('#')));
    if (!op || op.callback !== cb) return;
    // Whatever the sink returned is ignored (an Indicate failing with WBEM_E_FAILED changes nothing).
    op.callback = undefined;
    if (op.finalSent) op.done = true;
  }

  /** Releases the operation's sink reference (once) and frees its slot. */
  private free(op: WineOp, out: BrokerOutput[]): void {
    if (op.holds) {
      op.holds = false;
      out.push({ kind: 'release', sink: op.sink, call: op.call });
    }
    if (this.slots.get(op.services) === op) this.slots.delete(op.services);
  }
}

/** A fresh Wine model (`--impl wine`). */
export function createWineModel(options: WineModelOptions = {}): WineModel {
  return new WineModel(options);
}

let registered = false;
/**
 * Registers `--impl wine` and `--impl wine:wrappers` (idempotent; done on import of this module).
 * `.NET System.Management` is a client, not a broker (IMPLEMENTATIONS.md section 3): its model
 * comes with the client models, not here.
 */
export function registerWineModel(): void {
  if (registered) return;
  registered = true;
  registerImpl('wine', () => new WineModel());
  registerImplForm('wine', async (arg) => {
    if (arg === 'wrappers') return () => new WineModel({ wrappers: true });
    throw new ImplError(`unknown variant of the Wine model ${JSON.stringify(arg)} (one of: wine, wine:wrappers)`);
  });
}

registerWineModel();
