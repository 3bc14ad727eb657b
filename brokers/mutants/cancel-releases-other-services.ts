/**
 * Mutant `cancel-releases-other-services`: breaks BROKER-HOLDS-SINK (the broker holds its own
 * reference until the call's final status returned; [MS-WMI] 3.1.1.1.3). Two IWbemServices
 * objects share one sink: a CancelAsyncCall through one cancels only that object's calls, as it
 * may (CANCEL-SCOPE-PER-SERVICES), but its release loop walks every call on the sink pointer, so
 * the stored reference of a call through the other object, still running, is released early and
 * its callbacks then reach a sink the broker no longer holds. It shows only when a call through
 * the other object is still pending when the cancel is processed.
 */
import type { BrokerAdapter, BrokerOutput } from '../../sim/broker-adapter.ts';
import { MutantBroker, type MutantInfo, type PendingCancelView } from './mutant-broker.ts';

/** The zoo row of this mutant. */
export const mutant: MutantInfo = {
  name: 'cancel-releases-other-services',
  targets: ['BROKER-HOLDS-SINK', 'RELEASE-AFTER-FINAL'],
  description: 'A cancel through one IWbemServices object releases the stored sink references of calls on the same sink through another object, which go on running.',
  interleaving: true,
};

class CancelReleasesOtherServices extends MutantBroker {
  protected override processCancel(k: PendingCancelView, stopProviders: boolean, out: BrokerOutput[]): void {
    super.processCancel(k, stopProviders, out);
    if (!this.accepted.has(k.sink)) return;
    for (const e of this.entryList()) {
      if (e.sink === k.sink && e.services !== k.services && e.stored && !e.finalCalled) this.releaseStored(e, out);
    }
  }
}

/** A fresh `cancel-releases-other-services` broker. */
export function createBroker(): BrokerAdapter {
  return new CancelReleasesOtherServices(mutant);
}
