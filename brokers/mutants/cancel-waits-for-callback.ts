/**
 * Mutant `cancel-waits-for-callback`: breaks CANCEL-DOES-NOT-WAIT-FOR-CLIENT ([MS-WMI] 3.1.4.3.2,
 * "MUST NOT wait for any response from the client"). CancelAsyncCall returns only once no
 * Indicate or progress SetStatus of the calls it covers is running, so a client that blocks in
 * Indicate until its cancel returns deadlocks. A cancel that finds no callback running is fine;
 * the suite convicts it by holding (RULES.md item 4).
 */
import type { BrokerAdapter, BrokerStep } from '../../sim/broker-adapter.ts';
import { MutantBroker, type MutantInfo } from './mutant-broker.ts';

/** The zoo row of this mutant. */
export const mutant: MutantInfo = {
  name: 'cancel-waits-for-callback',
  targets: ['CANCEL-DOES-NOT-WAIT-FOR-CLIENT'],
  description: 'CancelAsyncCall waits until the running Indicate of a call it covers has returned.',
  interleaving: true,
};

class CancelWaitsForCallback extends MutantBroker {
  override enabled(): BrokerStep[] {
    return super.enabled().filter((s) => {
      if (!s.id.startsWith('cr:')) return true;
      const k = this.cancels.get(s.id.slice(3))!;
      return !this.matching(k).some((e) => e.callback !== undefined);
    });
  }
}

/** A fresh `cancel-waits-for-callback` broker. */
export function createBroker(): BrokerAdapter {
  return new CancelWaitsForCallback(mutant);
}
