/**
 * The reference broker: implements every `must` rule of RULES.md, and offers every freedom a
 * `may` rule leaves it as an enabled step, so that exploration produces every legal behaviour
 * (the scheduler chooses): when the async method returns (before or after callbacks), how Indicate
 * batches objects, whether to send a progress status, losing a cancel race, stopping a query
 * provider or letting it run, one late in-flight callback, the cancelled final status before or
 * after CancelAsyncCall returns, keeping or dropping an event beyond a notification query's queue limit.
 *
 * Its bookkeeping follows [MS-WMI]'s AsyncOperationTable (one entry per pending operation with
 * the sink pointer and the flags CallbackInProgress, CallCancelled, SetStatusWithFinalResultCalled),
 * and it is built on the lifecycle machine: each entry carries its state in the compiled machine,
 * and the broker never emits an event that the machine rejects in that state.
 */
import { joinSorted, type KeyOrder } from '../trace/key-order.ts';
import { StateSnapshotter, type SavedState } from '../specs/state-snapshot.ts';
import type { BrokerAdapter, BrokerInput, BrokerOutput, BrokerStep, RunSetup } from '../sim/broker-adapter.ts';
import { compiledMachine } from '../specs/compiled-machine.ts';
import type { CallEventType } from '../specs/lifecycle-machine.ts';
import type { Operation } from '../trace/event.ts';
import {
  failed, S_OK, WBEM_E_CALL_CANCELLED, WBEM_E_INVALID_PARAMETER, WBEM_E_NOT_FOUND, WBEM_FLAG_SEND_STATUS,
  WBEM_STATUS_COMPLETE, WBEM_STATUS_PROGRESS,
} from '../trace/hresult.ts';

/** One AsyncOperationTable entry. */
export interface Entry {
  call: string;
  op: Operation;
  services: string;
  sink: string;
  flags: number;
  method: boolean;
  /** State in the compiled lifecycle machine. */
  m: number;
  returned: boolean;
  /** Objects produced by the provider and not yet delivered. */
  queued: number;
  total: number;
  /** The provider's result once it completed. */
  result?: number;
  /** CallbackInProgress: the id of the Indicate or progress SetStatus running, if any. */
  callback?: string;
  /** CallCancelled. */
  cancelled: boolean;
  /** Cancelled by the client's CancelAsyncCall (not by a sink error or a services release). */
  clientCancelled: boolean;
  /** SetStatusWithFinalResultCalled. */
  finalCalled: boolean;
  finalCb?: string;
  finalReturned: boolean;
  /** The stored reference (taken at acceptance, named by the call in the trace). */
  stored: boolean;
  progressSent: number;
  /** One late in-flight Indicate is still allowed (the cancel found no callback running). */
  lateAllowed: boolean;
  /** Provider output after a cancel is dropped. */
  discard: boolean;
  /** The client's security refused the callbacks. */
  refused: boolean;
  /** The final status decided (d), entered by the `enter:` step. */
  finalHr?: number;
  /** This entry's step objects, made once (see `stepIdsOf`). */
  stepIds?: ReturnType<typeof stepIdsOf>;
  /** The late delivery in progress, whose temporary reference goes when it returns. */
  lateCb?: string;
  /** Temporary references of deliveries. */
  temps: number;
  cbCount: number;
  /** Undelivered events beyond EVENT_QUEUE_LIMIT that the broker decided to keep. */
  kept: number;
}

interface PendingCancel {
  cancel: string;
  services: string;
  sink: string;
  processed: boolean;
  hr: number;
}

/**
 * EVENTS-MAY-BE-DROPPED: the undelivered events a notification query's queue holds without
 * pressure. For each event beyond it (the provider produces faster than the client's sink takes
 * events) the broker may keep it, slowing down (the `keep` step), or drop it (the `drop` step).
 */
export const EVENT_QUEUE_LIMIT = 4;

/** Options of the reference broker's behaviour, used by mutants to plant faults. */
export interface ReferenceOptions {
  name?: string;
  version?: string;
  /** BrokerInfo.callbackAuthLevel; RPC_C_AUTHN_LEVEL_PKT_PRIVACY by default. */
  callbackAuthLevel?: number;
}

