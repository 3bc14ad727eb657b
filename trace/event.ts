/**
 * The trace event: the one contract between the simulator, stdio brokers, recorders, the
 * spec checks and the reports. Its JSON form is documented by `specs/trace.schema.json`,
 * which is generated from `EVENT_FIELDS` below (`npm run gen:schema`), so the two cannot drift.
 *
 * A trace is JSON lines: a `header` first, then events with strictly increasing `seq`.
 * Callbacks and cancels are two events each (entered, returned) so that overlapping and
 * blocked callbacks are visible.
 */

/** The asynchronous IWbemServices methods that wbemsim models. */
export const OPERATIONS = [
  'ExecQueryAsync',
  'CreateInstanceEnumAsync',
  'GetObjectAsync',
  'ExecMethodAsync',
  'PutInstanceAsync',
  'DeleteInstanceAsync',
  'ExecNotificationQueryAsync',
  'CreateClassEnumAsync',
  'PutClassAsync',
  'DeleteClassAsync',
] as const;
export type Operation = (typeof OPERATIONS)[number];

/** Who produced a trace (RULES.md, "What a trace must carry": the header). */
export type Recorder = 'simulation' | 'stdio' | 'recorder' | 'hand';

/** The format version this code writes; the reader also accepts version 1 and reads it as this one. */
export const TRACE_VERSION = 2;

export interface TraceHeader {
  seq: 0;
  type: 'header';
  format: 'wbemsim-trace';
  /** 2 for traces written now; a version-1 trace keeps its number and is read as version 2 (trace/upgrade-v1.ts). */
  version: 1 | 2;
  recorder: Recorder;
  broker: { name: string; version: string };
  /** The broker runs in the client's process (reference counts are then exact). */
  inProcess: boolean;
  /** White-box traces carry provider events, annotations and virtual time. */
  whiteBox: boolean;
  seed?: number;
  token?: string;
  workload?: string;
  /**
   * A recording's measured latency of a control cancel (one without a held callback), in ms.
   * RULES.md item 4: a cancel that returns within max(10 ms, ten times it) of a watchdog release waited.
   */
  controlCancelLatencyMs?: number;
  /**
   * A recording's settle period, in ms: a reference the broker still holds this long after its
   * sink's last call ended was not released promptly (RELEASE-PROMPTLY).
   */
  settleMs?: number;
}

interface Base {
  seq: number;
  /** Virtual time (simulation) or milliseconds since the recording started (recorder). */
  t?: number;
  /** The thread or context the event happened on, where known. */
  thread?: string;
}

/** A sink object appeared. `wraps` names the inner sink when this one is an unsecured-apartment stub. */
export interface SinkCreated extends Base { type: 'sink.created'; sink: string; wraps?: string }
/** The client called an async method; `sink` is the object passed (a wrapper or the inner sink), null for NULL. */
export interface CallEntered extends Base {
  type: 'call.entered'; call: string; op: Operation; services: string; sink: string | null; flags: number;
  /** The query text (ExecQueryAsync, ExecNotificationQueryAsync) and its language, e.g. WQL. */
  query?: string;
  language?: string;
  /** The SWbemSink through which a script made the call, when it did. */
  swsink?: string;
  /** The cb id when the client made this call from inside a sink callback (LINT-NO-WMI-CALLS-IN-EVENT-SINK). */
  fromCallback?: string;
}
export interface CallReturned extends Base { type: 'call.returned'; call: string; hr: number }

/**
 * How the client holds a callback: until a cancel with its sink returns (the watchdog lets it go
 * after `holdBound`), or for a fixed period `holdBound` (a recorder's timer). The bound is in the
 * trace's time unit (virtual time in simulation, ms in a recording).
 */
export type HoldKind = 'until-cancel' | 'fixed-period';
/** Who let a held callback go: the cancel's return, the watchdog bound, or a fixed hold's timer. */
export type HoldReleaser = 'cancel-returned' | 'watchdog' | 'timer';

