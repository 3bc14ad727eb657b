/**
 * Mutant `notification-cancel-spares-calls`: breaks CANCEL-COVERS-SHARING-CALLS (000, note on
 * numerous calls; [MS-WMI] 3.1.4.3.2). The broker keeps event subscriptions in a table of their
 * own: a CancelAsyncCall whose sink carries an ExecNotificationQueryAsync subscription cancels the
 * subscription and looks no further, so other calls pending on the same sink go on. A sink with
 * no subscription, or whose other calls already ended, behaves as the reference.
 */
import type { BrokerAdapter } from '../../sim/broker-adapter.ts';
import type { Entry } from '../reference-broker.ts';
import { MutantBroker, type MutantInfo, type PendingCancelView } from './mutant-broker.ts';

/** The zoo row of this mutant. */
export const mutant: MutantInfo = {
  name: 'notification-cancel-spares-calls',
  targets: ['CANCEL-COVERS-SHARING-CALLS'],
  description: 'CancelAsyncCall on a sink that carries an event subscription cancels only the subscription; other calls pending on the sink go on.',
  interleaving: true,
};

class NotificationCancelSparesCalls extends MutantBroker {
  protected override matching(k: PendingCancelView): Entry[] {
    const all = super.matching(k);
    const subscribed = all.some((e) => e.op === 'ExecNotificationQueryAsync' && !e.finalCalled && !e.cancelled);
    return subscribed ? all.filter((e) => e.op === 'ExecNotificationQueryAsync' || e.finalCalled || e.cancelled) : all;
  }
}

/** A fresh `notification-cancel-spares-calls` broker. */
export function createBroker(): BrokerAdapter {
  return new NotificationCancelSparesCalls(mutant);
}
