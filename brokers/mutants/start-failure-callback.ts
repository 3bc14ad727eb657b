/**
 * Mutant `start-failure-callback`: breaks START-FAILURE-NO-CALLBACKS ([MS-WMI] 3.1.1.1.3; the
 * ExecQueryAsync page, pResponseHandler). When the operation cannot start, it returns the error
 * from the async method *and* reports it again through the sink with a final SetStatus, holding a
 * reference in between: the client sees the failure twice.
 */
import type { BrokerAdapter, BrokerInput, BrokerOutput } from '../../sim/broker-adapter.ts';
import { MutantBroker, type MutantInfo } from './mutant-broker.ts';

/** The zoo row of this mutant. */
export const mutant: MutantInfo = {
  name: 'start-failure-callback',
  targets: ['START-FAILURE-NO-CALLBACKS'],
  description: 'A call that cannot start returns its error and then also gets a final SetStatus with it.',
  interleaving: false,
};

class StartFailureCallback extends MutantBroker {
  protected override onCall(msg: Extract<BrokerInput, { kind: 'call' }>, out: BrokerOutput[]): void {
    const startError = msg.target.startError;
    if (msg.sink === null || startError === undefined) return super.onCall(msg, out);
    // Accepted like a call that can start (entry, stored reference), but no provider runs.
    const accepted: BrokerOutput[] = [];
    super.onCall({ ...msg, target: { provider: msg.target.provider } }, accepted);
    out.push(...accepted.filter((o) => o.kind !== 'provider-start'));
    const e = this.entries.get(msg.call)!;
    e.returned = true;
    e.discard = true;
    // The error goes back from the method; with the result set, `fin:` will send it again.
    e.result = startError;
    out.push({ kind: 'call-return', call: msg.call, hr: startError });
  }
}

/** A fresh `start-failure-callback` broker. */
export function createBroker(): BrokerAdapter {
  return new StartFailureCallback(mutant);
}
