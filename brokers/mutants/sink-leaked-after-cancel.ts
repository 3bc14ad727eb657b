/**
 * Mutant `sink-leaked-after-cancel`: breaks RELEASE-AFTER-FINAL ([MS-WMI] 3.2.4.1.2) and, when the
 * deliveries are over before the cancel returns, RELEASED-BEFORE-CANCEL-RETURNS (003 step 6). When
 * a cancel is processed while one of the call's callbacks is running, the broker takes a fresh
 * temporary reference for the cancelled final status instead of handing over its stored one, and
 * forgets the stored one: one reference leaks. A cancel that finds no callback running is fine.
 */
import type { BrokerAdapter, BrokerOutput } from '../../sim/broker-adapter.ts';
import type { Entry } from '../reference-broker.ts';
import { MutantBroker, type MutantInfo } from './mutant-broker.ts';

/** The zoo row of this mutant. */
export const mutant: MutantInfo = {
  name: 'sink-leaked-after-cancel',
  targets: ['RELEASE-AFTER-FINAL', 'RELEASED-BEFORE-CANCEL-RETURNS'],
  description: 'A cancel processed while a callback runs leaks the stored sink reference.',
  interleaving: true,
};

class SinkLeakedAfterCancel extends MutantBroker {
  protected override swapStored(e: Entry, out: BrokerOutput[]): void {
    if (e.stored && e.cancelled && !e.finalCalled && e.callback !== undefined) {
      // A new reference for the coming WBEM_E_CALL_CANCELLED delivery; the stored one is forgotten.
      this.addTemp(e, out);
      e.stored = false;
      return;
    }
    super.swapStored(e, out);
  }
}

/** A fresh `sink-leaked-after-cancel` broker. */
export function createBroker(): BrokerAdapter {
  return new SinkLeakedAfterCancel(mutant);
}
