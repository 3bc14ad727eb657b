/**
 * LINT-NO-CANCEL-IN-SINK (should, client). 000: "Calling CancelAsyncCall from within an implementation
 * of IWbemObjectSink::Indicate or IWbemObjectSink::SetStatus can interfere with the WMI state";
 * [MS-WMI] 3.2.4.2.9 makes it a client MUST NOT. Reported for CancelAsyncCall and SWbemSink.Cancel.
 */
import type { TraceEvent } from '../trace/event.ts';
import { BaseCheck, type CheckFactory } from './base-check.ts';
import type { Tracker } from './tracker.ts';

class LintNoCancelInSink extends BaseCheck {
  readonly types = ['cancel.entered', 'swbem.cancel.entered'] as const;
  constructor(t: Tracker) { super(t, 'LINT-NO-CANCEL-IN-SINK'); }

  override event(e: TraceEvent): void {
    if (e.type !== 'cancel.entered' && e.type !== 'swbem.cancel.entered') return;
    this.out.exercise();
    if (e.fromCallback === undefined) return;
    const what = e.type === 'cancel.entered' ? `CancelAsyncCall ${e.cancel}` : `SWbemSink.Cancel of ${e.swsink}`;
    this.out.violate([this.t.callbacks.get(e.fromCallback)?.entered ?? -1, e.seq], `${what} was called from inside callback ${e.fromCallback}.`);
  }
}

/** The check of LINT-NO-CANCEL-IN-SINK. */
export const lintNoCancelInSink: CheckFactory = (t) => new LintNoCancelInSink(t);
