/**
 * NOTHING-AFTER-FINAL (must). [MS-WMI] 3.2.4.1.2; 003 step 7. After a call's final status started,
 * no other callback of it starts; for a cancelled call one callback whose predecessor returned
 * before the final status entered may still appear after it (it was started earlier: the
 * allowance of NO-CALLBACKS-AFTER-CANCEL).
 */
import { WBEM_E_CALL_CANCELLED } from '../trace/hresult.ts';
import { BaseCheck, callName, type CheckFactory } from './base-check.ts';
import type { Tracker } from './tracker.ts';
import { noteOf, setNote, type CallRec } from './records.ts';

/** The mark of a call whose one callback in flight after its cancelled final status was allowed. */
const ALLOWANCE = 'nothing-after-final.allowance';

class NothingAfterFinal extends BaseCheck {
  readonly types = ['indicate.entered', 'setstatus.entered'] as const;
  constructor(t: Tracker) {
    super(t, 'NOTHING-AFTER-FINAL');
    this.out.attributionDependent = true;
  }

  override event(): void {
    const cb = this.t.callback!;
    const c = cb.call;
    if (!c || !c.final) return;
    if (c.final === cb) {
      this.out.exercise();
      return;
    }
    const f = c.final;
    if (f.hResult === WBEM_E_CALL_CANCELLED && cb.kind !== 'final' && cb.startBound < f.entered && noteOf(c, ALLOWANCE) === undefined) {
      setNote(c, ALLOWANCE, 1);
      return;
    }
    const what = `${cb.kind} ${cb.cb} of ${callName(c)} started after its final status ${f.cb} had started.`;
    if (cb.ambiguous) this.out.doubt([f.entered, cb.entered], what, 'the callback carried no call id on a shared sink');
    else this.out.violate([f.entered, cb.entered], what);
  }
}

/** The check of NOTHING-AFTER-FINAL. */
export const nothingAfterFinal: CheckFactory = (t) => new NothingAfterFinal(t);
