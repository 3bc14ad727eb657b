/**
 * Mutant `cancel-loses-to-provider-error`: breaks CANCELLED-STATUS (000 note; [MS-WMI]
 * 3.1.4.3.2) when a cancel races a failing provider. If the provider completed with a failure and
 * the cancel is processed before the final status was called, the broker reports the provider's
 * error (the "more informative" code) instead of WBEM_E_CALL_CANCELLED. A cancel that loses the
 * race (final status already called), or any call whose provider succeeds, behaves as the reference.
 */
import type { BrokerAdapter, BrokerOutput, BrokerStep, RunSetup } from '../../sim/broker-adapter.ts';
import type { Entry } from '../reference-broker.ts';
import { failed, WBEM_E_CALL_CANCELLED } from '../../trace/hresult.ts';
import { MutantBroker, type MutantInfo } from './mutant-broker.ts';

/** The zoo row of this mutant. */
export const mutant: MutantInfo = {
  name: 'cancel-loses-to-provider-error',
  targets: ['CANCELLED-STATUS'],
  description: 'A cancel processed after the provider failed but before the final status was called ends the call with the provider\'s error, not WBEM_E_CALL_CANCELLED.',
  interleaving: true,
};

class CancelLosesToProviderError extends MutantBroker {
  private planted = new Set<string>();

  override reset(setup: RunSetup): void {
    super.reset(setup);
    this.planted = new Set();
  }

  protected override cancelEntry(e: Entry, stopProvider: boolean, out: BrokerOutput[], byClient = true): void {
    if (byClient && e.result !== undefined && failed(e.result) && !e.finalCalled) this.planted.add(e.call);
    super.cancelEntry(e, stopProvider, out, byClient);
  }

  override enabled(): BrokerStep[] {
    return super.enabled().filter((s) => !s.id.startsWith('cfin:') || !this.planted.has(s.call!) || this.entries.get(s.call!)!.callback === undefined);
  }

  protected override decide(e: Entry, hr: number, out: BrokerOutput[]): void {
    super.decide(e, hr === WBEM_E_CALL_CANCELLED && this.planted.has(e.call) ? e.result! : hr, out);
  }

  override stateKey(): string {
    return `${super.stateKey()}|${[...this.planted].sort().join(',')}`;
  }
}

/** A fresh `cancel-loses-to-provider-error` broker. */
export function createBroker(): BrokerAdapter {
  return new CancelLosesToProviderError(mutant);
}
