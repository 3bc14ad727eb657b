/**
 * The one per-trace bookkeeping that every check reads (RULES.md, "How a trace is judged"):
 * calls, callbacks in progress, cancels with the window of `p`, calls with the window of `d`,
 * sinks with their reference counts by party. Updated once per event, before the checks see it.
 *
 * Windows close as soon as they can (a cancel's `p` at its return or at the return of a held
 * callback that bounds it), and the tracker then tells the checks that compare moments
 * (`TrackerListener`), so nothing needs the trace's history: memory is proportional to what is
 * open at once, plus capped histories of finished calls and sinks.
 */
import type { TraceEvent, TraceHeader, RunEnd } from '../trace/event.ts';
import { failed, WBEM_FLAG_SEND_STATUS } from '../trace/hresult.ts';
import { CappedMap, CappedSet, FrozenCappedMap } from '../trace/capped-set.ts';
import { joinSorted, type KeyOrder } from '../trace/key-order.ts';
import type { Finding } from './check.ts';
import { NONE, type CallRec, type CallbackKind, type CallbackRec, type CancelRec, type ServicesRec, type SinkRec } from './records.ts';

/** Finished calls kept whole, for late callbacks that name them. */
const RETIRED_CALLS = 4096;
/**
 * Finished sinks (and services objects) remembered by id (CANCEL-UNKNOWN-SINK-ERROR needs "ever
 * accepted"); the checks' own per-sink histories use the same bound.
 */
export const SINK_HISTORY = 16_384;
const RETIRED_SINKS = SINK_HISTORY;
/** Late callbacks remembered per open cancel window; beyond it they are judged inconclusive. */
const PENDING_LATE_CAP = 64;
/** Watchdog releases remembered per pending cancel. */
const WAIT_CAP = 4;
/**
 * RULES.md item 4: a cancel returning within max(10 ms, ten times the recording's control-cancel
 * latency) of a watchdog release waited for it; a recording's hold proves waiting only if it lasted
 * at least one second and ten times that latency.
 */
const WAIT_SLACK_MS = 10;
const MIN_HOLD_MS = 1000;

/** Checks that compare unseen moments are told when both sides are known. */
export interface TrackerListener {
  /** Cancel k's window of p is final (it returned, a held callback bounded it, or the run ended). */
  cancelClosed?(k: CancelRec): void;
  /** Both k's p and call c's d are known (c is covered by k and its final status entered). */
  pairReady?(k: CancelRec, c: CallRec): void;
  /** An Indicate or progress of a call covered by k started, and k's window is known. */
  lateCallback?(k: CancelRec, cb: CallbackRec): void;
}

/** How a call without a final status is judged at the run's end (item 6). */
export type Liveness =
  | { kind: 'ok' }
  | { kind: 'excused'; rule: string; reason: string }
  | { kind: 'client-fault'; reason: string }
  | { kind: 'not-judged'; reason: string }
  | { kind: 'missing'; decisive: boolean };

export class Tracker {
  header!: TraceHeader;
  readonly calls = new Map<string, CallRec>();
  private readonly retiredCalls = new CappedMap<string, CallRec>(RETIRED_CALLS);
  readonly callbacks = new Map<string, CallbackRec>();
  readonly cancels = new Map<string, CancelRec>();
  private readonly retiredCancels = new CappedMap<string, CancelRec>(RETIRED_CALLS);
  readonly sinks = new Map<string, SinkRec>();
  readonly services = new Map<string, ServicesRec>();
  private readonly retiredSinks = new CappedSet(RETIRED_SINKS);
  /** Wrapper ⇄ inner sink links of retired pairs, so that a sink seen again keeps its link. */
  private readonly retiredLinks = new FrozenCappedMap<string, { wraps?: string; wrapper?: string }>(RETIRED_SINKS);
  /**
   * The client's side of retired sinks: the broker letting go of a sink does not end the client's
   * reference, so a sink seen again (the client's last release, typically) keeps the client's
   * count and the last cancel that returned for it; null for a sink the client had released,
   * which comes back as a new one.
   */
  private readonly retiredClientSide = new CappedMap<string, Pick<SinkRec, 'clientNet' | 'lastCancel'> | null>(RETIRED_SINKS);
  /** IWbemServices objects with nothing open, forgotten but for having finished a call. */
  private readonly finishedServices = new CappedSet(RETIRED_SINKS);
  /** Cancels whose window of p is still open. */
  private openWindows: CancelRec[] = [];
  /** Calls entered and not yet returned (CALL-RETURNS-IMMEDIATELY). */
  readonly unreturned = new Set<CallRec>();
  /** Held callbacks the watchdog released while a call was still inside its method. */
  readonly callWaits = new Map<CallRec, CallbackRec>();
  listeners: TrackerListener[] = [];
  /** Told before a listener's hook is called (the judge's snapshotter: that check changes). */
  beforeHook: ((l: TrackerListener) => void) | undefined = undefined;

