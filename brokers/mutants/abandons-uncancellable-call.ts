/**
 * Mutant `abandons-uncancellable-call`: breaks PROVIDER-CANCEL-UNSUPPORTED (000 example: the SDK's
 * instance provider answers WBEM_E_NOT_AVAILABLE) and so CANCELLED-STATUS. When the provider it
 * asked to cancel refuses, the broker undoes the client-side cancel: delivery resumes and the call
 * ends with the provider's own result. It shows only when the broker chose to ask the provider
 * (stopping a query provider is a freedom) and the provider cannot cancel.
 */
import type { BrokerAdapter, BrokerInput, BrokerOutput } from '../../sim/broker-adapter.ts';
import { failed } from '../../trace/hresult.ts';
import { MutantBroker, type MutantInfo } from './mutant-broker.ts';

/** The zoo row of this mutant. */
export const mutant: MutantInfo = {
  name: 'abandons-uncancellable-call',
  targets: ['PROVIDER-CANCEL-UNSUPPORTED', 'CANCELLED-STATUS'],
  description: 'When the provider answers WBEM_E_NOT_AVAILABLE to a cancel, the call resumes and ends with the provider\'s result.',
  interleaving: true,
};

class AbandonsUncancellableCall extends MutantBroker {
  override input(msg: BrokerInput): BrokerOutput[] {
    if (msg.kind === 'provider-cancel-answer' && failed(msg.hr)) {
      const e = this.entries.get(msg.call);
      // The cancelled final has not been sent yet: the answer arrives with the cancel's own outputs.
      if (e && e.cancelled && !e.finalCalled) {
        e.cancelled = false;
        e.discard = false;
        e.lateAllowed = false;
      }
      return [];
    }
    return super.input(msg);
  }
}

/** A fresh `abandons-uncancellable-call` broker. */
export function createBroker(): BrokerAdapter {
  return new AbandonsUncancellableCall(mutant);
}
