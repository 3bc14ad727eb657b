/**
 * Mutant `swallows-provider-error`: breaks FINAL-STATUS-CARRIES-RESULT ([MS-WMI] 3.1.4.2.2): a
 * provider's failure (a put that failed) reaches the client as a successful final status.
 */
import type { BrokerAdapter, BrokerOutput } from '../../sim/broker-adapter.ts';
import type { Entry } from '../reference-broker.ts';
import { failed, S_OK, WBEM_E_CALL_CANCELLED } from '../../trace/hresult.ts';
import { MutantBroker, type MutantInfo } from './mutant-broker.ts';

/** The zoo row of this mutant. */
export const mutant: MutantInfo = {
  name: 'swallows-provider-error',
  targets: ['FINAL-STATUS-CARRIES-RESULT'],
  description: 'The provider\'s failure is reported as WBEM_S_NO_ERROR in the final status.',
  interleaving: false,
};

class SwallowsProviderError extends MutantBroker {
  protected override decide(e: Entry, hr: number, out: BrokerOutput[]): void {
    super.decide(e, failed(hr) && hr !== WBEM_E_CALL_CANCELLED ? S_OK : hr, out);
  }
}

/** A fresh `swallows-provider-error` broker. */
export function createBroker(): BrokerAdapter {
  return new SwallowsProviderError(mutant);
}