  // The records of the current event, for the checks (set by update()).
  call: CallRec | null = null;
  callback: CallbackRec | null = null;
  cancel: CancelRec | null = null;
  sink: SinkRec | null = null;

  noSecurity = NONE;
  transportLost = NONE;
  end: RunEnd | null = null;
  lastSeq = 0;
  /** The latest trace time seen (virtual time, or ms in a recording). */
  lastT: number | undefined = undefined;
  /** Callbacks attributed by a choice among several candidate calls. */
  ambiguous = 0;
  /** Shared sinks whose attributions exceeded the search's bound: their unattributed callbacks are guesses. */
  boundedSinks: ReadonlySet<string> | null = null;
  /** Findings that rest on a p bounded by a held callback, to mark if the cancel is convicted of waiting. */
  private readonly derived: { f: Finding; k: CancelRec }[] = [];

  begin(header: TraceHeader): void {
    this.header = header;
  }

  /** A sink's reference counts can be judged: the trace is white-box, or recorded AddRefs on that sink. */
  refsTracked(s: SinkRec | null | undefined): boolean {
    return this.header.whiteBox || (s?.refCounted ?? false);
  }

  findCall(id: string): CallRec | undefined {
    return this.calls.get(id) ?? this.retiredCalls.get(id);
  }

  findCancel(id: string): CancelRec | undefined {
    return this.cancels.get(id) ?? this.retiredCancels.get(id);
  }

  /** True when the sink was ever passed to an accepted call, false when not, null when forgotten. */
  everAccepted(sink: string): boolean | null {
    const s = this.sinks.get(sink);
    if (s?.accepted || this.retiredSinks.has(sink)) return true;
    return this.retiredSinks.evicted ? null : false;
  }

  /** Marks `f` as derived from the waiting (item 4) if k turns out convicted of waiting. */
  noteDerived(f: Finding | undefined, k: CancelRec): void {
    if (f && k.heldBound) this.derived.push({ f, k });
  }

