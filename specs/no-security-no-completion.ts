/**
 * NO-SECURITY-NO-COMPLETION (may). 003 step 2: without CoInitializeSecurity "WMI releases the
 * application sink without completing the asynchronous call". Used when the trace's marker is
 * present and an accepted call ended the run without a final status (the release itself is
 * RELEASE-AFTER-FINAL's concern).
 */
import { BaseCheck, NONE, type CheckFactory } from './base-check.ts';
import type { Tracker } from './tracker.ts';

class NoSecurityNoCompletion extends BaseCheck {
  readonly types = [] as const;
  constructor(t: Tracker) { super(t, 'NO-SECURITY-NO-COMPLETION'); }

  protected override end(): void {
    if (this.t.noSecurity === NONE) return;
    for (const c of this.t.calls.values()) {
      const l = this.t.liveness(c);
      if (l.kind === 'excused' && l.rule === 'NO-SECURITY-NO-COMPLETION') this.out.use();
    }
  }
}

/** The check of NO-SECURITY-NO-COMPLETION. */
export const noSecurityNoCompletion: CheckFactory = (t) => new NoSecurityNoCompletion(t);
