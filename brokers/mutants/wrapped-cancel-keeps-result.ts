/**
 * Mutant `wrapped-cancel-keeps-result`: breaks CANCELLED-STATUS (000 note, "If SetStatus has not
 * been called ... by the time WMI processes CancelAsyncCall"; [MS-WMI] 3.1.4.3.2). A cancel that
 * arrives through an unsecured-apartment wrapper (the stub the client passed) is marshalled back
 * to the broker's thread, which treats a call whose provider has already completed as finished:
 * its final status carries the provider's result instead of WBEM_E_CALL_CANCELLED. A cancel
 * processed before the provider completed, or with an unwrapped sink, behaves as the reference.
 */
import type { BrokerAdapter, BrokerOutput, BrokerStep, RunSetup } from '../../sim/broker-adapter.ts';
import type { Entry } from '../reference-broker.ts';
import { WBEM_E_CALL_CANCELLED } from '../../trace/hresult.ts';
import { MutantBroker, type MutantInfo } from './mutant-broker.ts';

/** The zoo row of this mutant. */
export const mutant: MutantInfo = {
  name: 'wrapped-cancel-keeps-result',
  targets: ['CANCELLED-STATUS'],
  description: 'A cancel through an unsecured-apartment wrapper, processed after the provider completed but before the final status, lets the provider\'s result through instead of WBEM_E_CALL_CANCELLED.',
  interleaving: true,
};

/** A wrapper (stub) pointer as the harness names it. */
function isWrapper(sink: string): boolean {
  return sink.endsWith('~stub');
}

class WrappedCancelKeepsResult extends MutantBroker {
  private planted = new Set<string>();

  override reset(setup: RunSetup): void {
    super.reset(setup);
    this.planted = new Set();
  }

  protected override cancelEntry(e: Entry, stopProvider: boolean, out: BrokerOutput[], byClient = true): void {
    if (byClient && isWrapper(e.sink) && e.result !== undefined && !e.finalCalled) this.planted.add(e.call);
    super.cancelEntry(e, stopProvider, out, byClient);
  }

  // The wrong final waits for a callback in progress, as a final status that is not a cancel's must.
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

/** A fresh `wrapped-cancel-keeps-result` broker. */
export function createBroker(): BrokerAdapter {
  return new WrappedCancelKeepsResult(mutant);
}
