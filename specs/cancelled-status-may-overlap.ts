/**
 * CANCELLED-STATUS-MAY-OVERLAP (may). [MS-WMI] 3.1.4.3.2: the broker "MUST NOT wait for any
 * response from the client", so the cancelled final status may start while another callback of
 * the call is still running. Recorded as used, never flagged.
 */
import { WBEM_E_CALL_CANCELLED } from '../trace/hresult.ts';
import { BaseCheck, type CheckFactory } from './base-check.ts';
import type { Tracker } from './tracker.ts';

class CancelledStatusMayOverlap extends BaseCheck {
  readonly types = ['setstatus.entered'] as const;
  constructor(t: Tracker) { super(t, 'CANCELLED-STATUS-MAY-OVERLAP'); }

  override event(): void {
    const cb = this.t.callback!;
    if (cb.kind === 'final' && cb.hResult === WBEM_E_CALL_CANCELLED && cb.overlapped) this.out.use();
  }
}

/** The check of CANCELLED-STATUS-MAY-OVERLAP. */
export const cancelledStatusMayOverlap: CheckFactory = (t) => new CancelledStatusMayOverlap(t);
