/**
 * NULL-SINK-REJECTED (should, broker). ExecMethodAsync page: the sink "Cannot be NULL";
 * [MS-WMI] 3.1.1.1.3. A NULL sink must fail at once with WBEM_E_INVALID_PARAMETER (no callback
 * can reach a NULL sink, so the return value is all there is to judge).
 */
import type { TraceEvent } from '../trace/event.ts';
import { WBEM_E_INVALID_PARAMETER } from '../trace/hresult.ts';
import { BaseCheck, NONE, callName, hrName, type CheckFactory } from './base-check.ts';
import type { Tracker } from './tracker.ts';

class NullSinkRejected extends BaseCheck {
  readonly types = ['call.returned'] as const;
  constructor(t: Tracker) { super(t, 'NULL-SINK-REJECTED'); }

  override event(e: TraceEvent): void {
    const c = this.t.call;
    if (!c || c.sink !== null || e.type !== 'call.returned') return;
    // Over a lost transport the call never reached the broker: its answer is the transport's.
    if (this.t.transportLost !== NONE) { this.out.exempt('made after the transport was lost (TRANSPORT-FAILURE)'); return; }
    this.out.exercise();
    if (e.hr !== WBEM_E_INVALID_PARAMETER) {
      this.out.violate([c.entered, e.seq], `${callName(c)} with a NULL sink returned ${hrName(e.hr)}, not WBEM_E_INVALID_PARAMETER.`);
    }
  }
}

/** The check of NULL-SINK-REJECTED. */
export const nullSinkRejected: CheckFactory = (t) => new NullSinkRejected(t);