  update(e: TraceEvent): void {
    this.lastSeq = e.seq;
    if (e.t !== undefined) this.lastT = e.t;
    switch (e.type) {
      case 'sink.created': {
        const s = this.sinkRec(e.sink);
        this.sink = s;
        if (e.wraps !== undefined) {
          s.wraps = e.wraps;
          this.sinkRec(e.wraps).wrapper = e.sink;
        }
        return;
      }
      case 'call.entered': {
        const c: CallRec = {
          id: e.call, op: e.op, services: e.services, sink: e.sink, flags: e.flags, swsink: e.swsink,
          entered: e.seq, returned: NONE, hr: 0,
          fromCallback: e.fromCallback !== undefined ? this.callbacks.get(e.fromCallback) ?? null : null,
          callbacks: 0, indicates: 0, objects: 0, progress: 0, inProgress: 0, last: null, lastReturn: NONE,
          final: null, finals: 0, finalReturned: NONE, dLo: NONE, dHi: NONE, dAnnotation: NONE, dAnnotationHr: 0, listedAt: NONE,
          cancels: null, sinkError: NONE, cancelledFromOwnCallback: false, provider: null, ended: false,
          swCompleted: 0, swLastOther: NONE, swCancelled: false,
        };
        this.calls.set(e.call, c);
        this.unreturned.add(c);
        this.call = c;
        if (e.sink !== null) {
          const s = this.sinkRec(e.sink);
          s.open.push(c);
          s.lastCall = c;
          s.awaitingRelease = NONE;
          this.sink = s;
        }
        return;
      }
      case 'call.returned': {
        // The call may already have ended (its final status can precede the return: CALLBACK-MAY-PRECEDE-RETURN).
        const c = this.findCall(e.call);
        this.call = c ?? null;
        if (!c) return;
        c.returned = e.seq;
        c.hr = e.hr;
        this.unreturned.delete(c);
        if (failed(e.hr)) this.endCall(c, e.seq);
        else {
          if (c.sink !== null) {
            const s = this.sinkRec(c.sink);
            s.accepted = true;
            (s.acceptedVia ??= new Set()).add(c.services);
          }
          if (!c.ended) this.servicesRec(c.services).open.push(c);
        }
        return;
      }
      case 'indicate.entered':
        this.callbackEntered(e.cb, e.sink, e.call, 'indicate', e.seq, e.held ?? false, e.count, 0, 0, false, e.t, e.thread);
        if (this.callback) this.callback.holdBound = e.holdBound;
        return;
      case 'setstatus.entered': {
        const kind: CallbackKind = e.lFlags === 0 ? 'final' : e.lFlags === 2 ? 'progress' : 'other';
        this.callbackEntered(e.cb, e.sink, e.call, kind, e.seq, e.held ?? false, 0, e.lFlags, e.hResult, e.errorObject, e.t, e.thread);
        if (this.callback) this.callback.holdBound = e.holdBound;
        return;
      }
      case 'indicate.returned':
      case 'setstatus.returned':
        this.callbackReturned(e.cb, e.seq, e.ret, e.t);
        return;
      case 'hold.released': {
        const cb = this.callbacks.get(e.cb);
        this.callback = cb ?? null;
        if (!cb) return;
        cb.released = e.seq;
        cb.releasedBy = e.by;
        // A recorder's fixed-period hold released by its timer counts as a watchdog release (item 4).
        if (e.by === 'watchdog' || e.by === 'timer') {
          for (const k of this.cancels.values()) {
            if (k.returned !== NONE || k.fromCallback !== null) continue;
            k.waitedOn ??= [];
            if (k.waitedOn.length < WAIT_CAP) k.waitedOn.push({ cb, release: e.seq, t: e.t, bound: cb.holdBound });
          }
          // Only a method that was already running when the hold began can have waited for it.
          for (const c of this.unreturned) if (c.entered < cb.entered && !this.callWaits.has(c)) this.callWaits.set(c, cb);
        }
        return;
      }
      case 'cancel.entered':
        this.cancelEntered(e.cancel, e.services, e.sink, e.fromCallback, e.seq, e.t);
        return;
      case 'cancel.returned': {
        const k = this.cancels.get(e.cancel);
        this.cancel = k ?? null;
        if (!k) return;
        k.returned = e.seq;
        k.hr = e.hr;
        k.tReturned = e.t;
        if (!k.closed) this.close(k, e.seq, null);
        k.waited = this.waitVerdict(k, e.t);
        if (k.sink !== null) {
          const s = this.sinks.get(k.sink);
          const retired = s ? undefined : this.retiredClientSide.get(k.sink);
          if (s) s.lastCancel = k;
          else if (retired) retired.lastCancel = k;
        }
        this.cancels.delete(k.id);
        this.retiredCancels.set(k.id, k);
        return;
      }
      case 'sink.addref':
      case 'sink.release': {
        const s = this.sinkRec(e.sink);
        this.sink = s;
        const delta = e.type === 'sink.addref' ? 1 : -1;
        // The client's own reference is assumed from the start (clientNet 1); a trace that logs it,
        // as its first AddRef bringing the count to 1, does not add a second one.
        const creationRef = delta > 0 && !s.refCounted && e.count === 1 && (e.by ?? 'broker') === 'client';
        if (delta > 0) s.refCounted = true;
        s.count = e.count;
        // A release that leaves no reference at all is decisive whoever logged it.
        s.deadSince = e.count <= 0 && delta < 0 ? e.seq : NONE;
        const by = e.by ?? 'broker';
        if (by === 'broker') {
          s.brokerNet += delta;
          if (s.brokerNet <= 0) s.awaitingRelease = NONE;
        } else if (by === 'client') {
          if (!creationRef) s.clientNet += delta;
          if (delta < 0 && s.clientNet <= 0 && s.clientReleased === NONE) s.clientReleased = e.seq;
        }
        this.maybeRetireSink(s);
        return;
      }
      case 'marker.no-security':
        if (this.noSecurity === NONE) this.noSecurity = e.seq;
        return;
      case 'marker.transport-lost':
        if (this.transportLost === NONE) this.transportLost = e.seq;
        return;
      case 'marker.watchdog': {
        if (e.cancel === undefined) return;
        const k = this.findCancel(e.cancel);
        if (!k) return;
        k.watchdogVerdict = e.verdict;
        if (k.returned !== NONE) k.waited = this.waitVerdict(k, k.tReturned);
        return;
      }
      case 'provider.started':
      case 'provider.produced':
      case 'provider.completed':
      case 'provider.cancel-requested':
      case 'provider.stopped': {
        const c = this.findCall(e.call);
        this.call = c ?? null;
        if (!c) return;
        const p = (c.provider ??= { kind: 'instance', started: NONE, produced: 0, completed: NONE, completedHr: 0, cancelRequested: NONE, cancelAnswer: 0, stopped: NONE });
        if (e.type === 'provider.started') { p.kind = e.kind; p.started = e.seq; }
        else if (e.type === 'provider.produced') p.produced += e.count;
        else if (e.type === 'provider.completed') { p.completed = e.seq; p.completedHr = e.hr; }
        else if (e.type === 'provider.cancel-requested') { p.cancelRequested = e.seq; p.cancelAnswer = e.answer; }
        else p.stopped = e.seq;
        return;
      }
      case 'annotation.cancel-processed': {
        const k = this.findCancel(e.cancel);
        this.cancel = k ?? null;
        // Only the first annotation inside a still-open window narrows it (item 3).
        if (k && !k.closed && k.annotation === NONE) {
          k.annotation = e.seq;
          k.annotationCalls = e.calls;
          for (const id of e.calls) {
            const c = this.calls.get(id);
            if (c && c.listedAt === NONE) c.listedAt = e.seq;
          }
        }
        return;
      }
      case 'annotation.final-decided': {
        const c = this.findCall(e.call);
        this.call = c ?? null;
        if (c && c.final === null && c.dAnnotation === NONE) {
          c.dAnnotation = e.seq;
          c.dAnnotationHr = e.hResult;
        }
        return;
      }
      case 'run.end':
        this.end = e;
        return;
      default:
        return;
    }
  }

