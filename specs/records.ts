/**
 * What the tracker remembers about calls, callbacks, cancels and sinks while a trace streams by.
 * Plain mutable records, one per live object, so that every check reads the same bookkeeping
 * and none keeps its own copy (the hot path updates each record once per event).
 */
import type { HoldReleaser, Operation } from '../trace/event.ts';

/** -1 in any seq field means "not (yet) seen". */
export const NONE = -1;

/** Indicate, progress SetStatus, final SetStatus, or a SetStatus with invalid lFlags. */
export type CallbackKind = 'indicate' | 'progress' | 'final' | 'other';

export interface CallbackRec {
  cb: string;
  /** The call it belongs to; null when neither the trace nor elimination could say. */
  call: CallRec | null;
  /** Attributed by a choice among several pending calls on a shared sink (item 2). */
  ambiguous: boolean;
  sink: string;
  kind: CallbackKind;
  entered: number;
  returned: number;
  ret: number;
  held: boolean;
  /** How long the client holds it at most (the watchdog bound or a fixed hold's period), when the trace says. */
  holdBound: number | undefined;
  /** seq of hold.released, and by whom. */
  released: number;
  releasedBy: HoldReleaser | null;
  count: number;
  lFlags: number;
  hResult: number;
  errorObject: boolean;
  /**
   * The earliest moment the broker can have started this callback: the return of the call's
   * previous callback, or that callback's entry if it was still running (the side favouring the
   * broker), or NONE for the call's first callback.
   */
  startBound: number;
  /** The call's callback that was still in progress when this one entered. */
  overlapped: CallbackRec | null;
  /** The call of the previous callback on the same sink (ORDER-NOT-GUARANTEED). */
  prevOnSink: CallRec | null;
  t: number | undefined;
  tReturned: number | undefined;
  thread: string | undefined;
}

export interface ProviderRec {
  kind: string;
  started: number;
  produced: number;
  completed: number;
  completedHr: number;
  cancelRequested: number;
  cancelAnswer: number;
  stopped: number;
}

export interface CallRec {
  id: string;
  /** Marks that checks keep about this call (by a key of their own); they go when the record goes. */
  notes?: Record<string, number>;
  op: Operation;
  services: string;
  sink: string | null;
  flags: number;
  swsink: string | undefined;
  entered: number;
  returned: number;
  hr: number;
  /** Made from inside this callback (client rules). */
  fromCallback: CallbackRec | null;
  callbacks: number;
  indicates: number;
  objects: number;
  progress: number;
  inProgress: number;
  /** The most recently started callback of this call. */
  last: CallbackRec | null;
  /** seq of the latest return of one of its callbacks. */
  lastReturn: number;
  final: CallbackRec | null;
  finals: number;
  finalReturned: number;
  /** Window of d, the moment the broker called the final SetStatus (item 1), once the final entered. */
  dLo: number;
  dHi: number;
  /** seq of the broker's final-decided annotation, and its hResult. */
  dAnnotation: number;
  dAnnotationHr: number;
  /**
   * seq of the first `cancel processed` annotation inside its window that listed this call, from
   * any cancel (one made from inside a callback too): its CallCancelled was set then.
   */
  listedAt: number;
  /** Client cancels (not from a callback) that cover this call (CANCEL-COVERS-SHARING-CALLS). */
  cancels: CancelRec[] | null;
  /** seq of the return of an Indicate / progress that failed (SINK-ERROR-CANCELS). */
  sinkError: number;
  /** The client cancelled from inside one of this call's callbacks (a client fault, item 6). */
  cancelledFromOwnCallback: boolean;
  provider: ProviderRec | null;
  /** Ended: final returned, or the method failed. */
  ended: boolean;
  /** SWbemSink events of this call. */
  swCompleted: number;
  swLastOther: number;
  swCancelled: boolean;
}

