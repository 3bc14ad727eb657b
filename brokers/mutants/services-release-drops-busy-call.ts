/**
 * Mutant `services-release-drops-busy-call`: breaks RELEASE-AFTER-FINAL (a Release "at the latest
 * when the client ... releases the IWbemServices object"; [MS-WMI] 3.2.4.1.2) and
 * FINAL-STATUS-ONCE. When the client releases an IWbemServices object while two or more calls on
 * one sink are still pending, the broker frees the table entry of a call whose callback is in
 * progress at that moment: that call gets no final status and its sink reference is never
 * released. Calls with no callback running, or alone on their sink, end as the reference ends them.
 */
import type { BrokerAdapter, BrokerInput, BrokerOutput } from '../../sim/broker-adapter.ts';
import { MutantBroker, type MutantInfo } from './mutant-broker.ts';

/** The zoo row of this mutant. */
export const mutant: MutantInfo = {
  name: 'services-release-drops-busy-call',
  targets: ['RELEASE-AFTER-FINAL', 'FINAL-STATUS-ONCE'],
  description: 'Releasing IWbemServices while calls share a sink frees the entry of a call whose callback is in progress: no final status, its sink reference leaks.',
  interleaving: true,
};

class ServicesReleaseDropsBusyCall extends MutantBroker {
  override input(msg: BrokerInput): BrokerOutput[] {
    if (msg.kind === 'services-released') {
      const pending = this.entryList().filter((e) => e.services === msg.services && !e.finalCalled && !e.cancelled);
      for (const e of pending) {
        const shared = pending.filter((x) => x.sink === e.sink).length >= 2;
        if (!shared || e.callback === undefined) continue;
        // The fault: the entry is freed with its stored pointer, never released.
        e.finalCalled = true;
        e.finalReturned = true;
        e.discard = true;
        e.queued = 0;
        e.stored = false;
      }
    }
    return super.input(msg);
  }
}

/** A fresh `services-release-drops-busy-call` broker. */
export function createBroker(): BrokerAdapter {
  return new ServicesReleaseDropsBusyCall(mutant);
}
