/**
 * Mutant `notification-completes`: breaks NOTIFICATION-NEVER-COMPLETES (002 remarks;
 * ExecNotificationQueryAsync page, "executes indefinitely until canceled"). It treats an event
 * subscription like a query: once the events on hand are delivered it ends it with
 * SetStatus(WBEM_S_NO_ERROR), as Wine 8.0 does (IMPLEMENTATIONS.md section 1).
 */
import type { BrokerAdapter, BrokerOutput, BrokerStep } from '../../sim/broker-adapter.ts';
import { S_OK } from '../../trace/hresult.ts';
import { MutantBroker, type MutantInfo } from './mutant-broker.ts';

/** The zoo row of this mutant. */
export const mutant: MutantInfo = {
  name: 'notification-completes',
  targets: ['NOTIFICATION-NEVER-COMPLETES'],
  description: 'An ExecNotificationQueryAsync subscription ends by itself with S_OK once no event is queued.',
  interleaving: false,
};

class NotificationCompletes extends MutantBroker {
  override enabled(): BrokerStep[] {
    const extra: BrokerStep[] = [];
    for (const e of this.entryList()) {
      if (e.op === 'ExecNotificationQueryAsync' && !e.finalCalled && !e.cancelled && e.callback === undefined && e.queued === 0) {
        extra.push({ id: `nfin:${e.call}`, call: e.call });
      }
    }
    return this.withSteps(super.enabled(), extra);
  }

  override step(id: string): BrokerOutput[] {
    if (!id.startsWith('nfin:')) return super.step(id);
    const out: BrokerOutput[] = [];
    this.decide(this.entryOf(id)!, S_OK, out);
    return out;
  }
}

/** A fresh `notification-completes` broker. */
export function createBroker(): BrokerAdapter {
  return new NotificationCompletes(mutant);
}
