/**
 * PROVIDER-NOT-NOTIFIED (must, white-box). 000: CancelAsyncCall "is not supported by method
 * providers ... only the client end of the call is canceled. The implementing provider is not
 * notified". For a cancelled method call: no cancel request reaches the provider, and no Indicate
 * carries more objects than the provider had produced before the cancel's window closed.
 */
import type { TraceEvent } from '../trace/event.ts';
import { BaseCheck, callName, type CheckFactory } from './base-check.ts';
import { isMethodCall } from './method-call.ts';
import type { Tracker } from './tracker.ts';
import type { CallRec, CancelRec } from './records.ts';

class ProviderNotNotified extends BaseCheck {
  readonly types = ['provider.cancel-requested', 'indicate.entered'] as const;
  protected override readonly whiteBoxOnly = true;
  /** Objects the provider had produced when the cancel was processed, per cancelled method call. */
  private readonly producedAtCancel = new Map<CallRec, { k: CancelRec; produced: number }>();
  constructor(t: Tracker) { super(t, 'PROVIDER-NOT-NOTIFIED'); }

  cancelClosed(k: CancelRec): void {
    for (const c of k.covered) {
      if (!isMethodCall(c) || c.final !== null) continue;
      this.out.exercise();
      if (!this.producedAtCancel.has(c)) this.producedAtCancel.set(c, { k, produced: c.provider?.produced ?? 0 });
    }
  }

  override event(e: TraceEvent): void {
    const c = this.t.call;
    if (!c || !isMethodCall(c)) return;
    if (e.type === 'provider.cancel-requested') {
      if (c.cancels) this.out.violate([c.cancels[0]!.entered, e.seq], `The broker asked the method provider of ${callName(c)} to cancel.`);
      return;
    }
    const at = this.producedAtCancel.get(c);
    if (!at) return;
    if (c.objects > at.produced) {
      this.out.violate([at.k.entered, e.seq], `${callName(c)} delivered ${c.objects} object(s) after cancel ${at.k.id}, but its provider had produced only ${at.produced} before the cancel.`);
      this.producedAtCancel.delete(c);
    }
    if (c.ended) this.producedAtCancel.delete(c);
  }
}

/** The check of PROVIDER-NOT-NOTIFIED. */
export const providerNotNotified: CheckFactory = (t) => new ProviderNotNotified(t);
