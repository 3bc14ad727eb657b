/**
 * Mutant `late-callbacks`: breaks NO-CALLBACKS-AFTER-CANCEL ([MS-WMI] 3.1.4.3.2, 3.2.4.1.1) and
 * the "no new Indicate after it returns" half of RELEASED-BEFORE-CANCEL-RETURNS. When one cancel
 * covers three or more calls sharing the sink, the calls after the first two are marked cancelled
 * (CallCancelled set, annotated) but their delivery loop is not stopped: they keep indicating new
 * objects after the cancel was processed, then send WBEM_E_CALL_CANCELLED. These are *new*
 * callbacks (their predecessor returned after the processing), not the one legal late in-flight
 * callback. With one or two calls on the sink the broker is conformant.
 */
import type { BrokerAdapter, BrokerOutput, BrokerStep } from '../../sim/broker-adapter.ts';
import type { Entry } from '../reference-broker.ts';
import { MutantBroker, type MutantInfo, type PendingCancelView } from './mutant-broker.ts';

/** The zoo row of this mutant. */
export const mutant: MutantInfo = {
  name: 'late-callbacks',
  targets: ['NO-CALLBACKS-AFTER-CANCEL', 'RELEASED-BEFORE-CANCEL-RETURNS'],
  description: 'When a cancel covers three calls on one sink, the third keeps indicating new objects after the cancel was processed.',
  interleaving: true,
};

class LateCallbacks extends MutantBroker {
  /** Cancelled calls whose delivery loop was never told. */
  private runaway = new Set<string>();
  /** The calls of the cancel being processed beyond the table's two slots. */
  private overflow = new Set<string>();

  override reset(setup: Parameters<MutantBroker['reset']>[0]): void {
    super.reset(setup);
    this.runaway = new Set();
    this.overflow = new Set();
  }

  protected override processCancel(k: PendingCancelView, stopProviders: boolean, out: BrokerOutput[]): void {
    // A fixed two-slot table: the pending calls after the first two overflow it.
    const pending = this.matching(k).filter((e) => !e.finalReturned && !e.finalCalled && !e.clientCancelled);
    this.overflow = new Set(pending.slice(2).map((e) => e.call));
    try {
      super.processCancel(k, stopProviders, out);
    } finally {
      this.overflow.clear();
    }
  }

  protected override cancelEntry(e: Entry, stopProvider: boolean, out: BrokerOutput[], byClient = true): void {
    if (!byClient || !this.overflow.has(e.call)) return super.cancelEntry(e, stopProvider, out, byClient);
    // The flag is set (and annotated), the delivery loop and the provider are not stopped.
    e.cancelled = true;
    e.clientCancelled = true;
    this.feed(e, 'CANCEL_PROCESSED');
    this.runaway.add(e.call);
  }

  override enabled(): BrokerStep[] {
    const extra: BrokerStep[] = [];
    const steps = super.enabled().filter((s) => {
      // The cancelled status comes only once the loop ran out of objects.
      if (!s.id.startsWith('cfin:') || !this.runaway.has(s.call!)) return true;
      const e = this.entryOf(s.id)!;
      return e.queued === 0 && e.result !== undefined && e.callback === undefined;
    });
    for (const call of this.runaway) {
      const e = this.entries.get(call)!;
      if (!e.finalCalled && e.callback === undefined && e.queued > 0) extra.push({ id: `run:${call}`, call });
    }
    return this.withSteps(steps, extra);
  }

  override step(id: string): BrokerOutput[] {
    if (!id.startsWith('run:')) return super.step(id);
    const out: BrokerOutput[] = [];
    this.indicate(this.entryOf(id)!, 1, out);
    return out;
  }

  override stateKey(): string {
    return `${super.stateKey()}|${[...this.runaway].join(',')}`;
  }
}

/** A fresh `late-callbacks` broker. */
export function createBroker(): BrokerAdapter {
  return new LateCallbacks(mutant);
}
