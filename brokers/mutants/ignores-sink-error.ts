/**
 * Mutant `ignores-sink-error`: breaks SINK-ERROR-CANCELS ([MS-WMI] 3.1.1.1.3, 3.2.4.1.1): a failure
 * returned by the client's Indicate is ignored, and every result and a final S_OK follow (what
 * Wine 8.0 does, IMPLEMENTATIONS.md section 1).
 */
import type { BrokerAdapter, BrokerOutput } from '../../sim/broker-adapter.ts';
import { failed, S_OK } from '../../trace/hresult.ts';
import { MutantBroker, type MutantInfo } from './mutant-broker.ts';

/** The zoo row of this mutant. */
export const mutant: MutantInfo = {
  name: 'ignores-sink-error',
  targets: ['SINK-ERROR-CANCELS'],
  description: 'A failing Indicate (or progress SetStatus) does not cancel the call: delivery goes on and ends with S_OK.',
  interleaving: false,
};

class IgnoresSinkError extends MutantBroker {
  protected override onCallbackReturned(cb: string, ret: number, out: BrokerOutput[]): void {
    super.onCallbackReturned(cb, failed(ret) ? S_OK : ret, out);
  }
}

/** A fresh `ignores-sink-error` broker. */
export function createBroker(): BrokerAdapter {
  return new IgnoresSinkError(mutant);
}
