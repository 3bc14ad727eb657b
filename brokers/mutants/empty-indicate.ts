/**
 * Mutant `empty-indicate`: breaks NO-EMPTY-INDICATE ([MS-WMI] 3.2.4.1.1). A call with no results
 * (a delete, a put, an empty query) gets an Indicate with zero objects before its final status,
 * as a broker that flushes its (empty) batch buffer unconditionally would.
 */
import type { BrokerAdapter, BrokerOutput, BrokerStep } from '../../sim/broker-adapter.ts';
import { MutantBroker, type MutantInfo } from './mutant-broker.ts';

/** The zoo row of this mutant. */
export const mutant: MutantInfo = {
  name: 'empty-indicate',
  targets: ['NO-EMPTY-INDICATE'],
  description: 'Flushes an empty batch: calls without results get Indicate(0 objects) before the final status.',
  interleaving: false,
};

class EmptyIndicate extends MutantBroker {
  private flushed = new Set<string>();

  override reset(setup: Parameters<MutantBroker['reset']>[0]): void {
    super.reset(setup);
    this.flushed = new Set();
  }

  override enabled(): BrokerStep[] {
    const extra: BrokerStep[] = [];
    const steps = super.enabled().filter((s) => {
      if (!s.id.startsWith('fin:')) return true;
      const e = this.entryOf(s.id)!;
      if (e.total > 0 || this.flushed.has(e.call)) return true;
      // The empty flush comes first, then the final status.
      extra.push({ id: `ind0:${e.call}`, call: e.call });
      return false;
    });
    return this.withSteps(steps, extra);
  }

  override step(id: string): BrokerOutput[] {
    if (!id.startsWith('ind0:')) return super.step(id);
    const e = this.entryOf(id)!;
    this.flushed.add(e.call);
    const out: BrokerOutput[] = [];
    this.indicate(e, 0, out);
    return out;
  }

  override stateKey(): string {
    return `${super.stateKey()}|${[...this.flushed].join(',')}`;
  }
}

/** A fresh `empty-indicate` broker. */
export function createBroker(): BrokerAdapter {
  return new EmptyIndicate(mutant);
}