/** IWbemObjectSink::Indicate started. `call` is absent when a black-box recorder cannot attribute it. */
export interface IndicateEntered extends Base {
  type: 'indicate.entered'; cb: string; sink: string; call?: string; count: number;
  /** The classes of the objects indicated, where the recorder knows them (attribution on shared sinks). */
  classes?: string[];
  /** The client holds this callback until the cancel returns or a watchdog fires. */
  held?: boolean;
  hold?: HoldKind;
  holdBound?: number;
}
/** Indicate returned; `call` where the recorder learnt the callback's call only by then. */
export interface IndicateReturned extends Base { type: 'indicate.returned'; cb: string; ret: number; call?: string }
/** IWbemObjectSink::SetStatus started; lFlags 0 = final (WBEM_STATUS_COMPLETE), 2 = progress. */
export interface SetStatusEntered extends Base {
  type: 'setstatus.entered'; cb: string; sink: string; call?: string; lFlags: number; hResult: number;
  errorObject: boolean; held?: boolean; hold?: HoldKind; holdBound?: number;
}
export interface SetStatusReturned extends Base { type: 'setstatus.returned'; cb: string; ret: number; call?: string }
/** A held callback was let go: by the cancel's return, the watchdog bound, or a fixed hold's timer. */
export interface HoldReleased extends Base { type: 'hold.released'; cb: string; by: HoldReleaser }

/** IWbemServices::CancelAsyncCall entered; `fromCallback` is the cb id when called from inside a callback. */
export interface CancelEntered extends Base {
  type: 'cancel.entered'; cancel: string; services: string; sink: string | null; fromCallback?: string;
}
export interface CancelReturned extends Base { type: 'cancel.returned'; cancel: string; hr: number }

/** Reference counting on a sink; `count` is the count after the operation. */
export interface SinkAddRef extends Base { type: 'sink.addref'; sink: string; count: number; by?: RefParty; call?: string }
export interface SinkRelease extends Base { type: 'sink.release'; sink: string; count: number; by?: RefParty; call?: string }
export type RefParty = 'broker' | 'client' | 'com' | 'scripting';
/** The client called Release on its IWbemServices object (a broker may finish its calls first). */
export interface ServicesReleaseEntered extends Base { type: 'services.release.entered'; services: string }
/** That Release returned; `count` is the value it returned (the remaining references), where known. */
export interface ServicesReleaseReturned extends Base { type: 'services.release.returned'; services: string; count?: number }

/** Markers (RULES.md, "What a trace must carry"). */
export interface NoSecurityMarker extends Base { type: 'marker.no-security' }
export interface TransportLostMarker extends Base { type: 'marker.transport-lost' }
export interface AuthLevelMarker extends Base { type: 'marker.auth-level'; cb: string; level: number; local?: boolean; anonymousAllowed?: boolean }
export interface WatchdogMarker extends Base {
  type: 'marker.watchdog'; verdict: 'deadlock' | 'slow'; cancel?: string; detail: string;
}

/** White-box only: the harness-owned provider of a call. */
export interface ProviderStarted extends Base { type: 'provider.started'; call: string; kind: ProviderKind }
export interface ProviderProduced extends Base { type: 'provider.produced'; call: string; count: number }
export interface ProviderCompleted extends Base { type: 'provider.completed'; call: string; hr: number }
export interface ProviderCancelRequested extends Base { type: 'provider.cancel-requested'; call: string; answer: number }
export interface ProviderStopped extends Base { type: 'provider.stopped'; call: string }
export type ProviderKind = 'instance' | 'method' | 'put' | 'delete' | 'event' | 'object';

/** White-box only: the broker's annotations of its unseen moments (RULES.md, "How a trace is judged", item 3). */
export interface CancelProcessed extends Base { type: 'annotation.cancel-processed'; cancel: string; calls: string[] }
export interface FinalDecided extends Base { type: 'annotation.final-decided'; call: string; hResult: number }

