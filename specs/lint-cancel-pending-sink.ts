/**
 * LINT-CANCEL-PENDING-SINK (should, client). [MS-WMI] 3.2.4.2.9: cancel with the sink of a pending
 * call. Reported when no call on the sink is pending at the cancel's entry: none was ever made with
 * it, or all had their final status returned. NULL (a deliberate probe) is not reported; a racing
 * cancel (the final status still running) is no fault.
 */
import { BaseCheck, type CheckFactory } from './base-check.ts';
import type { Tracker } from './tracker.ts';

class LintCancelPendingSink extends BaseCheck {
  readonly types = ['cancel.entered'] as const;
  constructor(t: Tracker) { super(t, 'LINT-CANCEL-PENDING-SINK'); }

  override event(): void {
    const k = this.t.cancel!;
    if (k.sink === null) return;
    this.out.exercise();
    if ((this.t.sink?.open.length ?? 0) > 0) return;
    const ever = this.t.everAccepted(k.sink);
    this.out.violate([k.entered], ever
      ? `CancelAsyncCall ${k.id} used sink ${k.sink}, whose calls had all received their final status.`
      : `CancelAsyncCall ${k.id} used sink ${k.sink}, which no pending call was made with.`);
  }
}

/** The check of LINT-CANCEL-PENDING-SINK. */
export const lintCancelPendingSink: CheckFactory = (t) => new LintCancelPendingSink(t);
