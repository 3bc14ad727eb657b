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
] as const;
export type Operation = (typeof OPERATIONS)[number];

/** Who produced a trace (RULES.md, "What a trace must carry": the header). */
export type Recorder = 'simulation' | 'stdio' | 'recorder' | 'hand';

export interface TraceHeader {
  seq: 0;
  type: 'header';
  format: 'wbemsim-trace';
  version: 1;
  recorder: Recorder;
  broker: { name: string; version: string };
  /** The broker runs in the client's process (reference counts are then exact). */
  inProcess: boolean;
  /** White-box traces carry provider events, annotations and virtual time. */
  whiteBox: boolean;
  seed?: number;
  token?: string;
  workload?: string;
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
  /** The SWbemSink through which a script made the call, when it did. */
  swsink?: string;
  /** The cb id when the client made this call from inside a sink callback (LINT-NO-WMI-CALLS-IN-EVENT-SINK). */
  fromCallback?: string;
}
export interface CallReturned extends Base { type: 'call.returned'; call: string; hr: number }

/** IWbemObjectSink::Indicate started. `call` is absent when a black-box recorder cannot attribute it. */
export interface IndicateEntered extends Base {
  type: 'indicate.entered'; cb: string; sink: string; call?: string; count: number;
  /** The client holds this callback until the cancel returns or a watchdog fires. */
  held?: boolean;
}
export interface IndicateReturned extends Base { type: 'indicate.returned'; cb: string; ret: number }
/** IWbemObjectSink::SetStatus started; lFlags 0 = final (WBEM_STATUS_COMPLETE), 2 = progress. */
export interface SetStatusEntered extends Base {
  type: 'setstatus.entered'; cb: string; sink: string; call?: string; lFlags: number; hResult: number;
  errorObject: boolean; held?: boolean;
}
export interface SetStatusReturned extends Base { type: 'setstatus.returned'; cb: string; ret: number }
/** A held callback was let go: by the cancel's return, or by the watchdog bound. */
export interface HoldReleased extends Base { type: 'hold.released'; cb: string; by: 'cancel-returned' | 'watchdog' }

/** IWbemServices::CancelAsyncCall entered; `fromCallback` is the cb id when called from inside a callback. */
export interface CancelEntered extends Base {
  type: 'cancel.entered'; cancel: string; services: string; sink: string | null; fromCallback?: string;
}
export interface CancelReturned extends Base { type: 'cancel.returned'; cancel: string; hr: number }

/** Reference counting on a sink; `count` is the count after the operation. */
export interface SinkAddRef extends Base { type: 'sink.addref'; sink: string; count: number; by?: RefParty; call?: string }
export interface SinkRelease extends Base { type: 'sink.release'; sink: string; count: number; by?: RefParty; call?: string }
export type RefParty = 'broker' | 'client' | 'com' | 'scripting';
/** The client released its IWbemServices object. */
export interface ServicesReleased extends Base { type: 'services.release'; services: string }

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

/** The end of a run: quiescent (decisive), or cut at a bound, a deadlock or a broken broker process. */
export interface RunEnd extends Base {
  type: 'run.end'; reason: 'quiescent' | 'bound' | 'deadlock' | 'crash' | 'timeout' | 'protocol-error' | 'recording-end';
  detail?: string;
}

export type TraceEvent =
  | SinkCreated | CallEntered | CallReturned
  | IndicateEntered | IndicateReturned | SetStatusEntered | SetStatusReturned | HoldReleased
  | CancelEntered | CancelReturned
  | SinkAddRef | SinkRelease | ServicesReleased
  | NoSecurityMarker | TransportLostMarker | AuthLevelMarker | WatchdogMarker
  | ProviderStarted | ProviderProduced | ProviderCompleted | ProviderCancelRequested | ProviderStopped
  | CancelProcessed | FinalDecided
  | SwbemSinkCreated | SwbemCancelEntered | SwbemCancelReturned | SwbemNothing | SwbemEvent
  | ClientSaw | RunEnd;

export type TraceEventType = TraceEvent['type'];
export type TraceLine = TraceHeader | TraceEvent;
/** An event before the trace writer numbered it. */
export type UnnumberedEvent = TraceEvent extends infer E ? (E extends TraceEvent ? Omit<E, 'seq'> : never) : never;

/** JSON types of fields, used to generate the JSON Schema and to validate traces fast. */
type FieldType = 'string' | 'integer' | 'number' | 'boolean' | 'string|null' | 'string[]' | 'operation' | 'hresult';
interface FieldSpec { required: Record<string, FieldType | readonly string[]>; optional?: Record<string, FieldType | readonly string[]> }

const REF_PARTIES = ['broker', 'client', 'com', 'scripting'] as const;

/** Field table of every event type: the source of `specs/trace.schema.json`. */
export const EVENT_FIELDS: Record<TraceEventType, FieldSpec> = {
  'sink.created': { required: { sink: 'string' }, optional: { wraps: 'string' } },
  'call.entered': { required: { call: 'string', op: 'operation', services: 'string', sink: 'string|null', flags: 'integer' }, optional: { swsink: 'string', fromCallback: 'string' } },
  'call.returned': { required: { call: 'string', hr: 'hresult' } },
  'indicate.entered': { required: { cb: 'string', sink: 'string', count: 'integer' }, optional: { call: 'string', held: 'boolean' } },
  'indicate.returned': { required: { cb: 'string', ret: 'hresult' } },
  'setstatus.entered': { required: { cb: 'string', sink: 'string', lFlags: 'integer', hResult: 'hresult', errorObject: 'boolean' }, optional: { call: 'string', held: 'boolean' } },
  'setstatus.returned': { required: { cb: 'string', ret: 'hresult' } },
  'hold.released': { required: { cb: 'string', by: ['cancel-returned', 'watchdog'] } },
  'cancel.entered': { required: { cancel: 'string', services: 'string', sink: 'string|null' }, optional: { fromCallback: 'string' } },
  'cancel.returned': { required: { cancel: 'string', hr: 'hresult' } },
  'sink.addref': { required: { sink: 'string', count: 'integer' }, optional: { by: REF_PARTIES, call: 'string' } },
  'sink.release': { required: { sink: 'string', count: 'integer' }, optional: { by: REF_PARTIES, call: 'string' } },
  'services.release': { required: { services: 'string' } },
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
  'run.end': { required: { reason: ['quiescent', 'bound', 'deadlock', 'crash', 'timeout', 'protocol-error', 'recording-end'] }, optional: { detail: 'string' } },
};

export const EVENT_TYPES = Object.keys(EVENT_FIELDS) as TraceEventType[];

/** Fields every event may carry. */
export const COMMON_FIELDS: Record<string, FieldType> = { seq: 'integer', t: 'number', thread: 'string' };

export type { FieldSpec, FieldType };
