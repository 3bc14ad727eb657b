/**
 * The lifecycle monitor: the compiled lifecycle machine run over a trace, one machine state per
 * call. An observed event that the machine rejects in the call's state is a violation of the
 * rule(s) the rejecting transition names. It judges white-box traces, where the broker annotated
 * its unseen moments (cancel processed, final status decided); black-box traces are judged by the
 * checks in specs/, which search the placements of those moments.
 *
 * It also records model coverage: the machine's state nodes and transitions a run reached.
 */
import { compiledMachine } from './compiled-machine.ts';
import type { CallEventType } from './lifecycle-machine.ts';
import type { TraceEvent } from '../trace/event.ts';
import { failed, WBEM_E_CALL_CANCELLED, WBEM_FLAG_SEND_STATUS, WBEM_STATUS_PROGRESS } from '../trace/hresult.ts';

/** A rejection by the monitor: the rules broken and the event (sequence number) that broke them. */
export interface MonitorRejection {
  rules: readonly string[];
  call: string;
  seq: number;
  event: CallEventType;
  /** The call's state when the event arrived, region by region. */
  state: Readonly<Record<string, string>>;
}

/** Reached state nodes and transitions, as bit sets over the compiled machine's lists. */
export class Coverage {
  readonly nodes: Uint8Array;
  readonly transitions: Uint8Array;
  constructor(nodeCount: number, transitionCount: number) {
    this.nodes = new Uint8Array(nodeCount);
    this.transitions = new Uint8Array(transitionCount);
  }
  merge(other: Coverage): void {
    for (let i = 0; i < this.nodes.length; i++) this.nodes[i]! |= other.nodes[i]!;
    for (let i = 0; i < this.transitions.length; i++) this.transitions[i]! |= other.transitions[i]!;
  }
}

export class Monitor {
  private readonly m = compiledMachine();
  private readonly state = new Map<string, number>();
  private readonly cbCall = new Map<string, { call: string; progress: boolean; final: boolean }>();
  private readonly brokerRefs = new Map<string, number>();
  readonly rejections: MonitorRejection[] = [];
  readonly coverage = new Coverage(this.m.stateNodes.length, this.m.transitions.length);

  /** Feeds one trace event. */
  event(e: TraceEvent): void {
    switch (e.type) {
      case 'call.entered':
        this.state.set(e.call, 0);
        this.mark(0);
        this.fire(e.call, e.op === 'ExecMethodAsync' ? 'CALL_METHOD' : e.op === 'ExecNotificationQueryAsync' ? 'CALL_NOTIFICATION' : 'CALL_OTHER', e.seq);
        if ((e.flags & WBEM_FLAG_SEND_STATUS) !== 0) this.fire(e.call, 'SEND_STATUS', e.seq);
        break;
      case 'call.returned': this.fire(e.call, failed(e.hr) ? 'RETURNED_ERROR' : 'RETURNED_OK', e.seq); break;
      case 'indicate.entered':
        if (e.call === undefined) break;
        this.cbCall.set(e.cb, { call: e.call, progress: false, final: false });
        this.fire(e.call, 'INDICATE_ENTERED', e.seq);
        break;
      case 'setstatus.entered': {
        if (e.call === undefined) break;
        const progress = e.lFlags === WBEM_STATUS_PROGRESS;
        this.cbCall.set(e.cb, { call: e.call, progress, final: !progress });
        // An unannotated d lies just before the final status's entry (the latest placement).
        if (!progress && this.m.stateValue(this.state.get(e.call) ?? 0).final === 'open') this.fire(e.call, 'FINAL_DECIDED', e.seq);
        this.fire(e.call, progress ? 'PROGRESS_ENTERED'
          : e.hResult === WBEM_E_CALL_CANCELLED ? 'FINAL_CANCELLED_ENTERED'
          : failed(e.hResult) ? 'FINAL_ERROR_ENTERED' : 'FINAL_OK_ENTERED', e.seq);
        break;
      }
      case 'indicate.returned':
      case 'setstatus.returned': {
        const cb = this.cbCall.get(e.cb);
        if (!cb) break;
        this.cbCall.delete(e.cb);
        const bad = failed(e.ret);
        this.fire(cb.call, cb.final ? 'FINAL_RETURNED'
          : cb.progress ? (bad ? 'PROGRESS_FAILED' : 'PROGRESS_RETURNED')
          : bad ? 'INDICATE_FAILED' : 'INDICATE_RETURNED', e.seq);
        break;
      }
      case 'annotation.cancel-processed': for (const c of e.calls) this.fire(c, 'CANCEL_PROCESSED', e.seq); break;
      case 'annotation.final-decided': this.fire(e.call, 'FINAL_DECIDED', e.seq); break;
      case 'sink.addref':
      case 'sink.release': {
        if (e.by !== 'broker' || e.call === undefined) break;
        const before = this.brokerRefs.get(e.call) ?? 0;
        const after = before + (e.type === 'sink.addref' ? 1 : -1);
        this.brokerRefs.set(e.call, after);
        if (before === 0 && after === 1) this.fire(e.call, 'REF_TAKEN', e.seq);
        else if (before === 1 && after === 0) this.fire(e.call, 'REF_RELEASED', e.seq);
        break;
      }
      case 'provider.started': this.fire(e.call, 'PROVIDER_STARTED', e.seq); break;
      case 'provider.produced': this.fire(e.call, 'PROVIDER_PRODUCED', e.seq); break;
      case 'provider.completed': this.fire(e.call, 'PROVIDER_COMPLETED', e.seq); break;
      case 'provider.cancel-requested': this.fire(e.call, 'PROVIDER_CANCEL_REQUESTED', e.seq); break;
      case 'provider.stopped': this.fire(e.call, 'PROVIDER_STOPPED', e.seq); break;
      default: break;
    }
  }

  /** The state of a call, region by region (for reports and tests). */
  stateOf(call: string): Readonly<Record<string, string>> | undefined {
    const s = this.state.get(call);
    return s === undefined ? undefined : this.m.stateValue(s);
  }

  private fire(call: string, type: CallEventType, seq: number): void {
    const s = this.state.get(call);
    if (s === undefined) return;
    const e = this.m.eventIndex(type);
    const next = this.m.step(s, e);
    const i = s * this.m.eventCount + e;
    const r = this.m.reject[i]!;
    if (r >= 0) this.rejections.push({ rules: this.m.ruleSets[r]!, call, seq, event: type, state: this.m.stateValue(s) });
    const t = this.m.took[i]!;
    if (t >= 0) for (const x of this.m.transitionSets[t]!) this.coverage.transitions[x] = 1;
    if (next !== s) { this.state.set(call, next); this.mark(next); }
  }

  private mark(s: number): void {
    for (const n of this.m.activeNodes(s)) this.coverage.nodes[n] = 1;
  }
}