  servicesRec(id: string): ServicesRec {
    let r = this.services.get(id);
    if (!r) {
      r = { open: [], finished: this.finishedServices.has(id) };
      this.services.set(id, r);
    }
    return r;
  }

  /**
   * Whether some call accepted through IWbemServices object `id` has ended: true, false, or null
   * when its record was forgotten (more services objects than are remembered).
   */
  servicesFinished(id: string): boolean | null {
    const r = this.services.get(id);
    if (r?.finished || this.finishedServices.has(id)) return true;
    return this.finishedServices.evicted ? null : false;
  }

  private sinkRec(id: string): SinkRec {
    let s = this.sinks.get(id);
    if (!s) {
      const link = this.retiredLinks.get(id);
      const client = this.retiredClientSide.get(id);
      s = {
        id, wraps: link?.wraps, wrapper: link?.wrapper, count: 0, refCounted: false, brokerNet: 0, clientNet: client?.clientNet ?? 1, clientReleased: NONE,
        open: [], guessed: false, accepted: false, acceptedVia: null, deadSince: NONE, lastCall: null, lastCallbackCall: null, lastCancel: client?.lastCancel ?? null, awaitingRelease: NONE,
      };
      this.sinks.set(id, s);
    }
    return s;
  }

  /**
   * A sink with nothing open and no broker reference is forgotten but for its id. A wrapper and
   * its inner sink go together, once neither has anything open; their link is remembered.
   */
  private maybeRetireSink(s: SinkRec): void {
    if (s.open.length > 0 || s.brokerNet > 0 || !this.refsTracked(s)) return;
    if (s.wraps === undefined && s.wrapper === undefined) {
      if (!s.accepted) return;
      this.retireSink(s);
      return;
    }
    const wrapper = s.wraps !== undefined ? s : this.sinks.get(s.wrapper!);
    const inner = s.wraps !== undefined ? this.sinks.get(s.wraps) : s;
    if (!wrapper || !inner || !wrapper.accepted) return;
    for (const x of [wrapper, inner]) if (x.open.length > 0 || x.brokerNet > 0 || !this.refsTracked(x)) return;
    for (const x of [wrapper, inner]) this.retireSink(x);
    this.retiredLinks.set(wrapper.id, { wraps: inner.id });
    this.retiredLinks.set(inner.id, { wrapper: wrapper.id });
  }

