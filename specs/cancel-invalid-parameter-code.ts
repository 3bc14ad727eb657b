/**
 * CANCEL-INVALID-PARAMETER-CODE (should, broker). IMPLEMENTATIONS.md (Windows, read): CancelAsyncCall(NULL)
 * answers WBEM_E_INVALID_PARAMETER, and Windows' performance-data helper relies on it as a probe.
 */
import { WBEM_E_INVALID_PARAMETER } from '../trace/hresult.ts';
import { BaseCheck, NONE, hrName, type CheckFactory } from './base-check.ts';
import type { Tracker } from './tracker.ts';

class CancelInvalidParameterCode extends BaseCheck {
  readonly types = ['cancel.returned'] as const;
  constructor(t: Tracker) { super(t, 'CANCEL-INVALID-PARAMETER-CODE'); }

  override event(): void {
    const k = this.t.cancel!;
    if (k.sink !== null || k.fromCallback !== null) return;
    // Over a lost transport the cancel never reached the broker: its answer is the transport's.
    if (this.t.transportLost !== NONE) { this.out.exempt('made after the transport was lost (TRANSPORT-FAILURE)'); return; }
    this.out.exercise();
    if (k.hr !== WBEM_E_INVALID_PARAMETER) this.out.violate([k.entered, k.returned], `CancelAsyncCall(NULL) returned ${hrName(k.hr)}, not WBEM_E_INVALID_PARAMETER.`);
  }
}

/** The check of CANCEL-INVALID-PARAMETER-CODE. */
export const cancelInvalidParameterCode: CheckFactory = (t) => new CancelInvalidParameterCode(t);
