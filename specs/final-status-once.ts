/**
 * FINAL-STATUS-ONCE (must). SetStatus page: "one and only one call"; 003 step 7; [MS-WMI] 3.2.4.1.2.
 * A second final status is decided at once; a missing one is judged at the run's end with the
 * one list of excuses of item 6 (liveness): decisive at quiescence, `inconclusive (bound)`
 * otherwise, `not judged` for client faults and for calls a failed broker process left unfinished.
 */
import { BaseCheck, callName, type CheckFactory } from './base-check.ts';
import type { Tracker } from './tracker.ts';

class FinalStatusOnce extends BaseCheck {
  readonly types = ['setstatus.entered'] as const;
  constructor(t: Tracker) {
    super(t, 'FINAL-STATUS-ONCE');
    this.out.attributionDependent = true;
  }

  override event(): void {
    const cb = this.t.callback!;
    const c = cb.call;
    if (cb.kind !== 'final' || !c) return;
    this.out.exercise();
    if (c.final !== cb && c.final !== null) {
      const what = `${callName(c)} got a second final status ${cb.cb}.`;
      if (cb.ambiguous) this.out.doubt([c.final.entered, cb.entered], what, 'the callback carried no call id on a shared sink');
      else this.out.violate([c.final.entered, cb.entered], what);
    }
  }

  protected override end(): void {
    for (const c of this.t.calls.values()) {
      const l = this.t.liveness(c);
      if (l.kind === 'ok') continue;
      if (l.kind === 'not-judged') {
        // The failed process is reported once, as the broker failure; its open calls are not convicted.
        this.out.notJudged(l.reason);
        this.out.note(`liveness not judged for ${callName(c)}: ${l.reason}`);
        continue;
      }
      this.out.exercise();
      if (l.kind === 'excused') this.out.note(`liveness excused for some calls (${l.rule}: ${l.reason})`);
      else if (l.kind === 'client-fault') this.out.note(`liveness not judged (client fault) for ${callName(c)}: ${l.reason}`);
      else if (l.decisive) this.out.violate([c.entered, c.returned], `${callName(c)} was accepted and never got a final status.`);
      else this.out.doubt([c.entered, c.returned], `${callName(c)} had no final status when the run was cut.`, `inconclusive (bound): run ended with ${this.t.end?.reason ?? 'no run.end'}`);
    }
  }
}

/** The check of FINAL-STATUS-ONCE. */
export const finalStatusOnce: CheckFactory = (t) => new FinalStatusOnce(t);