  /** Forgets a sink but for its id and the client's side of it. */
  private retireSink(s: SinkRec): void {
    this.sinks.delete(s.id);
    if (s.accepted) this.retiredSinks.add(s.id);
    // Only a reference the client still holds is carried over; a sink it released comes back as a new one.
    this.retiredClientSide.set(s.id, s.clientNet > 0 ? { clientNet: s.clientNet, lastCancel: s.lastCancel } : null);
  }

  /** Which call a callback belongs to: named, or the one pending call on its sink (item 2). */
  private attribute(sink: string, named: string | undefined, kind: CallbackKind): [CallRec | null, boolean] {
    if (named !== undefined) return [this.findCall(named) ?? null, false];
    const s = this.sinks.get(sink);
    if (!s) return [null, false];
    let first: CallRec | null = null;
    let preferred: CallRec | null = null;
    let n = 0;
    for (const c of s.open) {
      if (c.final !== null) continue;
      n++;
      first ??= c;
      // The choice that breaks the fewest rules: a call with nothing in progress, asking for progress if this is one.
      if (preferred === null && c.inProgress === 0 && (kind !== 'progress' || (c.flags & WBEM_FLAG_SEND_STATUS) !== 0)) preferred = c;
    }
    if (this.boundedSinks?.has(sink)) {
      this.ambiguous++;
      s.guessed = true;
      return [preferred ?? first ?? s.lastCall, true];
    }
    if (n === 0) return [s.lastCall, s.guessed];
    if (n === 1) return [first, s.guessed];
    this.ambiguous++;
    s.guessed = true;
    return [preferred ?? first, true];
  }

  private callbackEntered(
    id: string, sink: string, named: string | undefined, kind: CallbackKind, seq: number, held: boolean,
    count: number, lFlags: number, hResult: number, errorObject: boolean, t: number | undefined, thread: string | undefined,
  ): void {
    const [c, ambiguous] = this.attribute(sink, named, kind);
    let startBound = NONE;
    let overlapped: CallbackRec | null = null;
    if (c) {
      if (c.last !== null && c.last.returned === NONE) {
        overlapped = c.last;
        startBound = c.last.entered;
      } else startBound = c.lastReturn;
    }
    const s = this.sinks.get(sink) ?? null;
    const cb: CallbackRec = {
      cb: id, call: c, ambiguous, sink, kind, entered: seq, returned: NONE, ret: 0, held, holdBound: undefined, released: NONE, releasedBy: null,
      count, lFlags, hResult, errorObject, startBound, overlapped, prevOnSink: s ? s.lastCallbackCall : null, t, tReturned: undefined, thread,
    };
    this.callbacks.set(id, cb);
    this.callback = cb;
    this.call = c;
    this.sink = s;
    if (held) for (const k of this.openWindows) if (kind === 'final') k.sawHeldFinal = true; else k.sawHeld = true;
    if (!c) return;
    c.callbacks++;
    c.inProgress++;
    if (kind === 'indicate') { c.indicates++; c.objects += count; }
    else if (kind === 'progress') c.progress++;
    if (kind === 'final') {
      c.finals++;
      if (c.final === null) {
        c.final = cb;
        // d lies after the previous callback's return (or the start of one still running) and
        // before this entry; an annotation inside that window fixes it (items 1 and 3).
        c.dLo = overlapped ? overlapped.entered : c.lastReturn !== NONE ? c.lastReturn : c.entered;
        c.dHi = seq;
        if (c.dAnnotation !== NONE && c.dAnnotation > c.dLo) c.dLo = c.dHi = c.dAnnotation;
        if (c.cancels) for (const k of c.cancels) if (k.closed) this.emitPair(k, c);
      }
    } else if (kind !== 'other' && c.cancels && c.final === null) {
      for (const k of c.cancels) {
        if (k.closed) this.emitLate(k, cb);
        else {
          k.pendingLate ??= [];
          if (k.pendingLate.length < PENDING_LATE_CAP) k.pendingLate.push(cb);
          else k.lateOverflow++;
        }
      }
    }
    c.last = cb;
    if (s) s.lastCallbackCall = c;
  }

