/**
 * A tiny builder for hand-written test traces: numbers `seq` for you and returns each event's seq,
 * so a test reads like the worked examples of RULES.md ("1 ExecQueryAsync(s) entered · 2 returned").
 * Used by the spec tests and the CLI tests; not part of the public API.
 */
import type { HoldReleaser, Operation, TraceEvent, TraceHeader, TraceLine, UnnumberedEvent, RefParty } from '../trace/event.ts';
import { S_OK } from '../trace/hresult.ts';
import { judgeTrace, type JudgeResult } from './judge.ts';

export interface BuilderOptions {
  whiteBox?: boolean;
  inProcess?: boolean;
  recorder?: TraceHeader['recorder'];
  controlCancelLatencyMs?: number;
  settleMs?: number;
}

export class TraceBuilder {
  private readonly events: TraceEvent[] = [];
  /** Reference counts per sink; the client's own reference counts 1 from the start. */
  private readonly counts = new Map<string, number>();
  readonly header: TraceHeader;

  constructor(o: BuilderOptions = {}) {
    this.header = {
      seq: 0, type: 'header', format: 'wbemsim-trace', version: 2, recorder: o.recorder ?? 'hand',
      broker: { name: 'test', version: '0' }, inProcess: o.inProcess ?? true, whiteBox: o.whiteBox ?? false,
      ...(o.controlCancelLatencyMs !== undefined ? { controlCancelLatencyMs: o.controlCancelLatencyMs } : {}),
      ...(o.settleMs !== undefined ? { settleMs: o.settleMs } : {}),
    };
  }

  /** Appends any event; returns its seq. */
  add(e: UnnumberedEvent): number {
    const seq = this.events.length + 1;
    this.events.push({ ...e, seq } as TraceEvent);
    return seq;
  }

  call(call: string, sink: string | null, o: { op?: Operation; services?: string; flags?: number; swsink?: string; fromCallback?: string; query?: string; thread?: string } = {}): number {
    return this.add({ type: 'call.entered', call, op: o.op ?? 'ExecQueryAsync', services: o.services ?? 'svc', sink, flags: o.flags ?? 0,
      ...(o.query !== undefined ? { query: o.query, language: 'WQL' } : {}), ...(o.thread !== undefined ? { thread: o.thread } : {}),
      ...(o.swsink !== undefined ? { swsink: o.swsink } : {}), ...(o.fromCallback !== undefined ? { fromCallback: o.fromCallback } : {}) });
  }
  ret(call: string, hr = S_OK): number {
    return this.add({ type: 'call.returned', call, hr });
  }
  /** Indicate entered; `call` may be undefined for an unattributed black-box callback. */
  ind(cb: string, sink: string, call: string | undefined, o: { count?: number; held?: boolean; t?: number; classes?: string[]; thread?: string; hold?: 'until-cancel' | 'fixed-period'; holdBound?: number } = {}): number {
    return this.add({ type: 'indicate.entered', cb, sink, count: o.count ?? 1, ...(call !== undefined ? { call } : {}),
      ...(o.classes ? { classes: o.classes } : {}), ...(o.thread !== undefined ? { thread: o.thread } : {}),
      ...(o.held ? { held: true } : {}), ...(o.hold ? { hold: o.hold } : {}), ...(o.holdBound !== undefined ? { holdBound: o.holdBound } : {}),
      ...(o.t !== undefined ? { t: o.t } : {}) });
  }
  iret(cb: string, ret = S_OK, t?: number): number {
    return this.add({ type: 'indicate.returned', cb, ret, ...(t !== undefined ? { t } : {}) });
  }
  /** SetStatus entered: final (lFlags 0) unless `progress`. */
  status(cb: string, sink: string, call: string | undefined, hResult = S_OK, o: { lFlags?: number; held?: boolean; errorObject?: boolean } = {}): number {
    return this.add({ type: 'setstatus.entered', cb, sink, lFlags: o.lFlags ?? 0, hResult, errorObject: o.errorObject ?? false,
      ...(call !== undefined ? { call } : {}), ...(o.held ? { held: true } : {}) });
  }
  sret(cb: string, ret = S_OK): number {
    return this.add({ type: 'setstatus.returned', cb, ret });
  }
  cancel(cancel: string, sink: string | null, o: { services?: string; fromCallback?: string; t?: number } = {}): number {
    return this.add({ type: 'cancel.entered', cancel, services: o.services ?? 'svc', sink, ...(o.fromCallback !== undefined ? { fromCallback: o.fromCallback } : {}),
      ...(o.t !== undefined ? { t: o.t } : {}) });
  }
  cret(cancel: string, hr = S_OK, t?: number): number {
    return this.add({ type: 'cancel.returned', cancel, hr, ...(t !== undefined ? { t } : {}) });
  }
  /** AddRef; the count after it is computed. */
  addref(sink: string, by?: RefParty): number {
    const count = (this.counts.get(sink) ?? 1) + 1;
    this.counts.set(sink, count);
    return this.add({ type: 'sink.addref', sink, count, ...(by ? { by } : {}) });
  }
  /** Release; the count after it is computed. */
  release(sink: string, by?: RefParty): number {
    const count = (this.counts.get(sink) ?? 1) - 1;
    this.counts.set(sink, count);
    return this.add({ type: 'sink.release', sink, count, ...(by ? { by } : {}) });
  }
  /** A conformant white-box acceptance: the method entered, the broker's AddRef, the return. */
  accept(call: string, sink: string, o: Parameters<TraceBuilder['call']>[2] = {}): number {
    const seq = this.call(call, sink, o);
    this.addref(sink, 'broker');
    this.ret(call);
    return seq;
  }
  /** A conformant ending: the final status, its return, the broker's Release. */
  final(cb: string, sink: string, call: string, hResult = S_OK): number {
    const seq = this.status(cb, sink, call, hResult);
    this.sret(cb);
    this.release(sink, 'broker');
    return seq;
  }
  hold(cb: string, by: HoldReleaser = 'watchdog', t?: number): number {
    return this.add({ type: 'hold.released', cb, by, ...(t !== undefined ? { t } : {}) });
  }
  /** The client's Release of its IWbemServices object, entered and returned. */
  releaseServices(services = 'svc'): number {
    const seq = this.add({ type: 'services.release.entered', services });
    this.add({ type: 'services.release.returned', services });
    return seq;
  }
  end(reason: 'quiescent' | 'bound' | 'recording-end' = 'quiescent', t?: number): number {
    return this.add({ type: 'run.end', reason, ...(t !== undefined ? { t } : {}) });
  }

  lines(): TraceLine[] {
    return [this.header, ...this.events];
  }

  /** The trace as JSON-lines text. */
  text(): string {
    return this.lines().map((l) => JSON.stringify(l)).join('\n') + '\n';
  }

  judge(): JudgeResult {
    return judgeTrace(this.lines());
  }
}

/** The verdict of one rule in a result. */
export function verdictOf(r: JudgeResult, rule: string): string {
  return r.results.find((x) => x.rule === rule)!.verdict;
}

/** The must rules a result found violated, sorted. */
export function violatedRules(r: JudgeResult): string[] {
  return [...new Set(r.violations.map((f) => f.rule))].sort();
}
