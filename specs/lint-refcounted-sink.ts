/**
 * LINT-REFCOUNTED-SINK (should, client). Async events page step 5: never delete a sink explicitly after
 * CancelAsyncCall. A delete shows as the client's release bringing the count to 0 while the broker
 * still holds references (a real count could not be 0 then).
 */
import type { TraceEvent } from '../trace/event.ts';
import { BaseCheck, type CheckFactory } from './base-check.ts';
import type { Tracker } from './tracker.ts';

class LintRefcountedSink extends BaseCheck {
  readonly types = ['sink.release'] as const;
  constructor(t: Tracker) { super(t, 'LINT-REFCOUNTED-SINK'); }

  override event(e: TraceEvent): void {
    const s = this.t.sink!;
    if (e.type !== 'sink.release' || e.by !== 'client' || !s.lastCancel) return;
    this.out.exercise();
    if (e.count === 0 && s.brokerNet > 0) {
      this.out.violate([s.lastCancel.entered, e.seq], `After cancel ${s.lastCancel.id} the client destroyed sink ${s.id} (count 0) while the broker still held ${s.brokerNet} reference(s).`);
    }
  }
}

/** The check of LINT-REFCOUNTED-SINK. */
export const lintRefcountedSink: CheckFactory = (t) => new LintRefcountedSink(t);
