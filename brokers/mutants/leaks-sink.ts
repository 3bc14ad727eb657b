/**
 * Mutant `leaks-sink`: breaks RELEASE-AFTER-FINAL ([MS-WMI] 3.2.4.1.2; 003 step 7 note): the
 * reference stored at acceptance is never released, not after the final status, not on
 * CancelAsyncCall, not when the IWbemServices object is released.
 */
import type { BrokerAdapter, BrokerOutput } from '../../sim/broker-adapter.ts';
import type { Entry } from '../reference-broker.ts';
import { MutantBroker, type MutantInfo } from './mutant-broker.ts';

/** The zoo row of this mutant. */
export const mutant: MutantInfo = {
  name: 'leaks-sink',
  targets: ['RELEASE-AFTER-FINAL'],
  description: 'Never releases the sink reference taken at acceptance.',
  interleaving: false,
};

class LeaksSink extends MutantBroker {
  protected override releaseStored(_e: Entry, _out: BrokerOutput[]): void {
    // The leak: the stored reference is never released (temporary ones of deliveries still are).
  }
}

/** A fresh `leaks-sink` broker. */
export function createBroker(): BrokerAdapter {
  return new LeaksSink(mutant);
}
