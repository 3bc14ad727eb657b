/**
 * CANCEL-DOES-NOT-WAIT-FOR-FINAL (should, broker). [MS-WMI] 3.1.4.3.2: no waiting for the client,
 * here a sink held in a final SetStatus (the WBEM_E_CALL_CANCELLED one, or a race-winning final).
 * A should until Windows' own behaviour is recorded.
 */
import { BaseCheck, NONE, fromCallbackExemption, type CheckFactory } from './base-check.ts';
import { judgeWaiting } from './cancel-wait-verdict.ts';
import type { Tracker } from './tracker.ts';
import type { CancelRec } from './records.ts';

class CancelDoesNotWaitForFinal extends BaseCheck {
  readonly types = ['cancel.returned'] as const;
  constructor(t: Tracker) { super(t, 'CANCEL-DOES-NOT-WAIT-FOR-FINAL'); }

  override event(): void {
    this.judge(this.t.cancel!);
  }

  private judge(k: CancelRec): void {
    if (k.fromCallback !== null) {
      this.out.exempt(fromCallbackExemption(k));
      return;
    }
    if (k.sawHeldFinal) this.out.exercise();
    judgeWaiting(this.out, k, (w) => w.cb.kind === 'final', 'final SetStatus');
  }

  protected override end(): void {
    for (const k of this.t.cancels.values()) if (k.returned === NONE) this.judge(k);
  }
}

/** The check of CANCEL-DOES-NOT-WAIT-FOR-FINAL. */
export const cancelDoesNotWaitForFinal: CheckFactory = (t) => new CancelDoesNotWaitForFinal(t);
