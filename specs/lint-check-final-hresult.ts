/**
 * LINT-CHECK-FINAL-HRESULT (should, client). SetStatus page (hResult); IMPLEMENTATIONS.md (wmi-rs):
 * an error or WBEM_E_CALL_CANCELLED is not a successful empty result. Reported when the client
 * library reports success (`client.saw success`) for a call whose final status failed.
 */
import type { TraceEvent } from '../trace/event.ts';
import { failed } from '../trace/hresult.ts';
import { BaseCheck, callName, hrName, type CheckFactory } from './base-check.ts';
import { CLIENT_SAW } from './client-saw.ts';
import type { Tracker } from './tracker.ts';

class LintCheckFinalHresult extends BaseCheck {
  readonly types = ['client.saw'] as const;
  constructor(t: Tracker) { super(t, 'LINT-CHECK-FINAL-HRESULT'); }

  override event(e: TraceEvent): void {
    if (e.type !== 'client.saw' || e.what !== CLIENT_SAW.success || e.call === undefined) return;
    const c = this.t.findCall(e.call);
    if (!c?.final) return;
    this.out.exercise();
    if (failed(c.final.hResult)) this.out.violate([c.final.entered, e.seq], `The client reported success for ${callName(c)}, whose final status was ${hrName(c.final.hResult)}.`);
  }
}

/** The check of LINT-CHECK-FINAL-HRESULT. */
export const lintCheckFinalHresult: CheckFactory = (t) => new LintCheckFinalHresult(t);
