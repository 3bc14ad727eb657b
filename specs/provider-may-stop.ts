/**
 * PROVIDER-MAY-STOP (may). 000: "Only lengthy queries are likely to be successfully canceled";
 * WMI error constants page ("may not have been truly canceled"). For a cancelled query or other
 * non-method operation the broker may stop the provider (or ask it to cancel), or let it run on
 * and discard its output: both are this freedom. Judged only where the harness owns the provider.
 */
import type { TraceEvent } from '../trace/event.ts';
import { WBEM_E_CALL_CANCELLED } from '../trace/hresult.ts';
import { BaseCheck, type CheckFactory } from './base-check.ts';
import { isMethodCall } from './method-call.ts';
import type { Tracker } from './tracker.ts';
import type { CallRec } from './records.ts';

class ProviderMayStop extends BaseCheck {
  readonly types = ['provider.stopped', 'provider.cancel-requested', 'provider.produced', 'provider.completed', 'setstatus.entered'] as const;
  protected override readonly whiteBoxOnly = true;
  /** Cancelled non-method calls (by id) whose provider produced or completed after the cancel entered, awaiting their final status. */
  private readonly ranOn = new Set<string>();
  constructor(t: Tracker) { super(t, 'PROVIDER-MAY-STOP'); }

  override event(e: TraceEvent): void {
    const c = this.t.call;
    if (!c || isMethodCall(c)) return;
    if (e.type === 'provider.stopped' || e.type === 'provider.cancel-requested') {
      this.out.use();
      return;
    }
    if (e.type === 'provider.produced' || e.type === 'provider.completed') {
      if (!c.cancels?.some((k) => k.fromCallback === null && k.entered < e.seq)) return;
      // Until the final status comes it is not known whether the output reaches the client.
      if (c.final === null) this.ranOn.add(c.id);
      else this.discarded(c);
    } else if (c.final === this.t.callback && this.ranOn.delete(c.id)) this.discarded(c);
  }

  /** The provider ran on and the client got the cancelled status, or fewer objects than it produced. */
  private discarded(c: CallRec): void {
    const p = c.provider;
    if (p && c.final && (c.final.hResult === WBEM_E_CALL_CANCELLED || p.produced > c.objects)) this.out.use();
  }

  protected override end(): void {
    for (const id of this.ranOn) {
      const c = this.t.findCall(id);
      if (c?.provider && c.provider.produced > c.objects) this.out.use();
    }
  }
}

/** The check of PROVIDER-MAY-STOP. */
export const providerMayStop: CheckFactory = (t) => new ProviderMayStop(t);