/**
 * CALLBACK-AUTH-LEVEL: "The callback is always initiated at the RPC_C_AUTHN_LEVEL_PKT_PRIVACY
 * level" (Setting Security on an Asynchronous Call). WMI lowers it only when a callback fails at
 * that level; the simulated client accepts every level, so the broker keeps it.
 */
export const RPC_C_AUTHN_LEVEL_PKT_PRIVACY = 6;

export class ReferenceBroker implements BrokerAdapter {
  readonly info;
  /** Call ids are names only here, and the key names every entry (sim/symmetry.ts). */
  readonly symmetric = true;
  protected readonly machine = compiledMachine();
  protected entries = new Map<string, Entry>();
  /** Entries that may still offer a step, in acceptance order (the enabled set walks only these). */
  protected active = new Map<string, Entry>();
  protected cancels = new Map<string, PendingCancel>();
  /** Sink pointers ever accepted in an async call (CANCEL-UNKNOWN-SINK-ERROR). */
  protected accepted = new Set<string>();
  protected setup: RunSetup = { security: true };

  constructor(options: ReferenceOptions = {}) {
    this.info = {
      name: options.name ?? 'reference', version: options.version ?? '1', inProcess: true, annotates: true,
      callbackAuthLevel: options.callbackAuthLevel ?? RPC_C_AUTHN_LEVEL_PKT_PRIVACY,
    };
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
    return (this.snapshotter ??= new StateSnapshotter([this], [this.info, this.machine]));
  }

  reset(setup: RunSetup): void {
    this.setup = setup;
    this.entries = new Map();
    this.active = new Map();
    this.cancels = new Map();
    this.accepted = new Set();
  }

  input(msg: BrokerInput): BrokerOutput[] {
    const out: BrokerOutput[] = [];
    switch (msg.kind) {
      case 'call': this.onCall(msg, out); break;
      case 'cancel':
        if (msg.sink === null) out.push({ kind: 'cancel-return', cancel: msg.cancel, hr: WBEM_E_INVALID_PARAMETER });
        else this.cancels.set(msg.cancel, { cancel: msg.cancel, services: msg.services, sink: msg.sink, processed: false, hr: S_OK });
        break;
      case 'callback-returned': this.onCallbackReturned(msg.cb, msg.ret, out); break;
      case 'provider-produced': {
        const e = this.entries.get(msg.call);
        if (e && !e.discard) { e.queued += msg.count; e.total += msg.count; this.feed(e, 'PROVIDER_PRODUCED'); }
        break;
      }
      case 'provider-completed': {
        const e = this.entries.get(msg.call);
        if (e) { e.result = msg.hr; this.feed(e, 'PROVIDER_COMPLETED'); }
        break;
      }
      case 'provider-cancel-answer':
        // PROVIDER-CANCEL-UNSUPPORTED: the client-side cancel completes whatever the provider answers.
        break;
      case 'services-released':
        // Releasing IWbemServices ends its calls (RELEASE-AFTER-FINAL: "at the latest"). An internal
        // cancel, not annotated: its final status waits for a callback in progress, and the stored
        // reference carries that delivery.
        for (const e of this.entries.values()) {
          if (e.services === msg.services && !e.finalCalled && !e.cancelled) this.cancelEntry(e, true, out, false);
        }
        break;
    }
    return out;
  }

