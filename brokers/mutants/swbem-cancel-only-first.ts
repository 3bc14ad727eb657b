/**
 * Mutant `swbem-cancel-only-first`: breaks SWBEMSINK-CANCEL-ALL (002; 004 ("discontinue the
 * operation and free the associated resources")). The broker is the reference broker; the fault is
 * planted in the harness's model of the scripting layer (sim/swbemsink-layer.ts,
 * ScriptingFaults.cancelOnlyFirst), which this adapter asks for.
 */
import type { BrokerAdapter } from '../../sim/broker-adapter.ts';
import { MutantBroker, type MutantInfo } from './mutant-broker.ts';

/** The zoo row of this mutant. */
export const mutant: MutantInfo = {
  name: 'swbem-cancel-only-first',
  targets: ['SWBEMSINK-CANCEL-ALL'],
  description: 'SWbemSink.Cancel cancels only the first outstanding operation of the SWbemSink; the others go on.',
  interleaving: false,
};

class SwbemCancelOnlyFirst extends MutantBroker {
  readonly scripting = { cancelOnlyFirst: true };
}

/** A fresh `swbem-cancel-only-first` broker. */
export function createBroker(): BrokerAdapter {
  return new SwbemCancelOnlyFirst(mutant);
}
