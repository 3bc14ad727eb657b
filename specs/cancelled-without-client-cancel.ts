/**
 * CANCELLED-WITHOUT-CLIENT-CANCEL (may). WMI error constants page: "canceled internally or by the
 * user". A WBEM_E_CALL_CANCELLED final status with no client cancel is legal.
 */
import { WBEM_E_CALL_CANCELLED } from '../trace/hresult.ts';
import { BaseCheck, type CheckFactory } from './base-check.ts';
import type { Tracker } from './tracker.ts';

class CancelledWithoutClientCancel extends BaseCheck {
  readonly types = ['setstatus.entered'] as const;
  constructor(t: Tracker) { super(t, 'CANCELLED-WITHOUT-CLIENT-CANCEL'); }

  override event(): void {
    const cb = this.t.callback!;
    if (cb.kind === 'final' && cb.hResult === WBEM_E_CALL_CANCELLED && cb.call && cb.call.cancels === null) this.out.use();
  }
}

/** The check of CANCELLED-WITHOUT-CLIENT-CANCEL. */
export const cancelledWithoutClientCancel: CheckFactory = (t) => new CancelledWithoutClientCancel(t);
