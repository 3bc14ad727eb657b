/**
 * A user's own broker, as a library user writes it: here a thin subclass of the reference broker
 * that answers CancelAsyncCall(NULL) with WBEM_E_INVALID_PARAMETER (as the reference does) and
 * names itself. Your adapter implements `BrokerAdapter` however you like.
 */
import { ReferenceBroker, type BrokerAdapter } from 'wbemsim';

export function createBroker(): BrokerAdapter {
  return new ReferenceBroker({ name: 'my-broker', version: '0.1' });
}
