/**
 * CANCEL-SCOPE-PER-SERVICES (may). Not documented (Wine: per object). A cancel through one
 * IWbemServices object while a call on the same sink through another one is pending exercises
 * the freedom; either outcome is accepted (no other check counts such calls as covered).
 */
import { BaseCheck, type CheckFactory } from './base-check.ts';
import type { Tracker } from './tracker.ts';

class CancelScopePerServices extends BaseCheck {
  readonly types = ['cancel.entered'] as const;
  constructor(t: Tracker) { super(t, 'CANCEL-SCOPE-PER-SERVICES'); }

  override event(): void {
    const k = this.t.cancel!;
    const s = this.t.sink;
    if (s && k.fromCallback === null && s.open.some((c) => c.services !== k.services)) this.out.use();
  }
}

/** The check of CANCEL-SCOPE-PER-SERVICES. */
export const cancelScopePerServices: CheckFactory = (t) => new CancelScopePerServices(t);
