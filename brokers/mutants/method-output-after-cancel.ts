/**
 * Mutant `method-output-after-cancel`: breaks PROVIDER-NOT-NOTIFIED ("nothing the provider
 * produces after the cancel is delivered to the cancelled sink"; 000, ExecMethodAsync) and
 * NO-CALLBACKS-AFTER-CANCEL. When one CancelAsyncCall covers a method call together with another
 * call on the same sink, the broker finishes the cancelled method call only once the method
 * provider has completed, and delivers the method's output (its out-parameters object), which
 * arrives at the end, before the cancelled final status. A method call cancelled alone, or one
 * whose output arrived before the cancel, behaves as the reference.
 */
import type { BrokerAdapter, BrokerInput, BrokerOutput, BrokerStep, RunSetup } from '../../sim/broker-adapter.ts';
import { MutantBroker, type MutantInfo, type PendingCancelView } from './mutant-broker.ts';

/** The zoo row of this mutant. */
export const mutant: MutantInfo = {
  name: 'method-output-after-cancel',
  targets: ['PROVIDER-NOT-NOTIFIED', 'NO-CALLBACKS-AFTER-CANCEL'],
  description: 'A method call cancelled together with another call on its sink waits for the method to finish and delivers its output before the cancelled final status.',
  interleaving: true,
};

class MethodOutputAfterCancel extends MutantBroker {
  /** Method calls cancelled along with another call on their sink, whose output is still to come. */
  private flushing = new Set<string>();

  override reset(setup: RunSetup): void {
    super.reset(setup);
    this.flushing = new Set();
  }

  protected override processCancel(k: PendingCancelView, stopProviders: boolean, out: BrokerOutput[]): void {
    const covered = this.matching(k).filter((e) => !e.finalReturned && !e.finalCalled && !e.clientCancelled);
    super.processCancel(k, stopProviders, out);
    if (covered.length < 2) return;
    for (const e of covered) if (e.method && e.cancelled && e.total === 0) this.flushing.add(e.call);
  }

  override input(msg: BrokerInput): BrokerOutput[] {
    if (msg.kind === 'provider-produced' && this.flushing.has(msg.call)) {
      const e = this.entries.get(msg.call)!;
      if (!e.finalCalled) { e.queued += msg.count; e.total += msg.count; }
      return [];
    }
    return super.input(msg);
  }

  override enabled(): BrokerStep[] {
    const steps = super.enabled().filter((s) => {
      if (!s.id.startsWith('cfin:') || !this.flushing.has(s.call!)) return true;
      const e = this.entries.get(s.call!)!;
      return e.result !== undefined && e.queued === 0 && e.callback === undefined;
    });
    const extra: BrokerStep[] = [];
    for (const call of this.flushing) {
      const e = this.entries.get(call)!;
      if (!e.finalCalled && e.queued > 0 && e.callback === undefined) extra.push({ id: `mout:${call}`, call });
    }
    return this.withSteps(steps, extra);
  }

  override step(id: string): BrokerOutput[] {
    if (!id.startsWith('mout:')) return super.step(id);
    const e = this.entryOf(id)!;
    const out: BrokerOutput[] = [];
    this.indicate(e, e.queued, out);
    return out;
  }

  override stateKey(): string {
    return `${super.stateKey()}|${[...this.flushing].sort().join(',')}`;
  }
}

/** A fresh `method-output-after-cancel` broker. */
export function createBroker(): BrokerAdapter {
  return new MethodOutputAfterCancel(mutant);
}