  enabled(): BrokerStep[] {
    const steps: BrokerStep[] = [];
    for (const e of this.active.values()) {
      const c = e.call;
      // Returned, its final status back and every reference gone: nothing more can come from it.
      if (e.returned && e.finalReturned && e.callback === undefined && !e.stored && e.temps === 0) {
        this.active.delete(c);
        continue;
      }
      // The step objects of an entry are made once: the enabled set is rebuilt at every step.
      const ids = (e.stepIds ??= stepIdsOf(c));
      if (!e.returned) steps.push(ids.ret);
      if (!e.finalCalled && e.callback === undefined && !e.cancelled) {
        if (e.queued > 0) {
          steps.push(ids.ind1);
          if (e.queued > 1) steps.push(ids.indAll);
        }
        if (this.mayProgress(e)) steps.push(ids.prog);
        if (e.result !== undefined && e.queued === 0) steps.push(ids.fin);
      }
      if (e.op === 'ExecNotificationQueryAsync' && e.queued > EVENT_QUEUE_LIMIT + e.kept && !e.finalCalled && !e.cancelled) steps.push(ids.keep, ids.drop);
      // CALLBACK-IN-FLIGHT-MAY-FINISH: one delivery the broker started before the cancel, logged late
      // (before the final status is called, so that d's window stays after its return).
      if (e.lateAllowed && e.callback === undefined && !e.finalCalled) {
        if (e.queued > 0) steps.push(ids.late);
        if (this.mayProgress(e)) steps.push(ids.lateprog);
      }
      // CANCELLED-STATUS-MAY-OVERLAP only for a client's cancel; an internal one waits for the callback.
      if (e.cancelled && !e.finalCalled && (e.clientCancelled || e.callback === undefined)) steps.push(ids.cfin);
      // The final SetStatus is called (d) and entered as two steps: a cancel may be processed between.
      if (e.finalCalled && e.finalHr !== undefined && e.finalCb === undefined && !e.finalReturned) steps.push(ids.enter);
      // NO-SECURITY-NO-COMPLETION: without CoInitializeSecurity the client may refuse every callback.
      if (!this.setup.security && e.cbCount === 0 && !e.cancelled && !e.refused) steps.push(ids.refuse);
    }
    for (const k of this.cancels.values()) {
      if (!k.processed) {
        steps.push({ id: `pc:${k.cancel}`, cancel: k.cancel });
        if (this.matching(k).some((e) => !e.method && !e.finalCalled && !e.cancelled)) steps.push({ id: `pck:${k.cancel}`, cancel: k.cancel });
      } else steps.push({ id: `cr:${k.cancel}`, cancel: k.cancel });
    }
    return steps;
  }

  step(id: string): BrokerOutput[] {
    const out: BrokerOutput[] = [];
    const [kind, arg, extra] = id.split(':') as [string, string, string | undefined];
    const e = this.entries.get(arg)!;
    switch (kind) {
      case 'ret': e.returned = true; this.feed(e, 'RETURNED_OK'); out.push({ kind: 'call-return', call: arg, hr: S_OK }); break;
      case 'ind': this.indicate(e, extra === 'all' ? e.queued : 1, out); break;
      case 'late':
      case 'lateprog':
        // The late delivery holds a temporary reference of its own while it runs.
        e.lateAllowed = false;
        e.lateCb = `${e.call}#${e.cbCount + 1}`;
        this.addTemp(e, out);
        if (kind === 'late') this.indicate(e, e.queued, out);
        else this.progress(e, out);
        break;
      case 'prog': this.progress(e, out); break;
      case 'keep': e.kept++; break;
      case 'drop':
        // The event beyond the limit is gone: it is neither delivered nor counted among the events to deliver.
        e.queued--;
        e.total--;
        break;
      case 'fin': this.decide(e, e.result!, out); break;
      case 'cfin':
        // Called and entered at once: the cancelled final may overlap a callback in progress, and
        // d's window then starts at that callback's start (CANCELLED-STATUS-MAY-OVERLAP).
        this.decide(e, WBEM_E_CALL_CANCELLED, out);
        out.push(...this.step(`enter:${e.call}`));
        break;
      case 'enter': {
        const hr = e.finalHr!;
        const cb = this.nextCb(e) + 'f';
        e.finalCb = cb;
        this.feed(e, hr === WBEM_E_CALL_CANCELLED ? 'FINAL_CANCELLED_ENTERED' : failed(hr) ? 'FINAL_ERROR_ENTERED' : 'FINAL_OK_ENTERED');
        out.push({ kind: 'set-status', cb, call: e.call, sink: e.sink, lFlags: WBEM_STATUS_COMPLETE, hResult: hr, errorObject: failed(hr) && hr !== WBEM_E_CALL_CANCELLED });
        break;
      }
      case 'refuse':
        // The callbacks were refused: the call ends with no callback, and the sink is still released.
        e.refused = true;
        e.discard = true;
        e.queued = 0;
        e.finalCalled = true;
        e.finalReturned = true;
        this.releaseStored(e, out);
        break;
      case 'pc': this.processCancel(this.cancels.get(arg)!, true, out); break;
      case 'pck': this.processCancel(this.cancels.get(arg)!, false, out); break;
      case 'cr': {
        const k = this.cancels.get(arg)!;
        this.cancels.delete(arg);
        out.push({ kind: 'cancel-return', cancel: arg, hr: k.hr });
        break;
      }
      default: throw new Error(`reference broker: unknown step ${id}`);
    }
    return out;
  }

