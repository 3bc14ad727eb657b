/**
 * LINT-KEEP-WRAPPER (should, client). 003 step 6: "the application must hold on to the wrapper object
 * until it becomes clear that cancellation is not required"; Async security page. Reported when the
 * client releases its last reference to a wrapper whose call is pending, or cancels with the inner
 * sink while the wrapper's call is pending. A call whose final status has started is no longer
 * pending for this rule (the wrapper may be released from inside that SetStatus).
 */
import type { TraceEvent } from '../trace/event.ts';
import { BaseCheck, callName, type CheckFactory } from './base-check.ts';
import type { Tracker } from './tracker.ts';

class LintKeepWrapper extends BaseCheck {
  readonly types = ['call.entered', 'sink.release', 'cancel.entered'] as const;
  constructor(t: Tracker) { super(t, 'LINT-KEEP-WRAPPER'); }

  override event(e: TraceEvent): void {
    const s = this.t.sink;
    if (!s) return;
    if (e.type === 'call.entered') {
      if (s.wraps !== undefined) this.out.exercise();
    } else if (e.type === 'sink.release') {
      if (e.by !== 'client' || s.wraps === undefined || s.clientNet > 0) return;
      // "At the latest when the final status arrives": a release once the final status started is kept.
      const c = s.open.find((x) => x.final === null);
      if (c) this.out.violate([c.entered, e.seq], `The client released wrapper ${s.id} while ${callName(c)} was pending: it can no longer cancel it.`);
    } else if (e.type === 'cancel.entered' && s.wrapper !== undefined && s.open.length === 0) {
      const c = this.t.sinks.get(s.wrapper)?.open[0];
      if (c) this.out.violate([c.entered, e.seq], `The client cancelled with inner sink ${s.id} instead of wrapper ${s.wrapper} passed to ${callName(c)}.`);
    }
  }
}

/** The check of LINT-KEEP-WRAPPER. */
export const lintKeepWrapper: CheckFactory = (t) => new LintKeepWrapper(t);