/** The scripting layer: SWbemSink. */
export interface SwbemSinkCreated extends Base { type: 'swbem.created'; swsink: string }
export interface SwbemCancelEntered extends Base { type: 'swbem.cancel.entered'; swsink: string; fromCallback?: string }
export interface SwbemCancelReturned extends Base { type: 'swbem.cancel.returned'; swsink: string; err: number }
/** The script set its SWbemSink variable to Nothing. */
export interface SwbemNothing extends Base { type: 'swbem.nothing'; swsink: string }
/** An event raised to the script: OnObjectReady, OnProgress or OnCompleted. */
export interface SwbemEvent extends Base {
  type: 'swbem.event'; swsink: string; call: string; event: 'OnObjectReady' | 'OnProgress' | 'OnCompleted'; hResult?: number;
}

/** What a client library's user saw (client models, next milestone). */
export interface ClientSaw extends Base { type: 'client.saw'; what: string; call?: string; detail?: string }

/**
 * White-box only: the broker has no enabled step (it is quiescent, though other parties may
 * still move). The simulator emits it only while the broker holds a reference to a sink whose
 * calls have all ended (RELEASE-PROMPTLY).
 */
export interface BrokerIdle extends Base { type: 'broker.idle' }

/** The end of a run: quiescent (decisive), or cut at a bound, a deadlock or a broken broker process. */
export interface RunEnd extends Base {
  type: 'run.end'; reason: 'quiescent' | 'bound' | 'deadlock' | 'crash' | 'timeout' | 'protocol-error' | 'recording-end';
  detail?: string;
}

export type TraceEvent =
  | SinkCreated | CallEntered | CallReturned
  | IndicateEntered | IndicateReturned | SetStatusEntered | SetStatusReturned | HoldReleased
  | CancelEntered | CancelReturned
  | SinkAddRef | SinkRelease | ServicesReleaseEntered | ServicesReleaseReturned
  | NoSecurityMarker | TransportLostMarker | AuthLevelMarker | WatchdogMarker
  | ProviderStarted | ProviderProduced | ProviderCompleted | ProviderCancelRequested | ProviderStopped
  | CancelProcessed | FinalDecided
  | SwbemSinkCreated | SwbemCancelEntered | SwbemCancelReturned | SwbemNothing | SwbemEvent
  | ClientSaw | BrokerIdle | RunEnd;

export type TraceEventType = TraceEvent['type'];
export type TraceLine = TraceHeader | TraceEvent;
/** An event before the trace writer numbered it. */
export type UnnumberedEvent = TraceEvent extends infer E ? (E extends TraceEvent ? Omit<E, 'seq'> : never) : never;

/** JSON types of fields, used to generate the JSON Schema and to validate traces fast. */
type FieldType = 'string' | 'integer' | 'number' | 'boolean' | 'string|null' | 'string[]' | 'operation' | 'hresult';
interface FieldSpec { required: Record<string, FieldType | readonly string[]>; optional?: Record<string, FieldType | readonly string[]> }

const REF_PARTIES = ['broker', 'client', 'com', 'scripting'] as const;
const HOLD_KINDS = ['until-cancel', 'fixed-period'] as const;
const HOLD_RELEASERS = ['cancel-returned', 'watchdog', 'timer'] as const;