  stateKey(order?: KeyOrder): string {
    const parts: string[] = [];
    for (const e of this.entries.values()) {
      parts.push(`${e.call}:${e.m}:${e.returned ? 1 : 0}${e.queued},${e.total},${e.result ?? ''},${e.callback ?? ''},${e.cancelled ? 1 : 0}${e.clientCancelled ? 1 : 0}${e.finalCalled ? 1 : 0}${e.finalReturned ? 1 : 0},${e.finalHr ?? ''}${e.finalCb ?? ''},${e.stored ? 1 : 0}${e.temps},${e.progressSent}${e.lateAllowed ? 1 : 0}${e.lateCb ?? ''}${e.discard ? 1 : 0}${e.refused ? 1 : 0},${e.cbCount},${e.kept}`);
    }
    for (const k of this.cancels.values()) parts.push(`${k.cancel}:${k.processed ? 1 : 0}:${k.hr}`);
    // Sorted: entries accepted in a different order are the same state.
    return joinSorted(parts, ';', order);
  }

  /** Applies a machine event to an entry; the broker must never do what the machine rejects. */
  protected feed(e: Entry, type: CallEventType): void {
    const ev = this.machine.eventIndex(type);
    const before = e.m;
    e.m = this.machine.step(before, ev);
    const rules = this.machine.rejected(before, ev);
    if (rules) throw new Error(`reference broker: ${type} on ${e.call} breaks ${rules.join(', ')}`);
  }

  protected onCall(msg: Extract<BrokerInput, { kind: 'call' }>, out: BrokerOutput[]): void {
    if (msg.sink === null) {
      out.push({ kind: 'call-return', call: msg.call, hr: WBEM_E_INVALID_PARAMETER });
      return;
    }
    // A NULL query or language cannot start (START-FAILURE-NO-CALLBACKS): the parameter is invalid.
    if (msg.query === null || msg.language === null) {
      out.push({ kind: 'call-return', call: msg.call, hr: WBEM_E_INVALID_PARAMETER });
      return;
    }
    if (msg.target.startError !== undefined) {
      out.push({ kind: 'call-return', call: msg.call, hr: msg.target.startError });
      return;
    }
    const e: Entry = {
      call: msg.call, op: msg.op, services: msg.services, sink: msg.sink, flags: msg.flags, method: msg.op === 'ExecMethodAsync',
      m: 0, returned: false, queued: 0, total: 0, cancelled: false, clientCancelled: false, finalCalled: false, finalReturned: false,
      temps: 0, stored: false, progressSent: 0, lateAllowed: false, discard: false, refused: false, cbCount: 0, kept: 0,
      // The optional fields exist from the start, so that every entry has one shape: the enabled
      // set reads them for every entry at every step, and entries whose fields were added in
      // different orders would make those reads megamorphic.
      result: undefined, callback: undefined, finalCb: undefined, finalHr: undefined, stepIds: undefined, lateCb: undefined,
    };
    this.entries.set(msg.call, e);
    this.active.set(msg.call, e);
    this.accepted.add(msg.sink);
    this.feed(e, e.method ? 'CALL_METHOD' : msg.op === 'ExecNotificationQueryAsync' ? 'CALL_NOTIFICATION' : 'CALL_OTHER');
    if ((msg.flags & WBEM_FLAG_SEND_STATUS) !== 0) this.feed(e, 'SEND_STATUS');
    // BROKER-HOLDS-SINK: the stored reference is taken at acceptance.
    this.addRef(e, out);
    e.stored = true;
    this.feed(e, 'PROVIDER_STARTED');
    out.push({ kind: 'provider-start', call: msg.call });
  }

