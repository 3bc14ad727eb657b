/**
 * Mutant `cancels-whole-services`: breaks CANCEL-SPARES-OTHER-SINKS (002 remarks; [MS-WMI]
 * 3.1.4.3.2, "which used the pSink"). CancelAsyncCall(sink) checks that the sink is known, then
 * cancels every pending call of the IWbemServices object, whatever its sink. It shows when a call
 * on another sink is pending at the cancel.
 */
import type { BrokerAdapter } from '../../sim/broker-adapter.ts';
import type { Entry } from '../reference-broker.ts';
import { MutantBroker, type MutantInfo, type PendingCancelView } from './mutant-broker.ts';

/** The zoo row of this mutant. */
export const mutant: MutantInfo = {
  name: 'cancels-whole-services',
  targets: ['CANCEL-SPARES-OTHER-SINKS'],
  description: 'CancelAsyncCall(sink) cancels every pending call of the IWbemServices object, on any sink.',
  interleaving: true,
};

class CancelsWholeServices extends MutantBroker {
  protected override matching(k: PendingCancelView): Entry[] {
    return this.entryList().filter((e) => e.services === k.services);
  }
}

/** A fresh `cancels-whole-services` broker. */
export function createBroker(): BrokerAdapter {
  return new CancelsWholeServices(mutant);
}
