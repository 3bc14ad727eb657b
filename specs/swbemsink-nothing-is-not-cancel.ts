/**
 * SWBEMSINK-NOTHING-IS-NOT-CANCEL (may, scripting). 002: "You cannot assign this sink to Nothing to
 * cancel an asynchronous operation"; 004. Whatever follows a Nothing (the operation going on, or a
 * layer that cancels anyway) is accepted; the client's fault is LINT-CANCEL-NEVER-ENDING.
 */
import { BaseCheck, type CheckFactory } from './base-check.ts';
import type { Tracker } from './tracker.ts';

class SwbemsinkNothingIsNotCancel extends BaseCheck {
  readonly types = ['swbem.nothing'] as const;
  constructor(t: Tracker) { super(t, 'SWBEMSINK-NOTHING-IS-NOT-CANCEL'); }

  override event(): void {
    this.out.use();
  }
}

/** The check of SWBEMSINK-NOTHING-IS-NOT-CANCEL. */
export const swbemsinkNothingIsNotCancel: CheckFactory = (t) => new SwbemsinkNothingIsNotCancel(t);
