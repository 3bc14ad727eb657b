/**
 * Mutant `wrapped-cancel-keeps-result`: breaks CANCELLED-STATUS (000 note, "If SetStatus has not
 * been called ... by the time WMI processes CancelAsyncCall"; [MS-WMI] 3.1.4.3.2). A cancel that
 * arrives through an unsecured-apartment wrapper (the stub the client passed) is marshalled back
 * to the broker's thread, which treats a call whose provider has already completed as finished:
 * its final status carries the provider's result instead of WBEM_E_CALL_CANCELLED. A cancel
 * processed before the provider completed, or with an unwrapped sink, behaves as the reference.
 */
import type { BrokerAdapter } from '../../sim/broker-adapter.ts';
import { isWrapper } from '../../sim/workload.ts';
import type { Entry } from '../reference-broker.ts';
import type { MutantInfo } from './mutant-broker.ts';
import { CancelKeepsResult } from './cancel-keeps-result.ts';

/** The zoo row of this mutant. */
export const mutant: MutantInfo = {
  name: 'wrapped-cancel-keeps-result',
  targets: ['CANCELLED-STATUS'],
  description: 'A cancel through an unsecured-apartment wrapper, processed after the provider completed but before the final status, lets the provider\'s result through instead of WBEM_E_CALL_CANCELLED.',
  interleaving: true,
};

class WrappedCancelKeepsResult extends CancelKeepsResult {
  protected keeps(e: Entry): boolean {
    return isWrapper(e.sink);
  }
}

/** A fresh `wrapped-cancel-keeps-result` broker. */
export function createBroker(): BrokerAdapter {
  return new WrappedCancelKeepsResult(mutant);
}
