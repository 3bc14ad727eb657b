/**
 * Mutant `no-addref`: breaks BROKER-HOLDS-SINK (000, "can be released prior to the call or after
 * the call returns"). It keeps the sink pointer without an AddRef of its own, borrowing the
 * client's reference: a client that releases its sink right after the call leaves the broker
 * calling a freed object.
 */
import type { BrokerAdapter, BrokerOutput } from '../../sim/broker-adapter.ts';
import type { Entry } from '../reference-broker.ts';
import { MutantBroker, type MutantInfo } from './mutant-broker.ts';

/** The zoo row of this mutant. */
export const mutant: MutantInfo = {
  name: 'no-addref',
  targets: ['BROKER-HOLDS-SINK'],
  description: 'Accepts calls without AddRef on the sink (and so never releases one).',
  interleaving: false,
};

class NoAddRef extends MutantBroker {
  // The bookkeeping stays (the reference's logic relies on it); only the COM calls are missing.
  protected override addRef(e: Entry, _out: BrokerOutput[]): void {
    e.stored = true;
  }

  protected override releaseStored(e: Entry, _out: BrokerOutput[]): void {
    e.stored = false;
  }

  protected override addTemp(e: Entry, _out: BrokerOutput[]): void {
    e.temps++;
  }

  protected override releaseTemp(e: Entry, _out: BrokerOutput[]): void {
    e.temps--;
  }
}

/** A fresh `no-addref` broker. */
export function createBroker(): BrokerAdapter {
  return new NoAddRef(mutant);
}
