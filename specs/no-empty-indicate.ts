/**
 * NO-EMPTY-INDICATE (must). [MS-WMI] 3.2.4.1.1: Indicate is never called with zero objects.
 */
import type { TraceEvent } from '../trace/event.ts';
import { BaseCheck, type CheckFactory } from './base-check.ts';
import type { Tracker } from './tracker.ts';

class NoEmptyIndicate extends BaseCheck {
  readonly types = ['indicate.entered'] as const;
  constructor(t: Tracker) { super(t, 'NO-EMPTY-INDICATE'); }

  override event(e: TraceEvent): void {
    if (e.type !== 'indicate.entered') return;
    this.out.exercise();
    if (e.count <= 0) this.out.violate([e.seq], `Indicate ${e.cb} on sink ${e.sink} carried ${e.count} objects.`);
  }
}

/** The check of NO-EMPTY-INDICATE. */
export const noEmptyIndicate: CheckFactory = (t) => new NoEmptyIndicate(t);