  protected onCallbackReturned(cb: string, ret: number, out: BrokerOutput[]): void {
    const e = this.entries.get(cb.slice(0, cb.lastIndexOf('#')));
    if (!e) return;
    if (e.finalCb === cb) {
      e.finalCb = undefined;
      e.finalReturned = true;
      this.feed(e, 'FINAL_RETURNED');
      // RELEASE-PROMPTLY: the reference that carried the final status goes as it returns.
      if (e.stored) this.releaseStored(e, out);
      else if (e.temps > 0) this.releaseTemp(e, out);
      return;
    }
    if (e.callback !== cb) return;
    const progress = cb.endsWith('p');
    e.callback = undefined;
    if (e.lateCb !== undefined && cb.startsWith(e.lateCb)) {
      e.lateCb = undefined;
      this.releaseTemp(e, out);
    }
    if (failed(ret)) {
      this.feed(e, progress ? 'PROGRESS_FAILED' : 'INDICATE_FAILED');
      // SINK-ERROR-CANCELS: a failing Indicate or progress status cancels the call, and its entry
      // goes (the stored reference is swapped for the cancelled final's temporary one).
      if (!e.finalCalled && !e.cancelled) {
        this.cancelEntry(e, true, out, false);
        this.swapStored(e, out);
      }
    } else this.feed(e, progress ? 'PROGRESS_RETURNED' : 'INDICATE_RETURNED');
  }

  protected mayProgress(e: Entry): boolean {
    return (e.flags & WBEM_FLAG_SEND_STATUS) !== 0 && e.progressSent < 1;
  }

  protected indicate(e: Entry, count: number, out: BrokerOutput[]): void {
    const cb = this.nextCb(e);
    e.callback = cb;
    e.queued -= count;
    // The events kept beyond the limit that are still queued stay decided.
    e.kept = Math.max(0, Math.min(e.kept, e.queued - EVENT_QUEUE_LIMIT));
    this.feed(e, 'INDICATE_ENTERED');
    out.push({ kind: 'indicate', cb, call: e.call, sink: e.sink, count });
  }

  protected progress(e: Entry, out: BrokerOutput[]): void {
    e.progressSent++;
    const cb = this.nextCb(e) + 'p';
    e.callback = cb;
    this.feed(e, 'PROGRESS_ENTERED');
    // PROGRESS-HRESULT-IS-COUNTER: LOWORD done, HIWORD total.
    out.push({ kind: 'set-status', cb, call: e.call, sink: e.sink, lFlags: WBEM_STATUS_PROGRESS, hResult: ((e.total & 0xffff) << 16 | (e.total - e.queued) & 0xffff) >>> 0, errorObject: false });
  }

  /** Calls the final SetStatus (sets SetStatusWithFinalResultCalled: the moment d); entering it is the next step. */
  protected decide(e: Entry, hr: number, out: BrokerOutput[]): void {
    e.finalCalled = true;
    e.finalHr = hr;
    this.feed(e, 'FINAL_DECIDED');
    out.push({ kind: 'final-decided', call: e.call, hResult: hr });
  }

  /** The entries a cancel matches: same IWbemServices object, the exact sink pointer (CANCEL-SAME-POINTER). */
  protected matching(k: PendingCancel): Entry[] {
    // Asked for every pending cancel at every step: a plain loop, with no intermediate array.
    const out: Entry[] = [];
    for (const e of this.entries.values()) if (e.services === k.services && e.sink === k.sink) out.push(e);
    return out;
  }

