/**
 * Mutant `aborts-method-provider`: breaks PROVIDER-RUNS-TO-COMPLETION (000, Defrag and Format:
 * the method's work goes on). Cancelling an ExecMethodAsync call aborts the method provider's
 * work outright. Only a *method* provider is wrong to stop (a query provider may be stopped,
 * PROVIDER-MAY-STOP). A cancel must come while the method still runs, which a
 * lengthy method makes the rule rather than a race: it is not counted among the interleaving faults.
 */
import type { BrokerAdapter, BrokerOutput } from '../../sim/broker-adapter.ts';
import type { Entry } from '../reference-broker.ts';
import { MutantBroker, type MutantInfo } from './mutant-broker.ts';

/** The zoo row of this mutant. */
export const mutant: MutantInfo = {
  name: 'aborts-method-provider',
  targets: ['PROVIDER-RUNS-TO-COMPLETION'],
  description: 'Cancelling an ExecMethodAsync call aborts the method provider while it works.',
  interleaving: false,
};

class AbortsMethodProvider extends MutantBroker {
  protected override cancelEntry(e: Entry, stopProvider: boolean, out: BrokerOutput[], byClient = true): void {
    super.cancelEntry(e, stopProvider, out, byClient);
    if (e.method && this.machine.stateValue(e.m).provider === 'running') {
      this.feed(e, 'PROVIDER_STOPPED');
      out.push({ kind: 'provider-abort', call: e.call });
    }
  }
}

/** A fresh `aborts-method-provider` broker. */
export function createBroker(): BrokerAdapter {
  return new AbortsMethodProvider(mutant);
}
