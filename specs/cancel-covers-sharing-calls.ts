/**
 * CANCEL-COVERS-SHARING-CALLS (must). 000: "the CancelAsyncCall method cancels all asynchronous
 * calls sharing this object sink"; 002; [MS-WMI] 3.1.4.3.2. A cancel covers each call on its sink
 * through the same IWbemServices whose method returned before the cancel entered. The broker's
 * `cancel processed` annotation lists the calls whose CallCancelled it set: each covered call must
 * be listed there or have had its final status called (d) before the cancel was processed (p),
 * a race the cancel may lose (CANCEL-MAY-LOSE-RACE). Without a usable annotation the verdict comes
 * from the final statuses: one covered call ended cancelled, another surely was not. A call an
 * earlier cancel had already listed (two cancels of one sink overlapping, or one from inside a
 * callback before a client cancel) was cancelled already:
 * the later one need not list it again (CANCEL-AFTER-END-MAY-SUCCEED: "or were already cancelled").
 */
import { WBEM_E_CALL_CANCELLED } from '../trace/hresult.ts';
import { BaseCheck, NONE, callName, fromCallbackExemption, type CheckFactory } from './base-check.ts';
import { precedes } from './placement.ts';
import { windowText } from './cancelled-status.ts';
import type { Tracker } from './tracker.ts';
import type { CallRec, CancelRec } from './records.ts';

/** A covered call that an exact annotation left out, waiting for its final status to be placed. */
interface Unlisted { cancel: string; call: string }

class CancelCoversSharingCalls extends BaseCheck {
  readonly types = [] as const;
  /** Covered calls left out of their cancel's annotation whose final status has not entered yet. */
  private unlisted: Unlisted[] = [];
  constructor(t: Tracker) {
    super(t, 'CANCEL-COVERS-SHARING-CALLS');
    this.out.attributionDependent = true;
  }

  cancelClosed(k: CancelRec): void {
    if (k.fromCallback !== null) this.out.exempt(fromCallbackExemption(k));
    if (k.covered.length < 2) return;
    this.out.exercise();
    if (!k.exact || !k.annotationCalls) return;
    for (const c of k.covered) {
      // Calls whose final status already entered are judged by pairReady, which follows at once.
      if (c.final === null && !k.annotationCalls.includes(c.id) && !listedEarlier(k, c)) this.unlisted.push({ cancel: k.id, call: c.id });
    }
  }

  pairReady(k: CancelRec, c: CallRec): void {
    if (k.covered.length < 2) return;
    const f = c.final!;
    if (k.exact && k.annotationCalls) {
      const i = this.unlisted.findIndex((u) => u.cancel === k.id && u.call === c.id);
      if (i >= 0) this.unlisted.splice(i, 1);
      if (!k.annotationCalls.includes(c.id) && !listedEarlier(k, c)) this.judgeUnlisted(k, c);
      return;
    }
    if (f.hResult === WBEM_E_CALL_CANCELLED || precedes(k.pLo, k.pHi, c.dLo, c.dHi) !== 'all') return;
    const other = k.covered.find((o) => o !== c && o.final?.hResult === WBEM_E_CALL_CANCELLED);
    if (other) {
      this.out.violate([k.entered, other.final!.entered, f.entered],
        `Cancel ${k.id} cancelled call ${other.id} but ${callName(c)}, pending on the same sink, ended with its own status.`);
    }
  }

  /** A covered call the annotation left out: legal only if its d came before p (a lost race). */
  private judgeUnlisted(k: CancelRec, c: CallRec): void {
    const order = precedes(c.dLo, c.dHi, k.pLo, k.pHi);
    if (order === 'all') return;
    const windows = `${windowText('p', k.pLo, k.pHi)}, ${windowText('d', c.dLo, c.dHi)}`;
    const what = `Cancel ${k.id} set CallCancelled for ${k.annotationCalls!.join(', ') || 'no call'} but not for ${callName(c)}, which shares the sink and whose final status was not called before the cancel was processed (${windows}).`;
    if (order === 'none' && !c.final!.ambiguous) this.out.violate([k.entered, k.annotation, c.final!.entered], what);
    else this.out.doubt([k.entered, k.annotation, c.final!.entered], what,
      order === 'none' ? 'the final status carried no call id on a shared sink' : `placements disagree: ${windows}`);
  }

  protected override end(): void {
    // Left out of the annotation and never given a final status: it was not cancelled.
    for (const u of this.unlisted) {
      const c = this.t.findCall(u.call);
      const k = this.t.findCancel(u.cancel);
      if (!c || !k || c.final !== null) continue;
      // Its d was annotated before p: the race was lost, only the final status is missing (FINAL-STATUS-ONCE).
      if (c.dAnnotation !== NONE && c.dAnnotation < k.pLo) continue;
      const l = this.t.liveness(c);
      if (l.kind === 'excused' || l.kind === 'client-fault') continue;
      this.out.violate([k.entered, k.annotation], `Cancel ${k.id} set CallCancelled for ${k.annotationCalls!.join(', ') || 'no call'} but not for ${callName(c)}, which shares the sink and never got a final status.`);
    }
  }
}

/**
 * An earlier cancel's annotation listed `c` before `k` was processed (a cancel made from inside a
 * callback too, which the broker may act on): its CallCancelled was set already.
 */
function listedEarlier(k: CancelRec, c: CallRec): boolean {
  return c.listedAt !== NONE && c.listedAt < k.annotation;
}

/** The check of CANCEL-COVERS-SHARING-CALLS. */
export const cancelCoversSharingCalls: CheckFactory = (t) => new CancelCoversSharingCalls(t);
