/**
 * CALLBACK-IN-FLIGHT-MAY-FINISH (may). [MS-WMI] 3.1.4.3.2; Async events page step 5; observed on
 * Windows 10. A callback of a cancelled call that returns, or starts (the allowed late one, or its
 * final status), after CancelAsyncCall returned is legal.
 */
import { BaseCheck, NONE, type CheckFactory } from './base-check.ts';
import type { Tracker } from './tracker.ts';

class CallbackInFlightMayFinish extends BaseCheck {
  readonly types = ['indicate.entered', 'setstatus.entered', 'indicate.returned', 'setstatus.returned'] as const;
  constructor(t: Tracker) { super(t, 'CALLBACK-IN-FLIGHT-MAY-FINISH'); }

  override event(): void {
    const c = this.t.call;
    if (!c?.cancels) return;
    const now = this.t.lastSeq;
    for (const k of c.cancels) if (k.returned !== NONE && k.returned < now) { this.out.use(); return; }
  }
}

/** The check of CALLBACK-IN-FLIGHT-MAY-FINISH. */
export const callbackInFlightMayFinish: CheckFactory = (t) => new CallbackInFlightMayFinish(t);
