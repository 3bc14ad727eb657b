/**
 * FINAL-STATUS-CARRIES-RESULT (must, white-box). [MS-WMI] 3.1.4.2.2: the final status carries the
 * operation's own result. Judged where the harness owns the provider: a final status that is not
 * WBEM_E_CALL_CANCELLED must equal the provider's completion HRESULT.
 */
import { WBEM_E_CALL_CANCELLED } from '../trace/hresult.ts';
import { BaseCheck, NONE, callName, hrName, type CheckFactory } from './base-check.ts';
import type { Tracker } from './tracker.ts';
import type { CallRec } from './records.ts';

class FinalStatusCarriesResult extends BaseCheck {
  readonly types = ['setstatus.entered', 'provider.completed'] as const;
  protected override readonly whiteBoxOnly = true;
  constructor(t: Tracker) { super(t, 'FINAL-STATUS-CARRIES-RESULT'); }

  override event(): void {
    const c = this.t.call;
    if (c) this.judge(c);
  }

  private judge(c: CallRec): void {
    const f = c.final;
    const p = c.provider;
    if (!f || !p || p.completed === NONE || f.hResult === WBEM_E_CALL_CANCELLED) return;
    // Judge once, on whichever of the two events comes second.
    if (this.t.lastSeq !== Math.max(f.entered, p.completed)) return;
    this.out.exercise();
    if (f.hResult !== p.completedHr) {
      this.out.violate([p.completed, f.entered], `The final status of ${callName(c)} carried ${hrName(f.hResult)}, but its provider completed with ${hrName(p.completedHr)}.`);
    }
  }
}

/** The check of FINAL-STATUS-CARRIES-RESULT. */
export const finalStatusCarriesResult: CheckFactory = (t) => new FinalStatusCarriesResult(t);
