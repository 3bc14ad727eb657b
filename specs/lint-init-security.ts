/**
 * LINT-INIT-SECURITY (should, client). 003 step 2: "Applications always have to call the COM function
 * CoInitializeSecurity during the initialization phase"; Async events page step 1. Reported once when
 * the trace's no-security marker is present and the client made an async call.
 */
import type { TraceEvent } from '../trace/event.ts';
import { BaseCheck, NONE, type CheckFactory } from './base-check.ts';
import type { Tracker } from './tracker.ts';

class LintInitSecurity extends BaseCheck {
  readonly types = ['call.entered', 'marker.no-security'] as const;
  private firstCall = NONE;
  private reported = false;
  constructor(t: Tracker) { super(t, 'LINT-INIT-SECURITY'); }

  override event(e: TraceEvent): void {
    if (e.type === 'call.entered') {
      this.out.exercise();
      if (this.firstCall === NONE) this.firstCall = e.seq;
    }
    if (this.reported || this.firstCall === NONE || this.t.noSecurity === NONE) return;
    this.reported = true;
    this.out.violate([this.t.noSecurity, this.firstCall], 'The client made asynchronous calls without calling CoInitializeSecurity first.');
  }
}

/** The check of LINT-INIT-SECURITY. */
export const lintInitSecurity: CheckFactory = (t) => new LintInitSecurity(t);
