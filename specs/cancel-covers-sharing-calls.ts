/**
 * CANCEL-COVERS-SHARING-CALLS (must). 000: "the CancelAsyncCall method cancels all asynchronous
 * calls sharing this object sink"; 002; [MS-WMI] 3.1.4.3.2. When a cancel covers several calls
 * (same sink, same IWbemServices, method returned before the cancel entered), it must not cancel
 * some and spare others: decided from the broker's annotation when it lists the calls it
 * processed, or when one covered call ended cancelled and another surely was not.
 */
import { WBEM_E_CALL_CANCELLED } from '../trace/hresult.ts';
import { BaseCheck, NONE, callName, type CheckFactory } from './base-check.ts';
import { precedes } from './placement.ts';
import type { Tracker } from './tracker.ts';
import type { CallRec, CancelRec } from './records.ts';

class CancelCoversSharingCalls extends BaseCheck {
  readonly types = [] as const;
  constructor(t: Tracker) {
    super(t, 'CANCEL-COVERS-SHARING-CALLS');
    this.out.attributionDependent = true;
  }

  cancelClosed(k: CancelRec): void {
    if (k.covered.length < 2) return;
    this.out.exercise();
    if (!k.exact || !k.annotationCalls) return;
    for (const c of k.covered) {
      // A call whose final status was already called before the processing is not pending any more.
      const stillPending = c.final === null || (c.dLo !== NONE && c.dLo > k.annotation);
      // Without CoInitializeSecurity a call may have ended with no callback at all (NO-SECURITY-NO-COMPLETION).
      if (c.final === null && c.callbacks === 0 && this.t.noSecurity !== NONE) continue;
      if (stillPending && !k.annotationCalls.includes(c.id)) {
        this.out.violate([k.entered, k.annotation], `Cancel ${k.id} processed calls ${k.annotationCalls.join(', ')} but not ${callName(c)}, which shares the sink.`);
      }
    }
  }

  pairReady(k: CancelRec, c: CallRec): void {
    if (k.covered.length < 2 || k.exact) return;
    const f = c.final!;
    if (f.hResult === WBEM_E_CALL_CANCELLED || precedes(k.pLo, k.pHi, c.dLo, c.dHi) !== 'all') return;
    const other = k.covered.find((o) => o !== c && o.final?.hResult === WBEM_E_CALL_CANCELLED);
    if (other) {
      this.out.violate([k.entered, other.final!.entered, f.entered],
        `Cancel ${k.id} cancelled call ${other.id} but ${callName(c)}, pending on the same sink, ended with its own status.`);
    }
  }
}

/** The check of CANCEL-COVERS-SHARING-CALLS. */
export const cancelCoversSharingCalls: CheckFactory = (t) => new CancelCoversSharingCalls(t);
