/**
 * Mutant `no-cancelled-final`: breaks FINAL-STATUS-ONCE (SetStatus page; 003 step 7): a cancelled
 * call never gets a final status at all. The broker removes the entry and releases the sink, and
 * the client, which waits for SetStatus to know the call is over, waits forever.
 */
import type { BrokerAdapter, BrokerOutput, BrokerStep } from '../../sim/broker-adapter.ts';
import type { Entry } from '../reference-broker.ts';
import { MutantBroker, type MutantInfo } from './mutant-broker.ts';

/** The zoo row of this mutant. */
export const mutant: MutantInfo = {
  name: 'no-cancelled-final',
  targets: ['FINAL-STATUS-ONCE'],
  description: 'A cancelled call gets no final SetStatus: the entry is dropped and the sink released silently.',
  interleaving: false,
};

class NoCancelledFinal extends MutantBroker {
  override enabled(): BrokerStep[] {
    return super.enabled().filter((s) => !s.id.startsWith('cfin:'));
  }

  // The stored reference is released outright: no cancelled delivery is coming to need a temporary one.
  protected override swapStored(e: Entry, out: BrokerOutput[]): void {
    this.releaseStored(e, out);
  }
}

/** A fresh `no-cancelled-final` broker. */
export function createBroker(): BrokerAdapter {
  return new NoCancelledFinal(mutant);
}
