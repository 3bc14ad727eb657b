/**
 * Mutant `notifies-method-provider`: breaks PROVIDER-NOT-NOTIFIED (000, "not supported by method
 * providers", "only the client end of the call is canceled"). On CancelAsyncCall it asks the
 * method provider of an ExecMethodAsync call to cancel, like a query provider.
 */
import type { BrokerAdapter, BrokerOutput } from '../../sim/broker-adapter.ts';
import type { Entry } from '../reference-broker.ts';
import { MutantBroker, type MutantInfo } from './mutant-broker.ts';

/** The zoo row of this mutant. */
export const mutant: MutantInfo = {
  name: 'notifies-method-provider',
  targets: ['PROVIDER-NOT-NOTIFIED'],
  description: 'Cancelling an ExecMethodAsync call asks the method provider to cancel.',
  interleaving: false,
};

class NotifiesMethodProvider extends MutantBroker {
  protected override cancelEntry(e: Entry, stopProvider: boolean, out: BrokerOutput[], byClient = true): void {
    super.cancelEntry(e, stopProvider, out, byClient);
    if (byClient && e.method && this.machine.stateValue(e.m).provider === 'running') {
      this.feed(e, 'PROVIDER_CANCEL_REQUESTED');
      out.push({ kind: 'provider-cancel', call: e.call });
    }
  }
}

/** A fresh `notifies-method-provider` broker. */
export function createBroker(): BrokerAdapter {
  return new NotifiesMethodProvider(mutant);
}
