/**
 * Mutant `releases-before-final`: breaks BROKER-HOLDS-SINK (000; 003 step 7 note: the broker holds
 * its reference until the final status returned) and the last sentence of RELEASE-AFTER-FINAL
 * ("No callback reaches a sink after the broker released its last reference"). It releases its
 * stored reference when it decides the final status, then calls SetStatus on a sink it no longer
 * holds: with a client that already released its own, a call into a freed object.
 */
import type { BrokerAdapter, BrokerOutput } from '../../sim/broker-adapter.ts';
import type { Entry } from '../reference-broker.ts';
import { MutantBroker, type MutantInfo } from './mutant-broker.ts';

/** The zoo row of this mutant. */
export const mutant: MutantInfo = {
  name: 'releases-before-final',
  targets: ['BROKER-HOLDS-SINK', 'RELEASE-AFTER-FINAL'],
  description: 'Releases its sink reference just before calling the final SetStatus.',
  interleaving: false,
};

class ReleasesBeforeFinal extends MutantBroker {
  // With the stored reference gone here, the reference's release after the final status finds none.
  protected override decide(e: Entry, hr: number, out: BrokerOutput[]): void {
    if (e.temps === 0) this.releaseStored(e, out);
    super.decide(e, hr, out);
  }
}

/** A fresh `releases-before-final` broker. */
export function createBroker(): BrokerAdapter {
  return new ReleasesBeforeFinal(mutant);
}
