/**
 * Mutant `unknown-sink-ok`: breaks CANCEL-UNKNOWN-SINK-ERROR ([MS-WMI] 3.1.4.3.2, "not associated
 * with an entry"): CancelAsyncCall with a sink that was never passed to an async call answers
 * S_OK, so a client that cancels with the wrong pointer believes it cancelled.
 */
import type { BrokerAdapter, BrokerOutput } from '../../sim/broker-adapter.ts';
import { S_OK } from '../../trace/hresult.ts';
import { MutantBroker, type MutantInfo, type PendingCancelView } from './mutant-broker.ts';

/** The zoo row of this mutant. */
export const mutant: MutantInfo = {
  name: 'unknown-sink-ok',
  targets: ['CANCEL-UNKNOWN-SINK-ERROR'],
  description: 'CancelAsyncCall with a sink never used in a call returns S_OK.',
  interleaving: false,
};

class UnknownSinkOk extends MutantBroker {
  protected override processCancel(k: PendingCancelView, stopProviders: boolean, out: BrokerOutput[]): void {
    if (this.accepted.has(k.sink)) return super.processCancel(k, stopProviders, out);
    k.processed = true;
    k.hr = S_OK;
  }
}

/** A fresh `unknown-sink-ok` broker. */
export function createBroker(): BrokerAdapter {
  return new UnknownSinkOk(mutant);
}
