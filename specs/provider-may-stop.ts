/**
 * PROVIDER-MAY-STOP (may). 000: "Only lengthy queries are likely to be successfully canceled";
 * WMI error constants page. Stopping (or asking to cancel) a non-method provider is legal.
 */
import { BaseCheck, type CheckFactory } from './base-check.ts';
import { isMethodCall } from './method-call.ts';
import type { Tracker } from './tracker.ts';

class ProviderMayStop extends BaseCheck {
  readonly types = ['provider.stopped', 'provider.cancel-requested'] as const;
  constructor(t: Tracker) { super(t, 'PROVIDER-MAY-STOP'); }

  override event(): void {
    const c = this.t.call;
    if (c && !isMethodCall(c)) this.out.use();
  }
}

/** The check of PROVIDER-MAY-STOP. */
export const providerMayStop: CheckFactory = (t) => new ProviderMayStop(t);
