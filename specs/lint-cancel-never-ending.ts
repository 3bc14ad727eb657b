/**
 * LINT-CANCEL-NEVER-ENDING (should, client). 002: Cancel is "very important with ... operations that
 * never complete, such as ExecNotificationQueryAsync"; Async events page step 5. Dropping a
 * still-subscribed notification query's sink (the client's last release, SWbemSink = Nothing) or its
 * IWbemServices without cancelling it is reported.
 */
import type { TraceEvent } from '../trace/event.ts';
import { BaseCheck, callName, type CheckFactory } from './base-check.ts';
import type { Tracker } from './tracker.ts';
import type { CallRec } from './records.ts';

class LintCancelNeverEnding extends BaseCheck {
  readonly types = ['call.entered', 'sink.release', 'swbem.nothing', 'services.release.entered'] as const;
  constructor(t: Tracker) { super(t, 'LINT-CANCEL-NEVER-ENDING'); }

  private subscribed(c: CallRec): boolean {
    return c.op === 'ExecNotificationQueryAsync' && c.cancels === null && !c.swCancelled && c.finals === 0 && !c.ended;
  }

  override event(e: TraceEvent): void {
    if (e.type === 'call.entered') {
      if (e.op === 'ExecNotificationQueryAsync') this.out.exercise();
      return;
    }
    let dropped: CallRec[] = [];
    let how = '';
    if (e.type === 'sink.release') {
      const s = this.t.sink!;
      if (e.by !== 'client' || s.clientNet > 0) return;
      dropped = s.open.filter((c) => this.subscribed(c));
      how = `released its sink ${s.id}`;
    } else if (e.type === 'swbem.nothing') {
      dropped = [...this.t.calls.values()].filter((c) => c.swsink === e.swsink && this.subscribed(c));
      how = `set SWbemSink ${e.swsink} to Nothing`;
    } else if (e.type === 'services.release.entered') {
      dropped = [...this.t.calls.values()].filter((c) => c.services === e.services && this.subscribed(c));
      how = `released IWbemServices ${e.services}`;
    }
    for (const c of dropped) this.out.violate([c.entered, e.seq], `The client ${how} without cancelling notification query ${callName(c)}.`);
  }
}

/** The check of LINT-CANCEL-NEVER-ENDING. */
export const lintCancelNeverEnding: CheckFactory = (t) => new LintCancelNeverEnding(t);
