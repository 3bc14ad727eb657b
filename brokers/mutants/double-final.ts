/**
 * Mutant `double-final`: breaks FINAL-STATUS-ONCE (SetStatus page, "one and only one call";
 * [MS-WMI] 3.2.4.1.2) when the provider's completion and the client's cancel race. If the cancel
 * is processed after the provider completed but before the final status was sent, the
 * completion path (already committed) still sends the provider's result, and the cancel path
 * sends WBEM_E_CALL_CANCELLED as well: two final statuses. Any other timing is conformant.
 */
import type { BrokerAdapter, BrokerOutput, BrokerStep } from '../../sim/broker-adapter.ts';
import type { Entry } from '../reference-broker.ts';
import { failed, WBEM_STATUS_COMPLETE } from '../../trace/hresult.ts';
import { MutantBroker, type MutantInfo } from './mutant-broker.ts';

/** The zoo row of this mutant. */
export const mutant: MutantInfo = {
  name: 'double-final',
  targets: ['FINAL-STATUS-ONCE'],
  description: 'When a cancel lands between the provider\'s completion and the final SetStatus, both the result and WBEM_E_CALL_CANCELLED are sent.',
  interleaving: true,
};

class DoubleFinal extends MutantBroker {
  /** Calls whose completion path was committed when the cancel came: call -> already sent. */
  private raced = new Map<string, boolean>();

  override reset(setup: Parameters<MutantBroker['reset']>[0]): void {
    super.reset(setup);
    this.raced = new Map();
  }

  protected override cancelEntry(e: Entry, stopProvider: boolean, out: BrokerOutput[], byClient = true): void {
    if (byClient && e.result !== undefined && e.queued === 0 && !e.finalCalled && e.callback === undefined) this.raced.set(e.call, false);
    super.cancelEntry(e, stopProvider, out, byClient);
  }

  override enabled(): BrokerStep[] {
    const extra: BrokerStep[] = [];
    for (const [call, sent] of this.raced) if (!sent) extra.push({ id: `race:${call}`, call });
    return this.withSteps(super.enabled(), extra);
  }

  override step(id: string): BrokerOutput[] {
    if (!id.startsWith('race:')) return super.step(id);
    const e = this.entryOf(id)!;
    this.raced.set(e.call, true);
    // The committed completion: a final status outside the entry's bookkeeping (the bug).
    const cb = this.nextCb(e) + 'x';
    return [{ kind: 'set-status', cb, call: e.call, sink: e.sink, lFlags: WBEM_STATUS_COMPLETE, hResult: e.result!, errorObject: failed(e.result!) }];
  }

  override stateKey(): string {
    return `${super.stateKey()}|${[...this.raced].map(([c, s]) => `${c}${s ? 1 : 0}`).join(',')}`;
  }
}

/** A fresh `double-final` broker. */
export function createBroker(): BrokerAdapter {
  return new DoubleFinal(mutant);
}
