/**
 * Mutant `release-after-cancel-returns`: breaks RELEASED-BEFORE-CANCEL-RETURNS (003 step 6, "the
 * sink is released before CancelAsyncCall returns"). The cancel hands the stored references of the
 * sink's calls to a cleanup step, which releases them whenever it gets to it, possibly after
 * CancelAsyncCall returned. It shows only when the cancel returns while the broker still holds
 * more references than deliveries it has ahead (the cancelled status already came back before the
 * cancel returned, and the cleanup has not run yet).
 */
import type { BrokerAdapter, BrokerOutput, BrokerStep } from '../../sim/broker-adapter.ts';
import type { Entry } from '../reference-broker.ts';
import { MutantBroker, type MutantInfo } from './mutant-broker.ts';

/** The zoo row of this mutant. */
export const mutant: MutantInfo = {
  name: 'release-after-cancel-returns',
  targets: ['RELEASED-BEFORE-CANCEL-RETURNS'],
  description: 'The stored references of a cancelled sink are released by a later cleanup step, possibly after CancelAsyncCall returned.',
  interleaving: true,
};

class ReleaseAfterCancelReturns extends MutantBroker {
  /** Calls whose stored reference waits for the cleanup step (which owns it). */
  private deferred = new Set<string>();
  private cleaning = false;

  override reset(setup: Parameters<MutantBroker['reset']>[0]): void {
    super.reset(setup);
    this.deferred = new Set();
    this.cleaning = false;
  }

  // The cancel's swap (temporary reference in, stored reference out) is left to the cleanup.
  protected override swapStored(e: Entry, out: BrokerOutput[]): void {
    if (this.cleaning) return super.swapStored(e, out);
    if (e.stored) this.deferred.add(e.call);
  }

  // Until the cleanup ran, nothing else releases a deferred stored reference.
  protected override releaseStored(e: Entry, out: BrokerOutput[]): void {
    if (!this.cleaning && this.deferred.has(e.call)) return;
    super.releaseStored(e, out);
  }

  override enabled(): BrokerStep[] {
    return this.withSteps(super.enabled(), this.deferred.size ? [{ id: 'cleanup:' }] : []);
  }

  override step(id: string): BrokerOutput[] {
    if (id !== 'cleanup:') return super.step(id);
    const out: BrokerOutput[] = [];
    this.cleaning = true;
    try {
      for (const call of this.deferred) {
        const e = this.entries.get(call)!;
        // A final status not yet called gets its temporary reference; one already returned owes nothing.
        if (!e.finalCalled) this.swapStored(e, out);
        else if (e.finalReturned) this.releaseStored(e, out);
        else continue; // on its way: its return releases the stored reference
      }
    } finally {
      this.cleaning = false;
      this.deferred.clear();
    }
    return out;
  }

  override stateKey(): string {
    return `${super.stateKey()}|${[...this.deferred].join(',')}`;
  }
}

/** A fresh `release-after-cancel-returns` broker. */
export function createBroker(): BrokerAdapter {
  return new ReleaseAfterCancelReturns(mutant);
}
