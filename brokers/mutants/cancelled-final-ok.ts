/**
 * Mutant `cancelled-final-ok`: breaks CANCELLED-STATUS (000 note, "If SetStatus has not been
 * called ... by the time WMI processes CancelAsyncCall"; [MS-WMI] 3.1.4.3.2). The final status of
 * a cancelled call says WBEM_S_NO_ERROR instead of WBEM_E_CALL_CANCELLED, so the client takes a
 * truncated result for a complete one.
 */
import type { BrokerAdapter, BrokerOutput } from '../../sim/broker-adapter.ts';
import type { Entry } from '../reference-broker.ts';
import { S_OK, WBEM_E_CALL_CANCELLED } from '../../trace/hresult.ts';
import { MutantBroker, type MutantInfo } from './mutant-broker.ts';

/** The zoo row of this mutant. */
export const mutant: MutantInfo = {
  name: 'cancelled-final-ok',
  targets: ['CANCELLED-STATUS'],
  description: 'A cancelled call ends with SetStatus(WBEM_S_NO_ERROR) instead of WBEM_E_CALL_CANCELLED.',
  interleaving: false,
};

class CancelledFinalOk extends MutantBroker {
  protected override decide(e: Entry, hr: number, out: BrokerOutput[]): void {
    super.decide(e, hr === WBEM_E_CALL_CANCELLED ? S_OK : hr, out);
  }
}

/** A fresh `cancelled-final-ok` broker. */
export function createBroker(): BrokerAdapter {
  return new CancelledFinalOk(mutant);
}
