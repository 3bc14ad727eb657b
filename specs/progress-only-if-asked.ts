/**
 * PROGRESS-ONLY-IF-ASKED (must). [MS-WMI] 3.1.4.3.19, 3.1.4.3.23; SetStatus page; 003 step 5:
 * progress statuses only for calls made with WBEM_FLAG_SEND_STATUS (0x80).
 */
import { WBEM_FLAG_SEND_STATUS } from '../trace/hresult.ts';
import { BaseCheck, callName, type CheckFactory } from './base-check.ts';
import type { Tracker } from './tracker.ts';

class ProgressOnlyIfAsked extends BaseCheck {
  readonly types = ['setstatus.entered'] as const;
  constructor(t: Tracker) {
    super(t, 'PROGRESS-ONLY-IF-ASKED');
    this.out.attributionDependent = true;
  }

  override event(): void {
    const cb = this.t.callback!;
    const c = cb.call;
    if (cb.kind !== 'progress' || !c) return;
    this.out.exercise();
    if ((c.flags & WBEM_FLAG_SEND_STATUS) === 0) {
      const what = `Progress status ${cb.cb} went to ${callName(c)}, made without WBEM_FLAG_SEND_STATUS (flags 0x${c.flags.toString(16)}).`;
      if (cb.ambiguous) this.out.doubt([c.entered, cb.entered], what, 'the callback carried no call id on a shared sink');
      else this.out.violate([c.entered, cb.entered], what);
    }
  }
}

/** The check of PROGRESS-ONLY-IF-ASKED. */
export const progressOnlyIfAsked: CheckFactory = (t) => new ProgressOnlyIfAsked(t);
