/**
 * PROGRESS-MAY (may). [MS-WMI] 3.1.4.3.23; Async events page; 003 step 5: a call with
 * WBEM_FLAG_SEND_STATUS may get any number of progress statuses, zero included.
 */
import { WBEM_FLAG_SEND_STATUS } from '../trace/hresult.ts';
import { BaseCheck, type CheckFactory } from './base-check.ts';
import type { Tracker } from './tracker.ts';

class ProgressMay extends BaseCheck {
  readonly types = ['setstatus.entered'] as const;
  constructor(t: Tracker) { super(t, 'PROGRESS-MAY'); }

  override event(): void {
    const cb = this.t.callback!;
    if (cb.kind === 'final' && cb.call && (cb.call.flags & WBEM_FLAG_SEND_STATUS) !== 0) this.out.use();
  }
}

/** The check of PROGRESS-MAY. */
export const progressMay: CheckFactory = (t) => new ProgressMay(t);
