/**
 * LINT-PREFER-SEMISYNC (info, client). 000: "it is recommended that you use semisynchronous instead of
 * asynchronous communication"; 002 note; 003 intro. Advice, given once per run that makes an async call.
 */
import { BaseCheck, type CheckFactory } from './base-check.ts';
import type { Tracker } from './tracker.ts';

/** The advice text shown once per run. */
export const PREFER_SEMISYNC_ADVICE =
  'LINT-PREFER-SEMISYNC: prefer semisynchronous calls; an asynchronous callback may come at a lower authentication level than the client requires, and lets an unauthenticated caller hand data to the sink.';

class LintPreferSemisync extends BaseCheck {
  readonly types = ['call.entered'] as const;
  constructor(t: Tracker) { super(t, 'LINT-PREFER-SEMISYNC'); }

  override event(): void {
    this.out.use();
  }
}

/** The check of LINT-PREFER-SEMISYNC. */
export const lintPreferSemisync: CheckFactory = (t) => new LintPreferSemisync(t);
