/**
 * ONE-CALLBACK-AT-A-TIME (must). [MS-WMI] 3.2.4.1.1 "only one call at a time", 3.2.4.1.2.
 * A callback of a call that starts while another of the same call is still running breaks it;
 * the WBEM_E_CALL_CANCELLED final status is exempt (CANCELLED-STATUS-MAY-OVERLAP), and callbacks
 * after the final status are NOTHING-AFTER-FINAL's concern.
 */
import { WBEM_E_CALL_CANCELLED } from '../trace/hresult.ts';
import { BaseCheck, callName, type CheckFactory } from './base-check.ts';
import type { Tracker } from './tracker.ts';

class OneCallbackAtATime extends BaseCheck {
  readonly types = ['indicate.entered', 'setstatus.entered'] as const;
  constructor(t: Tracker) {
    super(t, 'ONE-CALLBACK-AT-A-TIME');
    this.out.attributionDependent = true;
  }

  override event(): void {
    const cb = this.t.callback!;
    const c = cb.call;
    if (!c || (c.final !== null && c.final !== cb)) return;
    if (c.callbacks > 1) this.out.exercise();
    const prev = cb.overlapped;
    if (!prev || (cb.kind === 'final' && cb.hResult === WBEM_E_CALL_CANCELLED)) return;
    const what = `${cb.kind} ${cb.cb} of ${callName(c)} started while its ${prev.kind} ${prev.cb} was still running.`;
    if (cb.ambiguous || prev.ambiguous) this.out.doubt([prev.entered, cb.entered], what, 'the callbacks carried no call id on a shared sink');
    else this.out.violate([prev.entered, cb.entered], what);
  }
}

/** The check of ONE-CALLBACK-AT-A-TIME. */
export const oneCallbackAtATime: CheckFactory = (t) => new OneCallbackAtATime(t);
