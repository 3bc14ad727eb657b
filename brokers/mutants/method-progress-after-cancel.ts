/**
 * Mutant `method-progress-after-cancel`: breaks NO-CALLBACKS-AFTER-CANCEL ([MS-WMI] 3.1.4.3.2).
 * A method provider ignores cancellation (PROVIDER-NOT-NOTIFIED), and this broker keeps relaying
 * its progress for a cancelled ExecMethodAsync call made with WBEM_FLAG_SEND_STATUS, sending the
 * cancelled final status only once the method has finished. A method call cancelled after its
 * method finished, or one that did not ask for status, behaves as the reference.
 */
import type { BrokerAdapter, BrokerOutput, BrokerStep } from '../../sim/broker-adapter.ts';
import type { Entry } from '../reference-broker.ts';
import { WBEM_FLAG_SEND_STATUS } from '../../trace/hresult.ts';
import { MutantBroker, type MutantInfo } from './mutant-broker.ts';

/** The zoo row of this mutant. */
export const mutant: MutantInfo = {
  name: 'method-progress-after-cancel',
  targets: ['NO-CALLBACKS-AFTER-CANCEL'],
  description: 'A cancelled ExecMethodAsync call made with WBEM_FLAG_SEND_STATUS keeps getting progress statuses until its method finishes.',
  interleaving: true,
};

/** Progress statuses relayed for a cancelled method call at most. */
const RELAYED = 3;

class MethodProgressAfterCancel extends MutantBroker {
  private relaying(e: Entry): boolean {
    return e.method && e.clientCancelled && !e.finalCalled && (e.flags & WBEM_FLAG_SEND_STATUS) !== 0 && e.result === undefined;
  }

  override enabled(): BrokerStep[] {
    const steps = super.enabled().filter((s) => !s.id.startsWith('cfin:') || !this.relaying(this.entries.get(s.call!)!));
    const extra: BrokerStep[] = [];
    for (const e of this.entryList()) {
      if (this.relaying(e) && e.callback === undefined && e.progressSent < RELAYED) extra.push({ id: `mprog:${e.call}`, call: e.call });
    }
    return this.withSteps(steps, extra);
  }

  override step(id: string): BrokerOutput[] {
    if (!id.startsWith('mprog:')) return super.step(id);
    const out: BrokerOutput[] = [];
    this.progress(this.entryOf(id)!, out);
    return out;
  }
}

/** A fresh `method-progress-after-cancel` broker. */
export function createBroker(): BrokerAdapter {
  return new MethodProgressAfterCancel(mutant);
}
