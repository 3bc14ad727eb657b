/**
 * CALLBACK-OBJECTS-BORROWED (may). Indicate page (the array is owned by the caller); SetStatus
 * page. The broker may free delivered objects when the callback returns: every Indicate that
 * returned gave the broker that freedom.
 */
import { BaseCheck, type CheckFactory } from './base-check.ts';
import type { Tracker } from './tracker.ts';

class CallbackObjectsBorrowed extends BaseCheck {
  readonly types = ['indicate.returned'] as const;
  constructor(t: Tracker) { super(t, 'CALLBACK-OBJECTS-BORROWED'); }

  override event(): void {
    if ((this.t.callback?.count ?? 0) > 0) this.out.use();
  }
}

/** The check of CALLBACK-OBJECTS-BORROWED. */
export const callbackObjectsBorrowed: CheckFactory = (t) => new CallbackObjectsBorrowed(t);
