/**
 * Validates a trace line by line: the shape of each line against `EVENT_FIELDS` (the table that
 * `specs/trace.schema.json` is generated from, so the two agree), then what a schema cannot say:
 * the header comes first, `seq` strictly increases, and every returned callback, returned cancel,
 * returned call and callback's `call` names something the trace issued.
 *
 * Hand-rolled rather than ajv because it runs once per event of million-event traces; the
 * schema test checks that ajv and this validator agree on the same samples.
 */
import { EVENT_FIELDS, COMMON_FIELDS, OPERATIONS, V1_EVENT_FIELDS, type FieldSpec, type FieldType, type TraceLine } from './event.ts';
import { TraceInputError } from './trace-input-error.ts';
import { CappedSet } from './capped-set.ts';

const OPERATION_SET = new Set<string>(OPERATIONS);
const RECORDERS = new Set(['simulation', 'stdio', 'recorder', 'hand']);
/**
 * How many call and cancel ids are remembered to tell "never issued" from "finished long ago" (and
 * to catch an id issued twice): the judge's own history of finished calls and sinks has the same
 * bound, so that memory follows what is open, not the length of the trace.
 */
const ISSUED_CAP = 16_384;

type Obj = Record<string, unknown>;

/** Why `v` is not of field type `t`, or null when it is. */
function typeError(v: unknown, t: FieldType | readonly string[]): string | null {
  if (Array.isArray(t)) return typeof v === 'string' && t.includes(v) ? null : `one of ${t.join(', ')}`;
  switch (t) {
    case 'string': return typeof v === 'string' ? null : 'a string';
    case 'integer': return Number.isInteger(v) ? null : 'an integer';
    case 'number': return typeof v === 'number' && Number.isFinite(v) ? null : 'a number';
    case 'boolean': return typeof v === 'boolean' ? null : 'a boolean';
    case 'string|null': return v === null || typeof v === 'string' ? null : 'a string or null';
    case 'string[]': return Array.isArray(v) && v.every((x) => typeof x === 'string') ? null : 'an array of strings';
    case 'operation': return typeof v === 'string' && OPERATION_SET.has(v) ? null : `one of ${OPERATIONS.join(', ')}`;
    // HRESULTs are unsigned 32-bit integers in traces (trace/hresult.ts).
    case 'hresult': return Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 0xffffffff ? null : 'an HRESULT (unsigned 32-bit integer)';
  }
  return 'of an unknown type';
}

function checkFields(o: Obj, spec: FieldSpec, line: number, type: string): void {
  for (const name in spec.required) {
    if (!(name in o)) throw new TraceInputError(line, `${type} event lacks required field "${name}"`);
    const err = typeError(o[name], spec.required[name]!);
    if (err) throw new TraceInputError(line, `${type} field "${name}" must be ${err}`);
  }
  const optional = spec.optional ?? {};
  for (const name in o) {
    if (name === 'type' || name in spec.required) continue;
    const t = optional[name] ?? COMMON_FIELDS[name];
    if (t === undefined) throw new TraceInputError(line, `${type} event has unknown field "${name}"`);
    const err = typeError(o[name], t);
    if (err) throw new TraceInputError(line, `${type} field "${name}" must be ${err}`);
  }
}

function checkHeader(o: Obj, line: number): void {
  const need = (cond: boolean, what: string) => { if (!cond) throw new TraceInputError(line, `header: ${what}`); };
  need(o.seq === 0, '"seq" must be 0');
  need(o.format === 'wbemsim-trace', '"format" must be "wbemsim-trace"');
  need(o.version === 1 || o.version === 2, '"version" must be 1 or 2');
  need(typeof o.recorder === 'string' && RECORDERS.has(o.recorder), '"recorder" must be one of simulation, stdio, recorder, hand');
  const b = o.broker as Obj | undefined;
  need(typeof b === 'object' && b !== null && typeof b.name === 'string' && typeof b.version === 'string', '"broker" must be {name, version} strings');
  need(typeof o.inProcess === 'boolean', '"inProcess" must be a boolean');
  need(typeof o.whiteBox === 'boolean', '"whiteBox" must be a boolean');
  need(o.seed === undefined || Number.isInteger(o.seed), '"seed" must be an integer');
  need(o.token === undefined || typeof o.token === 'string', '"token" must be a string');
  need(o.workload === undefined || typeof o.workload === 'string', '"workload" must be a string');
  for (const f of ['controlCancelLatencyMs', 'settleMs']) {
    need(o[f] === undefined || (typeof o[f] === 'number' && Number.isFinite(o[f]) && (o[f] as number) >= 0), `"${f}" must be a number of ms, at least 0`);
  }
}

/** Accepts the lines of one trace in order; throws `TraceInputError` at the first bad one. */
export class LineValidator {
  private lastSeq = -1;
  private sawHeader = false;
  /** Event types this trace's format version defines. */
  private fields: Record<string, FieldSpec> = EVENT_FIELDS;
  private readonly openCalls = new Set<string>();
  private readonly issuedCalls = new CappedSet(ISSUED_CAP);
  /** Callbacks in progress, with how the client holds them when the trace says. */
  private readonly openCallbacks = new Map<string, string | undefined>();
  private readonly openCancels = new Set<string>();
  private readonly issuedCancels = new CappedSet(ISSUED_CAP);
  /** Releases of IWbemServices objects entered and not yet returned, by object. */
  private readonly releasingServices = new Map<string, number>();