  private callbackReturned(id: string, seq: number, ret: number, t: number | undefined): void {
    const cb = this.callbacks.get(id);
    this.callback = cb ?? null;
    if (!cb) return;
    this.callbacks.delete(id);
    cb.returned = seq;
    cb.ret = ret;
    cb.tReturned = t;
    const c = cb.call;
    this.call = c;
    if (cb.held && this.openWindows.length > 0) {
      // A held callback that was running while a cancel was pending bounds that cancel's p (item 1),
      // if it was still held then: a callback whose hold ended before the cancel entered is an
      // ordinary one for that cancel.
      for (const k of this.openWindows.slice()) if (k.fromCallback === null && (cb.released === NONE || cb.released > k.entered)) this.close(k, seq, cb);
    }
    if (!c) return;
    c.inProgress--;
    if (seq > c.lastReturn) c.lastReturn = seq;
    if (cb.kind === 'final') {
      if (c.finalReturned === NONE) {
        c.finalReturned = seq;
        this.endCall(c, seq);
      }
    } else if (cb.kind !== 'other' && failed(ret) && c.sinkError === NONE && c.final === null) {
      c.sinkError = seq;
    }
    if (c.ended && c.inProgress === 0) this.retire(c);
  }

  private endCall(c: CallRec, seq: number): void {
    if (c.ended) return;
    c.ended = true;
    if (c.sink !== null) {
      const s = this.sinks.get(c.sink);
      if (s) {
        const i = s.open.indexOf(c);
        if (i >= 0) s.open.splice(i, 1);
        if (s.open.length === 0 && s.brokerNet > 0 && !failed(c.hr)) s.awaitingRelease = seq;
        this.maybeRetireSink(s);
      }
    }
    const r = this.services.get(c.services);
    if (r) {
      const i = r.open.indexOf(c);
      if (i >= 0) {
        r.open.splice(i, 1);
        r.finished = true;
      }
      // Nothing open through it: only the fact that a call finished is remembered.
      if (r.open.length === 0 && r.finished) {
        this.services.delete(c.services);
        this.finishedServices.add(c.services);
      }
    }
    if (c.inProgress === 0) this.retire(c);
  }

  private retire(c: CallRec): void {
    if (!this.calls.delete(c.id)) return;
    this.retiredCalls.set(c.id, c);
  }

