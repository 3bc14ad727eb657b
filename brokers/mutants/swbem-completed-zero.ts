/**
 * Mutant `swbem-completed-zero`: breaks SWBEMSINK-ONCOMPLETED-HRESULT (SWbemSink OnCompleted page
 * (the operation's error code otherwise)). The broker is the reference broker; the fault is
 * planted in the harness's model of the scripting layer (sim/swbemsink-layer.ts,
 * ScriptingFaults.completedAlwaysZero), which this adapter asks for.
 */
import type { BrokerAdapter } from '../../sim/broker-adapter.ts';
import { MutantBroker, type MutantInfo } from './mutant-broker.ts';

/** The zoo row of this mutant. */
export const mutant: MutantInfo = {
  name: 'swbem-completed-zero',
  targets: ['SWBEMSINK-ONCOMPLETED-HRESULT'],
  description: 'OnCompleted always carries iHResult 0, also when the operation failed.',
  interleaving: false,
};

class SwbemCompletedZero extends MutantBroker {
  readonly scripting = { completedAlwaysZero: true };
}

/** A fresh `swbem-completed-zero` broker. */
export function createBroker(): BrokerAdapter {
  return new SwbemCompletedZero(mutant);
}
