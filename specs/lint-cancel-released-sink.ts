/**
 * LINT-CANCEL-RELEASED-SINK (should, client). 000: the sink "can be released prior to the call";
 * Async events page step 5. Cancelling with a sink whose own reference the client released is fine
 * only while a call on it is pending; otherwise the pointer may dangle.
 */
import { BaseCheck, type CheckFactory } from './base-check.ts';
import type { Tracker } from './tracker.ts';

class LintCancelReleasedSink extends BaseCheck {
  readonly types = ['cancel.entered'] as const;
  constructor(t: Tracker) { super(t, 'LINT-CANCEL-RELEASED-SINK'); }

  override event(): void {
    const k = this.t.cancel!;
    const s = this.t.sink;
    if (!s || !k.afterClientRelease) return;
    this.out.exercise();
    if (s.open.length === 0) this.out.violate([s.clientReleased, k.entered], `CancelAsyncCall ${k.id} used sink ${s.id}, which the client had released and on which no call was pending.`);
  }
}

/** The check of LINT-CANCEL-RELEASED-SINK. */
export const lintCancelReleasedSink: CheckFactory = (t) => new LintCancelReleasedSink(t);