/** Field table of every event type: the source of `specs/trace.schema.json`. */
export const EVENT_FIELDS: Record<TraceEventType, FieldSpec> = {
  'sink.created': { required: { sink: 'string' }, optional: { wraps: 'string' } },
  'call.entered': { required: { call: 'string', op: 'operation', services: 'string', sink: 'string|null', flags: 'integer' }, optional: { query: 'string', language: 'string', swsink: 'string', fromCallback: 'string' } },
  'call.returned': { required: { call: 'string', hr: 'hresult' } },
  'indicate.entered': { required: { cb: 'string', sink: 'string', count: 'integer' }, optional: { call: 'string', classes: 'string[]', held: 'boolean', hold: HOLD_KINDS, holdBound: 'number' } },
  'indicate.returned': { required: { cb: 'string', ret: 'hresult' }, optional: { call: 'string' } },
  'setstatus.entered': { required: { cb: 'string', sink: 'string', lFlags: 'integer', hResult: 'hresult', errorObject: 'boolean' }, optional: { call: 'string', held: 'boolean', hold: HOLD_KINDS, holdBound: 'number' } },
  'setstatus.returned': { required: { cb: 'string', ret: 'hresult' }, optional: { call: 'string' } },
  'hold.released': { required: { cb: 'string', by: HOLD_RELEASERS } },
  'cancel.entered': { required: { cancel: 'string', services: 'string', sink: 'string|null' }, optional: { fromCallback: 'string' } },
  'cancel.returned': { required: { cancel: 'string', hr: 'hresult' } },
  'sink.addref': { required: { sink: 'string', count: 'integer' }, optional: { by: REF_PARTIES, call: 'string' } },
  'sink.release': { required: { sink: 'string', count: 'integer' }, optional: { by: REF_PARTIES, call: 'string' } },
  'services.release.entered': { required: { services: 'string' } },
  'services.release.returned': { required: { services: 'string' }, optional: { count: 'integer' } },
  'marker.no-security': { required: {} },
  'marker.transport-lost': { required: {} },
  'marker.auth-level': { required: { cb: 'string', level: 'integer' }, optional: { local: 'boolean', anonymousAllowed: 'boolean' } },
  'marker.watchdog': { required: { verdict: ['deadlock', 'slow'], detail: 'string' }, optional: { cancel: 'string' } },
  'provider.started': { required: { call: 'string', kind: ['instance', 'method', 'put', 'delete', 'event', 'object'] } },
  'provider.produced': { required: { call: 'string', count: 'integer' } },
  'provider.completed': { required: { call: 'string', hr: 'hresult' } },
  'provider.cancel-requested': { required: { call: 'string', answer: 'hresult' } },
  'provider.stopped': { required: { call: 'string' } },
  'annotation.cancel-processed': { required: { cancel: 'string', calls: 'string[]' } },
  'annotation.final-decided': { required: { call: 'string', hResult: 'hresult' } },
  'swbem.created': { required: { swsink: 'string' } },
  'swbem.cancel.entered': { required: { swsink: 'string' }, optional: { fromCallback: 'string' } },
  'swbem.cancel.returned': { required: { swsink: 'string', err: 'hresult' } },
  'swbem.nothing': { required: { swsink: 'string' } },
  'swbem.event': { required: { swsink: 'string', call: 'string', event: ['OnObjectReady', 'OnProgress', 'OnCompleted'] }, optional: { hResult: 'hresult' } },
  'client.saw': { required: { what: 'string' }, optional: { call: 'string', detail: 'string' } },
  'broker.idle': { required: {} },
  'run.end': { required: { reason: ['quiescent', 'bound', 'deadlock', 'crash', 'timeout', 'protocol-error', 'recording-end'] }, optional: { detail: 'string' } },
};

export const EVENT_TYPES = Object.keys(EVENT_FIELDS) as TraceEventType[];

/**
 * Event types of format version 1 that version 2 replaced; the reader accepts them only in a
 * version-1 trace and maps them (trace/upgrade-v1.ts): `services.release` is both halves of the
 * `services.release.entered` / `services.release.returned` pair.
 */
export const V1_EVENT_FIELDS: Record<string, FieldSpec> = {
  'services.release': { required: { services: 'string' } },
};

/** Fields every event may carry. */
export const COMMON_FIELDS: Record<string, FieldType> = { seq: 'integer', t: 'number', thread: 'string' };

export type { FieldSpec, FieldType };
