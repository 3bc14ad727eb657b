/**
 * CANCEL-AFTER-END-MAY-SUCCEED (may). 000: "sometimes all that can be done is to release the
 * IWbemObjectSink pointer"; [MS-WMI] 3.1.4.3.2. A cancel on a sink whose calls all ended may
 * succeed or fail.
 */
import { BaseCheck, type CheckFactory } from './base-check.ts';
import type { Tracker } from './tracker.ts';

class CancelAfterEndMaySucceed extends BaseCheck {
  readonly types = ['cancel.returned'] as const;
  constructor(t: Tracker) { super(t, 'CANCEL-AFTER-END-MAY-SUCCEED'); }

  override event(): void {
    const k = this.t.cancel!;
    if (k.sink === null || k.fromCallback !== null) return;
    const s = this.t.sinks.get(k.sink);
    if ((s?.open.length ?? 0) === 0 && this.t.everAccepted(k.sink) === true && k.covered.every((c) => c.finalReturned !== -1 && c.finalReturned < k.entered)) this.out.use();
  }
}

/** The check of CANCEL-AFTER-END-MAY-SUCCEED. */
export const cancelAfterEndMaySucceed: CheckFactory = (t) => new CancelAfterEndMaySucceed(t);
