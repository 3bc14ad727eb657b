/**
 * PROGRESS-HRESULT-IS-COUNTER (may). SetStatus page: a progress status's hResult is a counter
 * (LOWORD done, HIWORD total). No check judges it as success or failure; this records its use.
 */
import { BaseCheck, type CheckFactory } from './base-check.ts';
import type { Tracker } from './tracker.ts';

class ProgressHresultIsCounter extends BaseCheck {
  readonly types = ['setstatus.entered'] as const;
  constructor(t: Tracker) { super(t, 'PROGRESS-HRESULT-IS-COUNTER'); }

  override event(): void {
    if (this.t.callback!.kind === 'progress') this.out.use();
  }
}

/** The check of PROGRESS-HRESULT-IS-COUNTER. */
export const progressHresultIsCounter: CheckFactory = (t) => new ProgressHresultIsCounter(t);
