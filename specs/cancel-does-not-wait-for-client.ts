/**
 * CANCEL-DOES-NOT-WAIT-FOR-CLIENT (must). [MS-WMI] 3.1.4.3.2: the broker "MUST NOT wait for any
 * response from the client". Convicted by holding (item 4): a cancel that returns only after the
 * watchdog released a held Indicate or progress SetStatus (of any call), or never, waited
 * (worked examples B and D).
 */
import { BaseCheck, NONE, fromCallbackExemption, type CheckFactory } from './base-check.ts';
import { judgeWaiting } from './cancel-wait-verdict.ts';
import type { Tracker } from './tracker.ts';
import type { CancelRec } from './records.ts';

class CancelDoesNotWaitForClient extends BaseCheck {
  readonly types = ['cancel.returned'] as const;
  constructor(t: Tracker) { super(t, 'CANCEL-DOES-NOT-WAIT-FOR-CLIENT'); }

  override event(): void {
    this.judge(this.t.cancel!);
  }

  private judge(k: CancelRec): void {
    if (k.fromCallback !== null) {
      this.out.exempt(fromCallbackExemption(k));
      return;
    }
    if (k.sawHeld) this.out.exercise();
    judgeWaiting(this.out, k, (w) => w.cb.kind !== 'final', 'Indicate or progress');
  }

  protected override end(): void {
    for (const k of this.t.cancels.values()) if (k.returned === NONE) this.judge(k);
  }
}

/** The check of CANCEL-DOES-NOT-WAIT-FOR-CLIENT. */
export const cancelDoesNotWaitForClient: CheckFactory = (t) => new CancelDoesNotWaitForClient(t);
