/**
 * Mutant `swbem-completed-twice`: breaks SWBEMSINK-ONCOMPLETED-HRESULT (SWbemSink OnCompleted page
 * (at most once per operation)). The broker is the reference broker; the fault is planted in the
 * harness's model of the scripting layer (sim/swbemsink-layer.ts, ScriptingFaults.completedTwice),
 * which this adapter asks for.
 */
import type { BrokerAdapter } from '../../sim/broker-adapter.ts';
import { MutantBroker, type MutantInfo } from './mutant-broker.ts';

/** The zoo row of this mutant. */
export const mutant: MutantInfo = {
  name: 'swbem-completed-twice',
  targets: ['SWBEMSINK-ONCOMPLETED-HRESULT'],
  description: 'OnCompleted is raised twice for one operation.',
  interleaving: false,
};

class SwbemCompletedTwice extends MutantBroker {
  readonly scripting = { completedTwice: true };
}

/** A fresh `swbem-completed-twice` broker. */
export function createBroker(): BrokerAdapter {
  return new SwbemCompletedTwice(mutant);
}
