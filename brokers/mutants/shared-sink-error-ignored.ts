/**
 * Mutant `shared-sink-error-ignored`: breaks SINK-ERROR-CANCELS ([MS-WMI] 3.2.4.1.1: a failing
 * Indicate cancels that call). The broker looks the failing sink up by pointer and, finding more
 * than one pending call on it, cannot tell which call's Indicate failed, so it cancels none:
 * delivery goes on and the call ends with its own result. A failing Indicate on a sink with one
 * call pending, or after the other calls on the sink have ended, behaves as the reference.
 */
import type { BrokerAdapter, BrokerOutput } from '../../sim/broker-adapter.ts';
import { failed, S_OK } from '../../trace/hresult.ts';
import { MutantBroker, type MutantInfo } from './mutant-broker.ts';

/** The zoo row of this mutant. */
export const mutant: MutantInfo = {
  name: 'shared-sink-error-ignored',
  targets: ['SINK-ERROR-CANCELS'],
  description: 'A failing Indicate does not cancel its call while another call on the same sink is pending: delivery goes on.',
  interleaving: true,
};

class SharedSinkErrorIgnored extends MutantBroker {
  protected override onCallbackReturned(cb: string, ret: number, out: BrokerOutput[]): void {
    const e = this.entries.get(cb.slice(0, cb.lastIndexOf('#')));
    const indicate = e !== undefined && e.callback === cb && !cb.endsWith('p');
    const shared = indicate && this.entryList().some((x) => x !== e && x.sink === e.sink && x.services === e.services && !x.finalCalled);
    super.onCallbackReturned(cb, failed(ret) && shared ? S_OK : ret, out);
  }
}

/** A fresh `shared-sink-error-ignored` broker. */
export function createBroker(): BrokerAdapter {
  return new SharedSinkErrorIgnored(mutant);
}
