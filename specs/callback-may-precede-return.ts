/**
 * CALLBACK-MAY-PRECEDE-RETURN (may). Not forbidden by any source; observed on Wine
 * (IMPLEMENTATIONS.md: "sometimes before the method returned"). A callback before the method's
 * return is legal: this check only records that the freedom was used.
 */
import { BaseCheck, NONE, type CheckFactory } from './base-check.ts';
import type { Tracker } from './tracker.ts';

class CallbackMayPrecedeReturn extends BaseCheck {
  readonly types = ['indicate.entered', 'setstatus.entered'] as const;
  constructor(t: Tracker) { super(t, 'CALLBACK-MAY-PRECEDE-RETURN'); }

  override event(): void {
    const c = this.t.call;
    if (c && c.returned === NONE) this.out.use();
  }
}

/** The check of CALLBACK-MAY-PRECEDE-RETURN. */
export const callbackMayPrecedeReturn: CheckFactory = (t) => new CallbackMayPrecedeReturn(t);
