/**
 * Mutant `cancel-loses-to-provider-error`: breaks CANCELLED-STATUS (000 note; [MS-WMI]
 * 3.1.4.3.2) when a cancel races a failing provider. If the provider completed with a failure and
 * the cancel is processed before the final status was called, the broker reports the provider's
 * error (the "more informative" code) instead of WBEM_E_CALL_CANCELLED. A cancel that loses the
 * race (final status already called), or any call whose provider succeeds, behaves as the reference.
 */
import type { BrokerAdapter } from '../../sim/broker-adapter.ts';
import type { Entry } from '../reference-broker.ts';
import { failed } from '../../trace/hresult.ts';
import type { MutantInfo } from './mutant-broker.ts';
import { CancelKeepsResult } from './cancel-keeps-result.ts';

/** The zoo row of this mutant. */
export const mutant: MutantInfo = {
  name: 'cancel-loses-to-provider-error',
  targets: ['CANCELLED-STATUS'],
  description: 'A cancel processed after the provider failed but before the final status was called ends the call with the provider\'s error, not WBEM_E_CALL_CANCELLED.',
  interleaving: true,
};

class CancelLosesToProviderError extends CancelKeepsResult {
  protected keeps(e: Entry): boolean {
    return failed(e.result!);
  }
}

/** A fresh `cancel-loses-to-provider-error` broker. */
export function createBroker(): BrokerAdapter {
  return new CancelLosesToProviderError(mutant);
}
