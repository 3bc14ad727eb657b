/**
 * CANCEL-MAY-LOSE-RACE (may). 000 remarks: fast operations "typically complete before WMI can
 * process a CancelAsyncCall call"; [MS-WMI] 3.1.4.3.2. A covered call ending with its own status
 * in a placement where its final status was called before the cancel was processed is legal.
 */
import { WBEM_E_CALL_CANCELLED } from '../trace/hresult.ts';
import { BaseCheck, type CheckFactory } from './base-check.ts';
import { precedes } from './placement.ts';
import type { Tracker } from './tracker.ts';
import type { CallRec, CancelRec } from './records.ts';

class CancelMayLoseRace extends BaseCheck {
  readonly types = [] as const;
  constructor(t: Tracker) { super(t, 'CANCEL-MAY-LOSE-RACE'); }

  pairReady(k: CancelRec, c: CallRec): void {
    if (c.final!.hResult !== WBEM_E_CALL_CANCELLED && precedes(k.pLo, k.pHi, c.dLo, c.dHi) !== 'all') this.out.use();
  }
}

/** The check of CANCEL-MAY-LOSE-RACE. */
export const cancelMayLoseRace: CheckFactory = (t) => new CancelMayLoseRace(t);
