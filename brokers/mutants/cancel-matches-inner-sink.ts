/**
 * Mutant `cancel-matches-inner-sink`: breaks CANCEL-SAME-POINTER (003 step 6; Async security
 * page; [MS-WMI] 3.1.4.3.2). It unwraps unsecured-apartment stubs when matching a cancel, so
 * CancelAsyncCall with the *inner* sink cancels the calls that were passed its wrapper (and
 * answers S_OK), hiding the client bug that Windows exposes (DBeaver's driver, IMPLEMENTATIONS.md
 * section 4). Its "was this sink ever used" check still looks at the exact pointer, so the fault
 * shows only while a call passed the wrapper is pending.
 */
import type { BrokerAdapter, BrokerOutput } from '../../sim/broker-adapter.ts';
import type { Entry } from '../reference-broker.ts';
import { wrapperOf } from '../../sim/workload.ts';
import { MutantBroker, type MutantInfo, type PendingCancelView } from './mutant-broker.ts';

/** The zoo row of this mutant. */
export const mutant: MutantInfo = {
  name: 'cancel-matches-inner-sink',
  targets: ['CANCEL-SAME-POINTER'],
  description: 'CancelAsyncCall with the inner sink cancels the pending calls that were passed its unsecured-apartment wrapper.',
  interleaving: true,
};

class CancelMatchesInnerSink extends MutantBroker {
  protected override matching(k: PendingCancelView): Entry[] {
    // The simulator names a wrapper `<inner>~stub` (sim/workload.ts); the mutant "unwraps" it.
    const wrapper = wrapperOf(k.sink);
    return this.entryList().filter((e) => e.services === k.services && (e.sink === k.sink || e.sink === wrapper));
  }

  protected override processCancel(k: PendingCancelView, stopProviders: boolean, out: BrokerOutput[]): void {
    const pending = this.matching(k).some((e) => !e.finalCalled && !e.cancelled);
    if (this.accepted.has(k.sink) || !pending) return super.processCancel(k, stopProviders, out);
    // The inner sink found a pending wrapped call: treated as known for this one cancel.
    this.accepted.add(k.sink);
    try {
      super.processCancel(k, stopProviders, out);
    } finally {
      this.accepted.delete(k.sink);
    }
  }
}

/** A fresh `cancel-matches-inner-sink` broker. */
export function createBroker(): BrokerAdapter {
  return new CancelMatchesInnerSink(mutant);
}
