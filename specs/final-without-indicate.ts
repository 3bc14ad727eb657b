/**
 * FINAL-WITHOUT-INDICATE (may). ExecQueryAsync page remarks; SetStatus page: a call may end
 * with its final status and no Indicate at all.
 */
import { BaseCheck, type CheckFactory } from './base-check.ts';
import type { Tracker } from './tracker.ts';

class FinalWithoutIndicate extends BaseCheck {
  readonly types = ['setstatus.entered'] as const;
  constructor(t: Tracker) { super(t, 'FINAL-WITHOUT-INDICATE'); }

  override event(): void {
    const cb = this.t.callback!;
    if (cb.kind === 'final' && cb.call && cb.call.final === cb && cb.call.indicates === 0) this.out.use();
  }
}

/** The check of FINAL-WITHOUT-INDICATE. */
export const finalWithoutIndicate: CheckFactory = (t) => new FinalWithoutIndicate(t);
