/**
 * Mutant `cancels-latest-only`: breaks CANCEL-COVERS-SHARING-CALLS (000, note on numerous calls;
 * [MS-WMI] 3.1.4.3.2). Its sink-to-call map keeps only the most recent pending call per sink, so
 * CancelAsyncCall(sink) cancels that one and leaves earlier calls on the same sink running.
 * It shows only when two calls on the sink are pending when the cancel comes.
 */
import type { BrokerAdapter } from '../../sim/broker-adapter.ts';
import type { Entry } from '../reference-broker.ts';
import { MutantBroker, type MutantInfo, type PendingCancelView } from './mutant-broker.ts';

/** The zoo row of this mutant. */
export const mutant: MutantInfo = {
  name: 'cancels-latest-only',
  targets: ['CANCEL-COVERS-SHARING-CALLS'],
  description: 'CancelAsyncCall(sink) cancels only the most recent pending call on the sink.',
  interleaving: true,
};

class CancelsLatestOnly extends MutantBroker {
  // Calls whose final status is under way are still found; of the pending ones, only the latest.
  protected override matching(k: PendingCancelView): Entry[] {
    const all = super.matching(k);
    const pending = all.filter((e) => !e.finalCalled && !e.cancelled);
    return all.filter((e) => !pending.includes(e) || e === pending[pending.length - 1]);
  }
}

/** A fresh `cancels-latest-only` broker. */
export function createBroker(): BrokerAdapter {
  return new CancelsLatestOnly(mutant);
}
