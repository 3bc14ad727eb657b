/**
 * PROVIDER-CANCEL-UNSUPPORTED (must, white-box). 000's example provider answers WBEM_E_NOT_AVAILABLE
 * to CancelAsyncCall. When a non-method provider refuses the cancel, the broker still completes the
 * client side: the covered call ends WBEM_E_CALL_CANCELLED when the cancel came first, and it does
 * end (a decisive end without its final status breaks this rule too).
 */
import type { TraceEvent } from '../trace/event.ts';
import { failed, WBEM_E_CALL_CANCELLED } from '../trace/hresult.ts';
import { BaseCheck, callName, hrName, type CheckFactory } from './base-check.ts';
import { isMethodCall } from './method-call.ts';
import { precedes } from './placement.ts';
import type { Tracker } from './tracker.ts';
import type { CallRec, CancelRec } from './records.ts';

class ProviderCancelUnsupported extends BaseCheck {
  readonly types = ['provider.cancel-requested', 'setstatus.entered'] as const;
  protected override readonly whiteBoxOnly = true;
  private readonly refused = new Set<CallRec>();
  constructor(t: Tracker) { super(t, 'PROVIDER-CANCEL-UNSUPPORTED'); }

  override event(e: TraceEvent): void {
    const c = this.t.call;
    if (e.type === 'setstatus.entered') {
      // Once its final status has started and no cancel of it is still open, every pairing that
      // could judge a refused call has been made: forget it, so memory follows the open calls.
      if (c && c.final !== null && this.refused.has(c) && !(c.cancels ?? []).some((k) => !k.closed)) this.refused.delete(c);
      return;
    }
    if (!c || isMethodCall(c) || e.type !== 'provider.cancel-requested' || !failed(e.answer) || c.final !== null) return;
    this.out.exercise();
    this.refused.add(c);
  }

  pairReady(k: CancelRec, c: CallRec): void {
    if (!this.refused.has(c)) return;
    this.refused.delete(c);
    const f = c.final!;
    if (f.hResult !== WBEM_E_CALL_CANCELLED && precedes(k.pLo, k.pHi, c.dLo, c.dHi) === 'all') {
      this.out.violate([c.provider!.cancelRequested, f.entered], `The provider of ${callName(c)} refused to cancel (${hrName(c.provider!.cancelAnswer)}) and the broker then ended the call with ${hrName(f.hResult)} instead of completing the cancel.`);
    }
  }

  protected override end(): void {
    for (const c of this.refused) {
      if (c.final !== null) continue;
      const what = `The provider of ${callName(c)} refused to cancel and the call never got its final status.`;
      // The one list of excuses for a missing final status (item 6): a lost transport, refused
      // callbacks, a client fault, a failed broker process.
      const l = this.t.liveness(c);
      if (l.kind === 'ok') continue;
      if (l.kind === 'excused') { this.out.note(`a missing final status excused (${l.rule}: ${l.reason})`); continue; }
      if (l.kind === 'client-fault') { this.out.notJudged(`client fault: ${l.reason}`); continue; }
      if (l.kind === 'not-judged') { this.out.notJudged(l.reason); this.out.note(`not judged where the broker left work unfinished: ${l.reason}`); continue; }
      if (l.decisive) this.out.violate([c.provider!.cancelRequested], what);
      else this.out.doubt([c.provider!.cancelRequested], what, `inconclusive (bound): run ended with ${this.t.end?.reason ?? 'no run.end'}`);
    }
  }
}

/** The check of PROVIDER-CANCEL-UNSUPPORTED. */
export const providerCancelUnsupported: CheckFactory = (t) => new ProviderCancelUnsupported(t);
