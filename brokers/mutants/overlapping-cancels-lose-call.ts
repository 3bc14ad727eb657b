/**
 * Mutant `overlapping-cancels-lose-call`: breaks FINAL-STATUS-ONCE (SetStatus page, "one and only
 * one call"; [MS-WMI] 3.1.4.3.2) when two CancelAsyncCall with the same sink overlap. The broker
 * keeps one cancel record per sink: the calls the running cancel covered, whose cancelled final
 * status is still to be sent. A second cancel with that sink, processed before the first returned,
 * overwrites the record, and the calls of the first that had not had their final status yet are
 * forgotten: they end with no final SetStatus (their temporary reference is dropped with them).
 * One cancel at a time, or two that do not overlap, behave as the reference.
 */
import type { BrokerAdapter, BrokerOutput, RunSetup } from '../../sim/broker-adapter.ts';
import { MutantBroker, type MutantInfo, type PendingCancelView } from './mutant-broker.ts';

/** The zoo row of this mutant. */
export const mutant: MutantInfo = {
  name: 'overlapping-cancels-lose-call',
  targets: ['FINAL-STATUS-ONCE'],
  description: 'A second CancelAsyncCall with the same sink, processed while the first has not returned, overwrites the first\'s record: the calls the first cancelled never get a final status.',
  interleaving: true,
};

class OverlappingCancelsLoseCall extends MutantBroker {
  /** Per sink, the one cancel record: the cancel and the calls it covered. */
  private records = new Map<string, { cancel: string; calls: string[] }>();

  override reset(setup: RunSetup): void {
    super.reset(setup);
    this.records = new Map();
  }

  protected override processCancel(k: PendingCancelView, stopProviders: boolean, out: BrokerOutput[]): void {
    const before = new Set(this.entryList().filter((e) => e.clientCancelled).map((e) => e.call));
    super.processCancel(k, stopProviders, out);
    const covered = this.entryList().filter((e) => e.clientCancelled && !before.has(e.call)).map((e) => e.call);
    const prior = this.records.get(k.sink);
    if (prior && prior.cancel !== k.cancel && this.cancels.has(prior.cancel)) {
      // The fault: the first cancel's calls are dropped with its record.
      for (const call of prior.calls) {
        const e = this.entries.get(call);
        if (!e || e.finalCalled) continue;
        e.finalCalled = true;
        e.finalReturned = true;
        e.lateAllowed = false;
        e.queued = 0;
        while (e.temps > (e.lateCb !== undefined ? 1 : 0)) this.releaseTemp(e, out);
      }
    }
    this.records.set(k.sink, { cancel: k.cancel, calls: covered });
  }

  override step(id: string): BrokerOutput[] {
    if (id.startsWith('cr:')) {
      const k = this.cancels.get(id.slice(3));
      if (k && this.records.get(k.sink)?.cancel === k.cancel) this.records.delete(k.sink);
    }
    return super.step(id);
  }

  override stateKey(): string {
    return `${super.stateKey()}|${[...this.records].map(([s, r]) => `${s}=${r.cancel}:${r.calls.join('+')}`).sort().join(',')}`;
  }
}

/** A fresh `overlapping-cancels-lose-call` broker. */
export function createBroker(): BrokerAdapter {
  return new OverlappingCancelsLoseCall(mutant);
}
