/**
 * CANCEL-FROM-SINK-NOT-OPERATIONAL (should, broker). 000: "The CancelAsyncCall method is not
 * operational from within a sink"; [MS-WMI] 3.2.4.2.9. Any outcome is the broker's choice except
 * a deadlock or hang: a cancel from inside a callback that never returns by a decisive end (or that
 * the watchdog judged deadlocked) is a warning. The client's fault is LINT-NO-CANCEL-IN-SINK.
 */
import { BaseCheck, NONE, type CheckFactory } from './base-check.ts';
import type { Tracker } from './tracker.ts';

class CancelFromSinkNotOperational extends BaseCheck {
  readonly types = ['cancel.entered'] as const;
  constructor(t: Tracker) { super(t, 'CANCEL-FROM-SINK-NOT-OPERATIONAL'); }

  override event(): void {
    if (this.t.cancel!.fromCallback !== null) this.out.exercise();
  }

  protected override end(): void {
    for (const k of this.t.cancels.values()) {
      if (k.fromCallback === null || k.returned !== NONE) continue;
      const what = `CancelAsyncCall ${k.id}, called from inside callback ${k.fromCallback.cb}, never returned: the broker deadlocked or hung.`;
      const failure = this.t.brokerFailure();
      if (failure) { this.out.notJudged(failure); this.out.note(`not judged where the broker left work unfinished: ${failure}`); continue; }
      if (this.t.decisiveEnd() || k.watchdogVerdict === 'deadlock') this.out.violate([k.fromCallback.entered, k.entered], what);
      else this.out.doubt([k.fromCallback.entered, k.entered], what, `run ended with ${this.t.end?.reason ?? 'no run.end'} while the cancel was pending`);
    }
  }
}

/** The check of CANCEL-FROM-SINK-NOT-OPERATIONAL. */
export const cancelFromSinkNotOperational: CheckFactory = (t) => new CancelFromSinkNotOperational(t);
