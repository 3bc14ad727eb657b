/**
 * TRANSPORT-FAILURE (may). 000: "COM-specific error codes can also be returned if network problems
 * cause you to lose the remote connection"; ExecQueryAsync page. After the trace's transport-lost
 * marker, failing returns and missing final statuses are legal.
 */
import type { TraceEvent } from '../trace/event.ts';
import { failed } from '../trace/hresult.ts';
import { BaseCheck, NONE, type CheckFactory } from './base-check.ts';
import type { Tracker } from './tracker.ts';

class TransportFailure extends BaseCheck {
  readonly types = ['call.returned', 'cancel.returned'] as const;
  constructor(t: Tracker) { super(t, 'TRANSPORT-FAILURE'); }

  override event(e: TraceEvent): void {
    if (this.t.transportLost !== NONE && (e.type === 'call.returned' || e.type === 'cancel.returned') && failed(e.hr)) this.out.use();
  }

  protected override end(): void {
    if (this.t.transportLost === NONE) return;
    for (const c of this.t.calls.values()) {
      const l = this.t.liveness(c);
      if (l.kind === 'excused' && l.rule === 'TRANSPORT-FAILURE') this.out.use();
    }
  }
}

/** The check of TRANSPORT-FAILURE. */
export const transportFailure: CheckFactory = (t) => new TransportFailure(t);
