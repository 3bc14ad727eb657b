/**
 * Mutant `indicate-after-final`: breaks NOTHING-AFTER-FINAL ([MS-WMI] 3.2.4.1.2; 003 step 7). It
 * sends the final status as soon as the provider completed, even when objects are still queued,
 * and delivers those afterwards. Only when the completion overtakes delivery does it show.
 */
import type { BrokerAdapter, BrokerOutput, BrokerStep } from '../../sim/broker-adapter.ts';
import type { Entry } from '../reference-broker.ts';
import { MutantBroker, type MutantInfo } from './mutant-broker.ts';

/** The zoo row of this mutant. */
export const mutant: MutantInfo = {
  name: 'indicate-after-final',
  targets: ['NOTHING-AFTER-FINAL'],
  description: 'The final status may overtake queued results, which are then indicated after it.',
  interleaving: true,
};

class IndicateAfterFinal extends MutantBroker {
  override enabled(): BrokerStep[] {
    const extra: BrokerStep[] = [];
    const steps = super.enabled();
    for (const e of this.entryList()) {
      if (e.cancelled || e.callback !== undefined) continue;
      if (!e.finalCalled && e.result !== undefined && e.queued > 0) extra.push({ id: `fin:${e.call}`, call: e.call });
      if (e.finalReturned && e.queued > 0) extra.push({ id: `ind:${e.call}:1`, call: e.call });
    }
    return this.withSteps(steps, extra);
  }

  // The stored reference stays until the stragglers are out: the fault is the order, not a leak.
  protected override releaseStored(e: Entry, out: BrokerOutput[]): void {
    if (!e.cancelled && e.queued > 0) return;
    super.releaseStored(e, out);
  }

  protected override onCallbackReturned(cb: string, ret: number, out: BrokerOutput[]): void {
    super.onCallbackReturned(cb, ret, out);
    const e = this.entries.get(cb.slice(0, cb.lastIndexOf('#')));
    if (e?.finalReturned && e.stored && e.queued === 0 && e.callback === undefined) this.releaseStored(e, out);
  }
}

/** A fresh `indicate-after-final` broker. */
export function createBroker(): BrokerAdapter {
  return new IndicateAfterFinal(mutant);
}
