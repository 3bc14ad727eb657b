/**
 * Mutant `cancel-in-progress-resumes-delivery`: breaks NOTHING-AFTER-FINAL ([MS-WMI] 3.2.4.1.2;
 * 003 step 7). A CancelAsyncCall made from inside a progress SetStatus (WBEM_STATUS_PROGRESS) is
 * performed, and the cancelled final status may be sent while that progress SetStatus still runs
 * (CANCELLED-STATUS-MAY-OVERLAP). But the delivery loop that made the progress call does not look
 * at the call's state again when it returns: it sends one more Indicate, after the final status.
 * Whenever the progress SetStatus returns before the final status starts, or the cancel comes
 * from anywhere else, the broker behaves as the reference.
 */
import type { BrokerAdapter, BrokerInput, BrokerOutput, BrokerStep, RunSetup } from '../../sim/broker-adapter.ts';
import { MutantBroker, type MutantInfo } from './mutant-broker.ts';

/** The zoo row of this mutant. */
export const mutant: MutantInfo = {
  name: 'cancel-in-progress-resumes-delivery',
  targets: ['NOTHING-AFTER-FINAL'],
  description: 'After a CancelAsyncCall from inside a progress SetStatus, the delivery loop sends one more Indicate once that SetStatus returns, even after the cancelled final status.',
  interleaving: true,
};

class CancelInProgressResumesDelivery extends MutantBroker {
  /** Progress callbacks inside which a cancel was made. */
  private cancelledIn = new Set<string>();
  /** Calls whose delivery loop resumes after the final status started: one more Indicate to send. */
  private resuming = new Set<string>();

  override reset(setup: RunSetup): void {
    super.reset(setup);
    this.cancelledIn = new Set();
    this.resuming = new Set();
  }

  override input(msg: BrokerInput): BrokerOutput[] {
    if (msg.kind === 'cancel' && msg.fromCallback?.endsWith('p')) this.cancelledIn.add(msg.fromCallback);
    return super.input(msg);
  }

  protected override onCallbackReturned(cb: string, ret: number, out: BrokerOutput[]): void {
    const e = this.entries.get(cb.slice(0, cb.lastIndexOf('#')));
    super.onCallbackReturned(cb, ret, out);
    if (e && this.cancelledIn.has(cb) && (e.finalCb !== undefined || e.finalReturned)) this.resuming.add(e.call);
  }

  override enabled(): BrokerStep[] {
    const extra: BrokerStep[] = [];
    for (const call of this.resuming) if (this.entries.get(call)!.callback === undefined) extra.push({ id: `resume:${call}`, call });
    return this.withSteps(super.enabled(), extra);
  }

  override step(id: string): BrokerOutput[] {
    if (!id.startsWith('resume:')) return super.step(id);
    const e = this.entryOf(id)!;
    this.resuming.delete(e.call);
    const out: BrokerOutput[] = [];
    this.indicate(e, 1, out);
    return out;
  }

  override stateKey(): string {
    return `${super.stateKey()}|${[...this.cancelledIn].sort().join(',')}|${[...this.resuming].sort().join(',')}`;
  }
}

/** A fresh `cancel-in-progress-resumes-delivery` broker. */
export function createBroker(): BrokerAdapter {
  return new CancelInProgressResumesDelivery(mutant);
}
