/**
 * INDICATE-BATCHING (may). [MS-WMI] 3.2.4.1.1: the "number and timing" of Indicate calls is
 * implementation-specific. Any split of results into Indicates is legal.
 */
import type { TraceEvent } from '../trace/event.ts';
import { BaseCheck, type CheckFactory } from './base-check.ts';
import type { Tracker } from './tracker.ts';

class IndicateBatching extends BaseCheck {
  readonly types = ['indicate.entered'] as const;
  constructor(t: Tracker) { super(t, 'INDICATE-BATCHING'); }

  override event(e: TraceEvent): void {
    if (e.type === 'indicate.entered' && e.count > 0) this.out.use();
  }
}

/** The check of INDICATE-BATCHING. */
export const indicateBatching: CheckFactory = (t) => new IndicateBatching(t);
