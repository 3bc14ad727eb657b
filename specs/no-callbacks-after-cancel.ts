/**
 * NO-CALLBACKS-AFTER-CANCEL (must). [MS-WMI] 3.1.4.3.2, 3.2.4.1.1. A new Indicate or progress of a
 * covered call breaks the rule in a placement where the cancel's p precedes the return of the
 * callback's predecessor (the broker can only have started it after that return); a callback whose
 * predecessor returned before p is the one allowed late start (worked examples B and C).
 */
import { BaseCheck, NONE, callName, fromCallbackExemption, type CheckFactory } from './base-check.ts';
import { precedes } from './placement.ts';
import { windowText } from './cancelled-status.ts';
import type { Tracker } from './tracker.ts';
import type { CallbackRec, CancelRec } from './records.ts';

class NoCallbacksAfterCancel extends BaseCheck {
  readonly types = [] as const;
  constructor(t: Tracker) {
    super(t, 'NO-CALLBACKS-AFTER-CANCEL');
    this.out.attributionDependent = true;
  }

  cancelClosed(k: CancelRec): void {
    if (k.fromCallback !== null) this.out.exempt(fromCallbackExemption(k));
    // A cancel covering a call whose final status had not started is the rule's situation, callbacks after it or not.
    if (k.covered.some((c) => c.final === null || c.final.entered > k.entered)) this.out.exercise();
    if (k.lateOverflow > 0) {
      this.out.doubt([k.entered], `${k.lateOverflow} callbacks of calls covered by cancel ${k.id} started before its window closed and were not kept.`, 'too many callbacks while the cancel was pending (memory cap)');
    }
  }

  lateCallback(k: CancelRec, cb: CallbackRec): void {
    const c = cb.call!;
    this.out.exercise();
    if (cb.startBound === NONE || cb.entered < k.entered) return;
    const order = precedes(k.pLo, k.pHi, cb.startBound, cb.startBound);
    if (order === 'none') return;
    const events = [k.entered, cb.startBound, cb.entered];
    const what = `${cb.kind} ${cb.cb} of ${callName(c)} started after cancel ${k.id} was processed (${windowText('p', k.pLo, k.pHi)}): its predecessor returned at ${cb.startBound}.`;
    if (order === 'all' && !cb.ambiguous) this.t.noteDerived(this.out.violate(events, what), k);
    else this.out.doubt(events, what, order === 'all' ? 'the callback carried no call id on a shared sink' : `placements disagree: ${windowText('p', k.pLo, k.pHi)}, predecessor returned at ${cb.startBound}`);
  }
}

/** The check of NO-CALLBACKS-AFTER-CANCEL. */
export const noCallbacksAfterCancel: CheckFactory = (t) => new NoCallbacksAfterCancel(t);
