/**
 * Mutant `swbem-progress-always`: breaks SWBEMSINK-ONPROGRESS-ONLY-IF-ASKED (SWbemSink OnProgress
 * page (fires only for calls made with wbemFlagSendStatus)). The broker is the reference broker;
 * the fault is planted in the harness's model of the scripting layer (sim/swbemsink-layer.ts,
 * ScriptingFaults.progressAlways), which this adapter asks for.
 */
import type { BrokerAdapter } from '../../sim/broker-adapter.ts';
import { MutantBroker, type MutantInfo } from './mutant-broker.ts';

/** The zoo row of this mutant. */
export const mutant: MutantInfo = {
  name: 'swbem-progress-always',
  targets: ['SWBEMSINK-ONPROGRESS-ONLY-IF-ASKED'],
  description: 'OnProgress is raised after every Indicate, whether or not the call asked for status with wbemFlagSendStatus.',
  interleaving: false,
};

class SwbemProgressAlways extends MutantBroker {
  readonly scripting = { progressAlways: true };
}

/** A fresh `swbem-progress-always` broker. */
export function createBroker(): BrokerAdapter {
  return new SwbemProgressAlways(mutant);
}
