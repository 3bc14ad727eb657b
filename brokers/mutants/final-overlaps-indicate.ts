/**
 * Mutant `final-overlaps-indicate`: breaks ONE-CALLBACK-AT-A-TIME ([MS-WMI] 3.2.4.1.1, "only one
 * call at a time"). Its completion path does not wait for the delivery thread: when the provider
 * completes while the last Indicate is still running in the sink, the final SetStatus starts at
 * once, on another thread, overlapping it. Only that race shows the fault.
 */
import type { BrokerAdapter, BrokerStep } from '../../sim/broker-adapter.ts';
import { MutantBroker, type MutantInfo } from './mutant-broker.ts';

/** The zoo row of this mutant. */
export const mutant: MutantInfo = {
  name: 'final-overlaps-indicate',
  targets: ['ONE-CALLBACK-AT-A-TIME'],
  description: 'The final SetStatus may start while the call\'s last Indicate is still running (completion races delivery).',
  interleaving: true,
};

class FinalOverlapsIndicate extends MutantBroker {
  override enabled(): BrokerStep[] {
    const extra: BrokerStep[] = [];
    for (const e of this.entryList()) {
      // The reference offers `fin:` only with no callback running; this one also offers it during one.
      if (!e.finalCalled && !e.cancelled && e.callback !== undefined && e.result !== undefined && e.queued === 0) {
        extra.push({ id: `fin:${e.call}`, call: e.call });
      }
    }
    return this.withSteps(super.enabled(), extra);
  }
}

/** A fresh `final-overlaps-indicate` broker. */
export function createBroker(): BrokerAdapter {
  return new FinalOverlapsIndicate(mutant);
}