  protected processCancel(k: PendingCancel, stopProviders: boolean, out: BrokerOutput[]): void {
    k.processed = true;
    if (!this.accepted.has(k.sink)) {
      // CANCEL-UNKNOWN-SINK-ERROR: a sink never accepted is not associated with any entry.
      k.hr = WBEM_E_NOT_FOUND;
      return;
    }
    const matched = this.matching(k).filter((e) => !e.finalReturned);
    const covered = matched.filter((e) => !e.finalCalled && !e.clientCancelled);
    // Calls whose final status was already called lost the race (CANCEL-MAY-LOSE-RACE); they are
    // named in the annotation too, so that the checker need not guess where p lies for them.
    const lost = matched.filter((e) => e.finalCalled && !e.cancelled && !e.refused);
    // Calls an earlier cancel already covered, still waiting for their cancelled final status: this
    // cancel finds CallCancelled set and sets it again, so it lists them too (an overlapping cancel).
    const again = matched.filter((e) => e.clientCancelled && !e.finalCalled);
    out.push({ kind: 'cancel-processed', cancel: k.cancel, calls: [...covered, ...again, ...lost].map((e) => e.call) });
    for (const e of [...again, ...lost]) this.feed(e, 'CANCEL_PROCESSED');
    for (const e of covered) {
      if (e.cancelled) this.feed(e, 'CANCEL_PROCESSED'); // already cancelled by a sink error
      else this.cancelEntry(e, stopProviders, out);
    }
    // RELEASED-BEFORE-CANCEL-RETURNS: the stored references go before the return; a final status
    // still to come keeps a temporary reference of its own; one already on its way keeps the stored one.
    for (const e of covered) this.swapStored(e, out);
  }

  /** Sets CallCancelled; the WBEM_E_CALL_CANCELLED final status is then a step of its own. */
  protected cancelEntry(e: Entry, stopProvider: boolean, out: BrokerOutput[], byClient = true): void {
    // One late in-flight delivery is legal only after a client's cancel that found no callback running.
    e.lateAllowed = byClient && e.callback === undefined && (e.queued > 0 || this.mayProgress(e));
    e.cancelled = true;
    e.clientCancelled = byClient;
    if (byClient) this.feed(e, 'CANCEL_PROCESSED');
    e.discard = true;
    // PROVIDER-NOT-NOTIFIED: a method provider is never told; others may be stopped (PROVIDER-MAY-STOP).
    if (stopProvider && !e.method && this.machine.stateValue(e.m).provider === 'running') {
      this.feed(e, 'PROVIDER_CANCEL_REQUESTED');
      out.push({ kind: 'provider-cancel', call: e.call });
    }
    if (!e.lateAllowed) e.queued = 0;
  }

  /** Releases the stored reference, first taking a temporary one for the cancelled final status to come. */
  protected swapStored(e: Entry, out: BrokerOutput[]): void {
    if (!e.stored) return;
    if (!e.finalCalled) this.addTemp(e, out);
    this.releaseStored(e, out);
  }

  protected addRef(e: Entry, out: BrokerOutput[]): void {
    e.stored = true;
    this.feed(e, 'REF_TAKEN');
    out.push({ kind: 'addref', sink: e.sink, call: e.call });
  }

  protected releaseStored(e: Entry, out: BrokerOutput[]): void {
    if (!e.stored) return;
    e.stored = false;
    this.feed(e, 'REF_RELEASED');
    out.push({ kind: 'release', sink: e.sink, call: e.call });
  }

  /** Temporary references of deliveries are not the call's stored one: they carry no call id. */
  protected addTemp(e: Entry, out: BrokerOutput[]): void {
    e.temps++;
    out.push({ kind: 'addref', sink: e.sink });
  }

  protected releaseTemp(e: Entry, out: BrokerOutput[]): void {
    e.temps--;
    out.push({ kind: 'release', sink: e.sink });
  }

  protected nextCb(e: Entry): string {
    return `${e.call}#${++e.cbCount}`;
  }
}

/** Every step an entry may offer, as objects made once per call. */
function stepIdsOf(c: string) {
  // Frozen: saved states share them instead of copying them (specs/state-snapshot.ts).
  const step = (id: string): BrokerStep => Object.freeze({ id, call: c });
  return Object.freeze({
    ret: step(`ret:${c}`), ind1: step(`ind:${c}:1`), indAll: step(`ind:${c}:all`), prog: step(`prog:${c}`),
    fin: step(`fin:${c}`), late: step(`late:${c}`), lateprog: step(`lateprog:${c}`), cfin: step(`cfin:${c}`),
    enter: step(`enter:${c}`), refuse: step(`refuse:${c}`), keep: step(`keep:${c}`), drop: step(`drop:${c}`),
  });
}