  /** Checks one parsed line (`line` is its 1-based line number) and returns it typed. */
  accept(value: unknown, line: number): TraceLine {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new TraceInputError(line, 'not a JSON object');
    }
    const o = value as Obj;
    const type = o.type;
    if (!this.sawHeader) {
      if (type !== 'header') throw new TraceInputError(line, `the first line must be the header, found ${JSON.stringify(type)}`);
      checkHeader(o, line);
      if (o.version === 1) this.fields = { ...EVENT_FIELDS, ...V1_EVENT_FIELDS };
      this.sawHeader = true;
      this.lastSeq = 0;
      return value as TraceLine;
    }
    if (type === 'header') throw new TraceInputError(line, 'a second header');
    if (typeof type !== 'string' || !(type in this.fields)) {
      throw new TraceInputError(line, `unknown event type ${JSON.stringify(type)}`);
    }
    if (!Number.isInteger(o.seq)) throw new TraceInputError(line, `${type} event lacks an integer "seq"`);
    const seq = o.seq as number;
    if (seq <= this.lastSeq) throw new TraceInputError(line, `seq ${seq} is not greater than the previous seq ${this.lastSeq}`);
    checkFields(o, this.fields[type]!, line, type);
    this.lastSeq = seq;
    this.checkReferences(o, type, line);
    return value as TraceLine;
  }

  /** Names must refer to things the trace issued ("a callback naming a call never issued"). */
  private checkReferences(o: Obj, type: string, line: number): void {
    switch (type) {
      case 'call.entered': {
        const call = o.call as string;
        if (this.openCalls.has(call) || this.issuedCalls.has(call)) throw new TraceInputError(line, `call "${call}" is issued twice`);
        this.openCalls.add(call);
        this.issuedCalls.add(call);
        if (o.fromCallback !== undefined) this.needCallback(o.fromCallback as string, line, type);
        return;
      }
      case 'call.returned': {
        const call = o.call as string;
        if (!this.openCalls.delete(call)) throw new TraceInputError(line, `call.returned names call "${call}", which was never entered or already returned`);
        return;
      }
      case 'indicate.entered':
      case 'setstatus.entered': {
        const cb = o.cb as string;
        if (this.openCallbacks.has(cb)) throw new TraceInputError(line, `callback "${cb}" entered twice`);
        this.openCallbacks.set(cb, o.hold as string | undefined);
        const call = o.call as string | undefined;
        if (call !== undefined && !this.issuedCalls.has(call) && !this.issuedCalls.evicted) {
          throw new TraceInputError(line, `${type} names call "${call}", which was never issued`);
        }
        return;
      }
      case 'indicate.returned':
      case 'setstatus.returned': {
        if (!this.openCallbacks.delete(o.cb as string)) {
          throw new TraceInputError(line, `${type} names callback "${o.cb}", which is not in progress (never entered or already returned)`);
        }
        const call = o.call as string | undefined;
        if (call !== undefined && !this.issuedCalls.has(call) && !this.issuedCalls.evicted) {
          throw new TraceInputError(line, `${type} names call "${call}", which was never issued`);
        }
        return;
      }
      case 'services.release.entered':
        this.releasingServices.set(o.services as string, (this.releasingServices.get(o.services as string) ?? 0) + 1);
        return;
      case 'services.release.returned': {
        const n = this.releasingServices.get(o.services as string) ?? 0;
        if (n === 0) throw new TraceInputError(line, `services.release.returned names IWbemServices "${o.services}", whose Release was not entered`);
        if (n === 1) this.releasingServices.delete(o.services as string);
        else this.releasingServices.set(o.services as string, n - 1);
        return;
      }
      case 'hold.released': {
        this.needCallback(o.cb as string, line, type);
        // A fixed-period hold ends by its timer; a hold until the cancel returns never does.
        const hold = this.openCallbacks.get(o.cb as string);
        if (hold !== undefined && (o.by === 'timer') !== (hold === 'fixed-period')) {
          throw new TraceInputError(line, `hold.released by ${o.by} does not end a ${hold} hold`);
        }
        return;
      }
      case 'cancel.entered': {
        const cancel = o.cancel as string;
        if (this.openCancels.has(cancel) || this.issuedCancels.has(cancel)) throw new TraceInputError(line, `cancel "${cancel}" is issued twice`);
        this.openCancels.add(cancel);
        this.issuedCancels.add(cancel);
        if (o.fromCallback !== undefined) this.needCallback(o.fromCallback as string, line, type);
        return;
      }
      case 'cancel.returned':
        if (!this.openCancels.delete(o.cancel as string)) {
          throw new TraceInputError(line, `cancel.returned names cancel "${o.cancel}", which was never entered or already returned`);
        }
        return;
    }
  }

  private needCallback(cb: string, line: number, type: string): void {
    if (!this.openCallbacks.has(cb)) throw new TraceInputError(line, `${type} names callback "${cb}", which is not in progress`);
  }

  /** Throws when the trace had no header at all (an empty file is bad input). */
  end(): void {
    if (!this.sawHeader) throw new TraceInputError(0, 'empty trace: no header line');
  }
}
