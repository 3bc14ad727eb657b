/**
 * Mutant `unasked-progress`: breaks PROGRESS-ONLY-IF-ASKED ([MS-WMI] 3.1.4.3.19, 3.1.4.3.23;
 * SetStatus page). It keeps WBEM_FLAG_SEND_STATUS per sink instead of per call: while a call that
 * asked for status is pending on a sink, the other calls on that sink get progress statuses too.
 * A sink used by one call at a time never shows it.
 */
import type { BrokerAdapter, BrokerStep } from '../../sim/broker-adapter.ts';
import { WBEM_FLAG_SEND_STATUS } from '../../trace/hresult.ts';
import { MutantBroker, type MutantInfo } from './mutant-broker.ts';

/** The zoo row of this mutant. */
export const mutant: MutantInfo = {
  name: 'unasked-progress',
  targets: ['PROGRESS-ONLY-IF-ASKED'],
  description: 'Reads WBEM_FLAG_SEND_STATUS per sink: a call without it gets progress while another call on its sink asked for it.',
  interleaving: true,
};

class UnaskedProgress extends MutantBroker {
  override enabled(): BrokerStep[] {
    const extra: BrokerStep[] = [];
    const list = this.entryList();
    for (const e of list) {
      if ((e.flags & WBEM_FLAG_SEND_STATUS) !== 0 || e.progressSent > 0 || e.finalCalled || e.cancelled || e.callback !== undefined) continue;
      const asked = list.some((o) => o !== e && o.sink === e.sink && (o.flags & WBEM_FLAG_SEND_STATUS) !== 0 && !o.finalCalled && !o.cancelled);
      if (asked) extra.push({ id: `prog:${e.call}`, call: e.call });
    }
    return this.withSteps(super.enabled(), extra);
  }
}

/** A fresh `unasked-progress` broker. */
export function createBroker(): BrokerAdapter {
  return new UnaskedProgress(mutant);
}
