/**
 * CALLS-MAY-CALL-BACK-CONCURRENTLY (may). 003: "WMI does not guarantee the order of the
 * callback"; observed on Wine. Callbacks of different calls running at once are legal.
 */
import { BaseCheck, type CheckFactory } from './base-check.ts';
import type { Tracker } from './tracker.ts';

class CallsMayCallBackConcurrently extends BaseCheck {
  readonly types = ['indicate.entered', 'setstatus.entered'] as const;
  constructor(t: Tracker) { super(t, 'CALLS-MAY-CALL-BACK-CONCURRENTLY'); }

  override event(): void {
    if (this.t.callbacks.size < 2) return;
    const cb = this.t.callback!;
    for (const other of this.t.callbacks.values()) {
      if (other !== cb && other.call !== cb.call) {
        this.out.use();
        return;
      }
    }
  }
}

/** The check of CALLS-MAY-CALL-BACK-CONCURRENTLY. */
export const callsMayCallBackConcurrently: CheckFactory = (t) => new CallsMayCallBackConcurrently(t);
