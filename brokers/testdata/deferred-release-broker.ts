/**
 * A conformant broker that releases a call's stored sink reference in a step of its own after the
 * final status returned, rather than in the same step (the reference broker's way). Either is
 * prompt: the release is still an enabled step of the broker (RELEASE-PROMPTLY). A cancel or the
 * release of IWbemServices still finds the reference gone before it returns.
 */
import { ReferenceBroker } from '../reference-broker.ts';
import type { BrokerInput, BrokerOutput, BrokerStep } from '../../sim/broker-adapter.ts';

export class DeferredReleaseBroker extends ReferenceBroker {
  constructor() {
    super({ name: 'deferred-release', version: '1' });
  }

  protected override onCallbackReturned(cb: string, ret: number, out: BrokerOutput[]): void {
    const e = this.entries.get(cb.slice(0, cb.lastIndexOf('#')));
    // While a cancel with this sink runs, the reference must go before it returns: release at once.
    const cancelling = e !== undefined && [...this.cancels.values()].some((k) => k.sink === e.sink && k.services === e.services);
    if (e && e.finalCb === cb && e.stored && !cancelling) {
      e.finalCb = undefined;
      e.finalReturned = true;
      this.feed(e, 'FINAL_RETURNED');
      return;
    }
    super.onCallbackReturned(cb, ret, out);
  }

  override input(msg: BrokerInput): BrokerOutput[] {
    const out = super.input(msg);
    // Nothing outlives the services object.
    if (msg.kind === 'services-released') for (const e of this.entries.values()) if (e.services === msg.services) this.releaseIfDone(e.call, out);
    return out;
  }

  override enabled(): BrokerStep[] {
    const steps = super.enabled();
    for (const e of this.entries.values()) if (e.finalReturned && e.stored) steps.push({ id: `rel:${e.call}` });
    return steps;
  }

  override step(id: string): BrokerOutput[] {
    if (!id.startsWith('rel:')) return super.step(id);
    const out: BrokerOutput[] = [];
    this.releaseIfDone(id.slice(4), out);
    return out;
  }

  protected override processCancel(...args: Parameters<ReferenceBroker['processCancel']>): void {
    super.processCancel(...args);
    // RELEASED-BEFORE-CANCEL-RETURNS covers the finished calls on the sink too.
    const [k, , out] = args;
    for (const e of this.matching(k)) this.releaseIfDone(e.call, out);
  }

  private releaseIfDone(call: string, out: BrokerOutput[]): void {
    const e = this.entries.get(call);
    if (e && e.finalReturned && e.stored) this.releaseStored(e, out);
  }
}
