/**
 * LINT-ONE-SINK-PER-CALL (should, client). 000: "It is strongly recommended that you create one
 * instance of an object sink for each outstanding asynchronous call"; 003. A call made on a sink
 * that another pending call already uses is reported (serialised calls are fine).
 */
import { BaseCheck, callName, type CheckFactory } from './base-check.ts';
import type { Tracker } from './tracker.ts';

class LintOneSinkPerCall extends BaseCheck {
  readonly types = ['call.entered'] as const;
  constructor(t: Tracker) { super(t, 'LINT-ONE-SINK-PER-CALL'); }

  override event(): void {
    const c = this.t.call!;
    const s = this.t.sink;
    if (!s) return;
    const other = s.open.find((o) => o !== c);
    // A sink passed to one call only shares nothing: the rule's situation is a second call on it.
    if (other || s.accepted) this.out.exercise();
    if (other) this.out.violate([other.entered, c.entered], `${callName(c)} shares its sink with call ${other.id}, which is still pending.`);
  }
}

/** The check of LINT-ONE-SINK-PER-CALL. */
export const lintOneSinkPerCall: CheckFactory = (t) => new LintOneSinkPerCall(t);
