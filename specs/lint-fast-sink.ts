/**
 * LINT-FAST-SINK (should, client). Indicate page: an event sink returns "within 100 MSEC". Judged on
 * Indicates of notification queries that carry times (virtual time in simulation, wall clock in
 * recordings) and that the harness did not hold itself.
 */
import { BaseCheck, type CheckFactory } from './base-check.ts';
import type { Tracker } from './tracker.ts';

const FAST_MS = 100;

class LintFastSink extends BaseCheck {
  readonly types = ['indicate.returned'] as const;
  constructor(t: Tracker) { super(t, 'LINT-FAST-SINK'); }

  override event(): void {
    const cb = this.t.callback;
    if (!cb || cb.held || cb.call?.op !== 'ExecNotificationQueryAsync' || cb.t === undefined || cb.tReturned === undefined) return;
    this.out.exercise();
    const took = cb.tReturned - cb.t;
    if (took > FAST_MS) this.out.violate([cb.entered, cb.returned], `The event sink took ${took} ms in Indicate ${cb.cb}; it should return within about ${FAST_MS} ms.`);
  }
}

/** The check of LINT-FAST-SINK. */
export const lintFastSink: CheckFactory = (t) => new LintFastSink(t);