  private cancelEntered(id: string, services: string, sink: string | null, from: string | undefined, seq: number, t: number | undefined): void {
    const fromCallback = from !== undefined ? this.callbacks.get(from) ?? null : null;
    const s = sink !== null ? this.sinks.get(sink) ?? null : null;
    const k: CancelRec = {
      id, services, sink, entered: seq, returned: NONE, hr: 0, fromCallback, covered: [],
      pLo: seq, pHi: Infinity, closed: false, exact: false, heldBound: null, annotation: NONE, annotationCalls: null,
      pendingLate: null, lateOverflow: 0, sawHeld: false, sawHeldFinal: false, waitedOn: null, watchdogVerdict: null, waited: 'no',
      afterClientRelease: s !== null && s.clientReleased !== NONE, t, tReturned: undefined,
    };
    this.cancels.set(id, k);
    this.openWindows.push(k);
    for (const cb of this.callbacks.values()) if (cb.held && cb.released === NONE) { if (cb.kind === 'final') k.sawHeldFinal = true; else k.sawHeld = true; }
    this.cancel = k;
    this.sink = s;
    if (fromCallback?.call) fromCallback.call.cancelledFromOwnCallback = true;
    // A cancel from inside a callback is not operational (CANCEL-FROM-SINK-NOT-OPERATIONAL): it covers nothing we judge.
    if (s === null || fromCallback !== null) return;
    for (const c of s.open) {
      if (c.services === services && c.returned !== NONE && !failed(c.hr)) {
        k.covered.push(c);
        (c.cancels ??= []).push(k);
      }
    }
  }

  private close(k: CancelRec, hi: number, held: CallbackRec | null): void {
    k.closed = true;
    k.pHi = hi;
    k.heldBound = held;
    if (k.annotation !== NONE && k.annotation > k.pLo && k.annotation < hi) {
      k.exact = true;
      k.pLo = k.pHi = k.annotation;
    }
    const i = this.openWindows.indexOf(k);
    if (i >= 0) this.openWindows.splice(i, 1);
    for (const l of this.listeners) if (l.cancelClosed) { this.beforeHook?.(l); l.cancelClosed(k); }
    for (const c of k.covered) if (c.final !== null) this.emitPair(k, c);
    if (k.pendingLate) {
      for (const cb of k.pendingLate) this.emitLate(k, cb);
      k.pendingLate = null;
    }
  }

  private emitPair(k: CancelRec, c: CallRec): void {
    for (const l of this.listeners) if (l.pairReady) { this.beforeHook?.(l); l.pairReady(k, c); }
  }

  private emitLate(k: CancelRec, cb: CallbackRec): void {
    for (const l of this.listeners) if (l.lateCallback) { this.beforeHook?.(l); l.lateCallback(k, cb); }
  }

  /** Item 4: did the cancel wait for a held callback the watchdog had to release? */
  private waitVerdict(k: CancelRec, tReturned: number | undefined): 'no' | 'yes' | 'slow' {
    if (k.watchdogVerdict === 'deadlock') return 'yes';
    if (k.watchdogVerdict === 'slow') return 'slow';
    if (!k.waitedOn || k.waitedOn.length === 0) return 'no';
    // Without wall-clock times (simulation, hand-written traces) the watchdog's release is the proof.
    if (this.header.recorder !== 'recorder' || tReturned === undefined) return 'yes';
    const latency = this.header.controlCancelLatencyMs;
    const slack = latency !== undefined ? Math.max(WAIT_SLACK_MS, 10 * latency) : WAIT_SLACK_MS;
    const minHold = latency !== undefined ? Math.max(MIN_HOLD_MS, 10 * latency) : MIN_HOLD_MS;
    for (const w of k.waitedOn) {
      // A hold shorter than item 4's bound cannot tell a waiting cancel from a slow one.
      if (w.bound !== undefined && w.bound < minHold) continue;
      if (w.t === undefined || tReturned - w.t <= slack) return 'yes';
    }
    return 'slow';
  }

  /** Closes every open window at the end of the run and settles item 4 for cancels that never returned. */
  /**
   * What the tracker remembers of each call not yet ended that later verdicts compare with: the
   * cancels covering it (and whether each has closed, with its moment p settled), whether its sink
   * failed a callback, and whether its final status was decided or has entered. Never sequence
   * numbers: a closed cancel's p precedes every event still to come.
   */
  stateKey(order?: KeyOrder): string {
    const parts: string[] = [];
    for (const c of this.calls.values()) {
      if (c.ended) continue;
      const ks = c.cancels ? c.cancels.map((k) => `${k.id}${k.closed ? (k.exact ? 'x' : 'c') : 'o'}${c.final === null ? dOrder(c, k) : ''}`).sort().join('+') : '';
      parts.push(`${c.id}:${ks}:${c.sinkError !== NONE ? 'e' : ''}${c.dAnnotation !== NONE ? 'd' : ''}${c.listedAt !== NONE ? 'l' : ''}${c.final !== null ? 'f' : ''}`);
    }
    return joinSorted(parts, ',', order);
  }

