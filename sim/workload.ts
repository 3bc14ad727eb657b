/**
 * A workload is data: which sinks, calls and client actions exist. When each action happens is
 * the scheduler's choice; a workload only says what must come before it. Its JSON form is
 * specs/workload.schema.json, explained field by field in docs/workloads.md.
 */
import type { Operation } from '../trace/event.ts';

/** How a client sink behaves when the broker calls it. */
export type SinkBehaviour =
  /** Returns at once with S_OK. */
  | 'fast'
  /** Takes `delay` units of virtual time in each callback. */
  | 'slow'
  /** Holds each Indicate and progress SetStatus until a cancel with this sink returns, or the watchdog fires. */
  | 'hold'
  /** Holds the final SetStatus until a cancel with this sink returns, or the watchdog fires. */
  | 'hold-final'
  /** Returns WBEM_E_FAILED from Indicate. */
  | 'fail-indicate'
  /** Returns WBEM_E_FAILED from every SetStatus. */
  | 'fail-setstatus';

export interface SinkSpec {
  id: string;
  behaviour?: SinkBehaviour;
  /** Virtual time per callback for a `slow` sink. */
  delay?: number;
  /** The client passes an unsecured-apartment wrapper (stub) of this sink, named `<id>~stub`, to its calls. */
  wrapped?: boolean;
}

export interface CallSpec {
  id: string;
  op: Operation;
  /** The sink passed (its wrapper when the sink is wrapped); null passes NULL. Ignored with `swsink`. */
  sink: string | null;
  /** The call is made by a script through this SWbemSink (the scripting layer makes the sink). */
  swsink?: string;
  services?: string;
  /** lFlags of the call, e.g. WBEM_FLAG_SEND_STATUS (0x80). */
  flags?: number;
  /**
   * The query text passed to ExecQueryAsync or ExecNotificationQueryAsync; null passes NULL.
   * Absent: a valid query the workload does not spell out.
   */
  query?: string | null;
  /** The query language passed (e.g. `WQL`); null passes NULL. Absent: a valid one. */
  language?: string | null;
  /** Objects the provider produces (instance enumeration, query); events for a notification query. */
  objects?: number;
  /** Virtual time a method provider works (a lengthy method such as Win32_Volume.Defrag). */
  duration?: number;
  /** The provider's own final result (FINAL-STATUS-CARRIES-RESULT); S_OK when absent. */
  result?: number;
  /** The operation cannot start (a bad query): this HRESULT. */
  startError?: number;
  /** The provider answers WBEM_E_NOT_AVAILABLE when asked to cancel (the SDK sample's answer). */
  cancelUnsupported?: boolean;
  /** A call id whose async method must have returned first (`c1`), or whose final status must have returned (`c1.final`). */
  after?: string;
}

export type ClientAction =
  /**
   * CancelAsyncCall(sink). `inner` cancels with the inner sink of a wrapped sink; `fromCallback`
   * from inside one of the sink's callbacks: `true` an Indicate or a progress SetStatus, `'final'`
   * the final SetStatus.
   */
  | { kind: 'cancel'; id: string; sink: string | null; services?: string; after?: string; fromCallback?: boolean | 'final'; inner?: boolean }
  /** The client releases its own reference to the sink (and to its wrapper). */
  | { kind: 'release-sink'; sink: string; after?: string }
  /** The client releases its IWbemServices object. */
  | { kind: 'release-services'; services: string; after?: string }
  /** The script calls SWbemSink.Cancel (from inside one of its events with `fromCallback`). */
  | { kind: 'swbem-cancel'; swsink: string; after?: string; fromCallback?: boolean }
  /** The script sets its SWbemSink variable to Nothing. */
  | { kind: 'swbem-nothing'; swsink: string; after?: string }
  /** The connection to the broker is lost (a remote broker): nothing more reaches the client from it. */
  | { kind: 'transport-loss'; after?: string };

/** The workload format's version (specs/workload.schema.json); a workload without one is version 1. */
export const WORKLOAD_VERSION = 1;

/**
 * The broker runs in another process than the client (CALLBACK-AUTH-LEVEL): its callbacks reach
 * the sink through COM at an authentication level.
 */
export interface OutOfProcess {
  /**
   * The broker is on the client's machine and the authentication service is not Kerberos: every
   * callback then comes at RPC_C_AUTHN_LEVEL_NONE, whatever the broker asks for.
   */
  local?: boolean;
  /**
   * The broker's machine allows anonymous callbacks (UnsecAppAccessControlDefault not set,
   * AllowAnonymousCallback set): a callback at NONE is then acceptable.
   */
  anonymousCallbacks?: boolean;
}

export interface Workload {
  /** The format's version: 1 (the default when absent). */
  version?: typeof WORKLOAD_VERSION;
  name: string;
  description?: string;
  /** CoInitializeSecurity was called (default true). */
  security?: boolean;
  /** The broker runs in another process; absent: in the client's process, as the broker says. */
  outOfProcess?: OutOfProcess;
  sinks: SinkSpec[];
  /** SWbemSink objects of a script. */
  swbemsinks?: { id: string }[];
  calls: CallSpec[];
  actions?: ClientAction[];
}

/** The call an `after` waits for: `c1` for `c1` (its method returned) and for `c1.final` (its final status returned). */
export function afterCall(after: string): string {
  return after.endsWith('.final') ? after.slice(0, -6) : after;
}

/** What the simulator appends to a sink's id to name its wrapper (IUnsecuredApartment's stub). */
const WRAPPER_SUFFIX = '~stub';

/** The pointer of the wrapper of `sink`. */
export function wrapperOf(sink: string): string {
  return sink + WRAPPER_SUFFIX;
}

/** True when `pointer` names a wrapper. */
export function isWrapper(pointer: string): boolean {
  return pointer.endsWith(WRAPPER_SUFFIX);
}

/** The sink a pointer stands for: a wrapper's inner sink, or the sink itself. */
export function innerSink(pointer: string): string {
  return isWrapper(pointer) ? pointer.slice(0, -WRAPPER_SUFFIX.length) : pointer;
}

/** The sink object a client passes for `spec`: its wrapper when wrapped. */
export function passedSink(spec: SinkSpec): string {
  return spec.wrapped ? wrapperOf(spec.id) : spec.id;
}