export interface WaitRec {
  cb: CallbackRec;
  release: number;
  t: number | undefined;
  /** The hold's declared bound, when the trace gave one. */
  bound: number | undefined;
}

export interface CancelRec {
  id: string;
  /** Marks that checks keep about this cancel (by a key of their own); they go when the record goes. */
  notes?: Record<string, number>;
  services: string;
  sink: string | null;
  entered: number;
  returned: number;
  hr: number;
  fromCallback: CallbackRec | null;
  /** Calls it must cancel: pending on the sink through the same services, returned before it entered. */
  covered: CallRec[];
  /** Window of p, the moment the broker processed it (item 1); exact when annotated inside it. */
  pLo: number;
  pHi: number;
  closed: boolean;
  exact: boolean;
  /** The held callback whose return bounded p, when one did (item 4: findings may be derived). */
  heldBound: CallbackRec | null;
  annotation: number;
  annotationCalls: string[] | null;
  /** Late callbacks of covered calls awaiting the window's close (capped), and how many did not fit. */
  pendingLate: CallbackRec[] | null;
  lateOverflow: number;
  /**
   * A held callback other than a final status (CANCEL-DOES-NOT-WAIT-FOR-CLIENT), or a held final
   * status (CANCEL-DOES-NOT-WAIT-FOR-FINAL), was in progress at some time while it was pending.
   */
  sawHeld: boolean;
  sawHeldFinal: boolean;
  /** Held callbacks released by the watchdog while it was pending (item 4). */
  waitedOn: WaitRec[] | null;
  watchdogVerdict: 'deadlock' | 'slow' | null;
  /** Item 4's conviction, set when it returns or at the run's end. */
  waited: 'no' | 'yes' | 'slow';
  /** Client's own references to the sink were all released before it entered. */
  afterClientRelease: boolean;
  t: number | undefined;
  tReturned: number | undefined;
}

export interface SinkRec {
  id: string;
  /** The inner sink, when this is an unsecured-apartment wrapper. */
  wraps: string | undefined;
  /** The wrapper around this inner sink, when there is one. */
  wrapper: string | undefined;
  count: number;
  /** seq of a recorded Release that left the count at zero (no party holds it), NONE otherwise. */
  deadSince: number;
  /** The trace recorded an AddRef on this sink: its counts can be judged (black-box traces). */
  refCounted: boolean;
  brokerNet: number;
  clientNet: number;
  clientReleased: number;
  /**
   * A callback without a call id was once attributed by a guess on this sink: every later
   * attribution by elimination rests on that guess, so it is a guess too (item 2).
   */
  guessed: boolean;
  /** Calls on this sink that have not ended. */
  open: CallRec[];
  accepted: boolean;
  /** The IWbemServices objects through which calls on this sink were accepted (RELEASED-BEFORE-CANCEL-RETURNS). */
  acceptedVia: Set<string> | null;
  lastCall: CallRec | null;
  /** The call of the latest callback on this sink (ORDER-NOT-GUARANTEED). */
  lastCallbackCall: CallRec | null;
  /** The last cancel on this sink that returned (LINT-WAIT-FOR-CALLBACKS-IN-FLIGHT). */
  lastCancel: CancelRec | null;
  /** seq at which the sink's last call ended while the broker still held a reference (RELEASE-PROMPTLY). */
  awaitingRelease: number;
}

/** Calls through one IWbemServices object (OVERLAPPING-/SEQUENTIAL-CALLS-ACCEPTED). */
export interface ServicesRec {
  /** Accepted calls that have not ended. */
  open: CallRec[];
  /** Some accepted call through it has ended. */
  finished: boolean;
}

/** A check's mark on a record (see `notes`), undefined when never set. */
export function noteOf(r: { notes?: Record<string, number> }, key: string): number | undefined {
  return r.notes?.[key];
}

/** Sets a check's mark on a record. */
export function setNote(r: { notes?: Record<string, number> }, key: string, value: number): void {
  (r.notes ??= {})[key] = value;
}
