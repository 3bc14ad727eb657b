/**
 * ORDER-NOT-GUARANTEED (may). 003: "WMI does not guarantee the order of the callback". Callbacks
 * of overlapping calls on one sink interleaving in any order is legal.
 */
import { BaseCheck, type CheckFactory } from './base-check.ts';
import type { Tracker } from './tracker.ts';

class OrderNotGuaranteed extends BaseCheck {
  readonly types = ['indicate.entered', 'setstatus.entered'] as const;
  constructor(t: Tracker) { super(t, 'ORDER-NOT-GUARANTEED'); }

  override event(): void {
    const cb = this.t.callback!;
    const prev = cb.prevOnSink;
    if (prev && cb.call && prev !== cb.call && !prev.ended) this.out.use();
  }
}

/** The check of ORDER-NOT-GUARANTEED. */
export const orderNotGuaranteed: CheckFactory = (t) => new OrderNotGuaranteed(t);
