/**
 * Mutant `error-object-on-success`: breaks STATUS-FLAGS-VALID ([MS-WMI] 2.2.7, 3.2.4.1.2: a final
 * status with WBEM_S_NO_ERROR carries no error object). It always attaches its (empty) error
 * object to the final SetStatus, success included.
 */
import type { BrokerAdapter, BrokerOutput } from '../../sim/broker-adapter.ts';
import { S_OK, WBEM_STATUS_COMPLETE } from '../../trace/hresult.ts';
import { MutantBroker, type MutantInfo } from './mutant-broker.ts';

/** The zoo row of this mutant. */
export const mutant: MutantInfo = {
  name: 'error-object-on-success',
  targets: ['STATUS-FLAGS-VALID'],
  description: 'A successful final SetStatus (WBEM_S_NO_ERROR) carries an error object.',
  interleaving: false,
};

class ErrorObjectOnSuccess extends MutantBroker {
  // The final SetStatus is entered by the reference's `enter:` step.
  override step(id: string): BrokerOutput[] {
    const out = super.step(id);
    for (const o of out) if (o.kind === 'set-status' && o.lFlags === WBEM_STATUS_COMPLETE && o.hResult === S_OK) o.errorObject = true;
    return out;
  }
}

/** A fresh `error-object-on-success` broker. */
export function createBroker(): BrokerAdapter {
  return new ErrorObjectOnSuccess(mutant);
}