  finishRun(): void {
    for (const k of this.openWindows.slice()) this.close(k, Infinity, null);
    for (const k of this.cancels.values()) {
      if (k.returned === NONE) k.waited = k.watchdogVerdict === 'slow' ? 'slow' : k.waitedOn || k.watchdogVerdict === 'deadlock' ? 'yes' : 'no';
    }
    for (const { f, k } of this.derived) if (k.waited === 'yes') f.derivedFrom = 'CANCEL-DOES-NOT-WAIT-FOR-CLIENT';
  }

  /** The run ended in a way that makes missing events decisive (item 6). */
  decisiveEnd(): boolean {
    const r = this.end?.reason;
    return r === 'quiescent' || r === 'deadlock';
  }

  /**
   * Why the broker's unfinished work is not judged, when its process failed under the harness
   * (item 6): the failure is the one finding, and a dead process cannot finish anything.
   */
  brokerFailure(): string | undefined {
    const e = this.end;
    if (!e) return undefined;
    if (e.reason === 'crash') return `broker crashed at event ${e.seq}`;
    if (e.reason === 'timeout') return `broker stopped answering at event ${e.seq}`;
    if (e.reason === 'protocol-error') return `broker broke the protocol at event ${e.seq}`;
    return undefined;
  }

  /** Item 6: why an accepted call may lack its final status, or whether its absence is decisive. */
  liveness(c: CallRec): Liveness {
    // A NULL sink can never be called back: NULL-SINK-REJECTED judges that call.
    if (c.finals > 0 || c.returned === NONE || failed(c.hr) || c.sink === null) return { kind: 'ok' };
    if (c.op === 'ExecNotificationQueryAsync' && !c.cancels) {
      return { kind: 'excused', rule: 'NOTIFICATION-NEVER-COMPLETES', reason: 'notification query still subscribed' };
    }
    if (this.noSecurity !== NONE) return { kind: 'excused', rule: 'NO-SECURITY-NO-COMPLETION', reason: 'CoInitializeSecurity not called' };
    if (this.transportLost !== NONE) return { kind: 'excused', rule: 'TRANSPORT-FAILURE', reason: 'transport lost' };
    if (c.cancelledFromOwnCallback) return { kind: 'client-fault', reason: 'the client cancelled from inside a callback of the call' };
    if (c.inProgress > 0) return { kind: 'client-fault', reason: 'a callback of the call never returned or was still held' };
    const failure = this.brokerFailure();
    if (failure) return { kind: 'not-judged', reason: failure };
    const s = c.sink !== null ? this.sinks.get(c.sink) : undefined;
    const released = s !== undefined ? this.refsTracked(s) && s.brokerNet <= 0 : this.header.whiteBox;
    return { kind: 'missing', decisive: this.decisiveEnd() || released };
  }
}

/**
 * Where the final status of a call not yet final can lie against a cancel covering it: the
 * earliest moment its d can have (the start of a callback still running, else the last return,
 * else the call's entry: as `callbackEntered` will set dLo) and its annotated d, each against the
 * cancel's p window. Placements compare these seq numbers (CANCELLED-STATUS,
 * CANCEL-COVERS-SHARING-CALLS), so two states that order them differently are not the same
 * state, even when every other record of them is.
 */
function dOrder(c: CallRec, k: CancelRec): string {
  const dLo = c.last !== null && c.last.returned === NONE ? c.last.entered : c.lastReturn !== NONE ? c.lastReturn : c.entered;
  const cmp = (a: number, b: number) => (a < b ? '<' : a > b ? '>' : '=');
  let s = `${cmp(dLo, k.pLo)}${k.closed ? cmp(dLo, k.pHi) : ''}`;
  if (c.dAnnotation !== NONE) s += `a${cmp(c.dAnnotation, k.pLo)}${k.closed ? cmp(c.dAnnotation, k.pHi) : ''}`;
  return s;
}
