/**
 * Mutant `blocking-return`: breaks CALL-RETURNS-IMMEDIATELY (003 step 4, "The method returns
 * immediately"). The async method delivers its first callback on the caller's thread and returns
 * only after that callback came back, so a sink that blocks in it blocks the caller too. The
 * suite convicts it by holding (RULES.md item 4): the return comes only after the watchdog
 * released the held callback.
 */
import type { BrokerAdapter, BrokerStep } from '../../sim/broker-adapter.ts';
import { MutantBroker, type MutantInfo } from './mutant-broker.ts';

/** The zoo row of this mutant. */
export const mutant: MutantInfo = {
  name: 'blocking-return',
  targets: ['CALL-RETURNS-IMMEDIATELY'],
  description: 'The async method returns only after its first callback returned (a blocked sink blocks the caller).',
  interleaving: false,
};

class BlockingReturn extends MutantBroker {
  override enabled(): BrokerStep[] {
    return super.enabled().filter((s) => {
      if (!s.id.startsWith('ret:')) return true;
      const e = this.entryOf(s.id)!;
      // Waits until some callback was started and none is running any more.
      return e.cbCount > 0 && e.callback === undefined && e.finalCb === undefined;
    });
  }
}

/** A fresh `blocking-return` broker (also usable as `--impl module:brokers/mutants/blocking-return.ts`). */
export function createBroker(): BrokerAdapter {
  return new BlockingReturn(mutant);
}
