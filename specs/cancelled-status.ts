/**
 * CANCELLED-STATUS (must). 000 note: "If SetStatus has not been called on the application's sink
 * by the time WMI processes CancelAsyncCall, WMI calls SetStatus on that sink with
 * WBEM_E_CALL_CANCELLED"; [MS-WMI] 3.1.4.3.2. For each covered call: violated when the cancel's
 * p precedes the final status's d in every placement and the status is not WBEM_E_CALL_CANCELLED,
 * inconclusive when only some placements do (worked example A), held otherwise.
 */
import { WBEM_E_CALL_CANCELLED } from '../trace/hresult.ts';
import { BaseCheck, NONE, callName, fromCallbackExemption, hrName, type CheckFactory } from './base-check.ts';
import { precedes } from './placement.ts';
import type { Tracker } from './tracker.ts';
import type { CallRec, CancelRec } from './records.ts';

/** "p in (5, 9)" or "p at 7 (annotated)". */
export function windowText(name: string, lo: number, hi: number): string {
  return lo === hi ? `${name} at ${lo} (annotated)` : `${name} in (${lo}, ${hi === Infinity ? 'end' : hi})`;
}

class CancelledStatus extends BaseCheck {
  readonly types = [] as const;
  constructor(t: Tracker) {
    super(t, 'CANCELLED-STATUS');
    this.out.attributionDependent = true;
  }

  cancelClosed(k: CancelRec): void {
    if (k.fromCallback !== null) this.out.exempt(fromCallbackExemption(k));
  }

  pairReady(k: CancelRec, c: CallRec): void {
    const f = c.final!;
    // The sink failed a callback first: the broker cancels the call on its own, and SINK-ERROR-CANCELS
    // alone judges its final status (it asks for the same WBEM_E_CALL_CANCELLED).
    if (c.sinkError !== NONE) {
      this.out.exempt(`the sink failed a callback of ${callName(c)} first: SINK-ERROR-CANCELS judges its final status`);
      return;
    }
    this.out.exercise();
    if (f.hResult === WBEM_E_CALL_CANCELLED) return;
    const order = precedes(k.pLo, k.pHi, c.dLo, c.dHi);
    if (order === 'none') return;
    const windows = `${windowText('p', k.pLo, k.pHi)}, ${windowText('d', c.dLo, c.dHi)}`;
    const what = `Cancel ${k.id} was processed before the final status of ${callName(c)} was called (${windows}), yet that status carried ${hrName(f.hResult)}, not WBEM_E_CALL_CANCELLED.`;
    if (order === 'all' && !f.ambiguous) this.t.noteDerived(this.out.violate([k.entered, f.entered], what), k);
    else if (order === 'all') this.out.doubt([k.entered, f.entered], what, 'the final status carried no call id on a shared sink');
    else this.out.doubt([k.entered, f.entered], `Cancel ${k.id} may have been processed before or after the final status of ${callName(c)} was called (${windows}); the status carried ${hrName(f.hResult)}.`,
      `placements disagree: ${windows}`);
  }
}

/** The check of CANCELLED-STATUS. */
export const cancelledStatus: CheckFactory = (t) => new CancelledStatus(t);
