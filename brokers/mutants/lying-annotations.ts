/**
 * Mutant `lying-annotations`: breaks ANNOTATIONS-CONSISTENT (wbemsim's trace format; RULES.md "How
 * a trace is judged", item 3). Its `final status decided` annotation is written after the final
 * SetStatus already started, outside the window the observed events allow; its behaviour is the
 * reference broker's, so only the annotations lie.
 */
import type { BrokerAdapter, BrokerOutput } from '../../sim/broker-adapter.ts';
import type { Entry } from '../reference-broker.ts';
import { MutantBroker, type MutantInfo } from './mutant-broker.ts';

/** The zoo row of this mutant. */
export const mutant: MutantInfo = {
  name: 'lying-annotations',
  targets: ['ANNOTATIONS-CONSISTENT'],
  description: 'Annotates "final status decided" after the final SetStatus was entered.',
  interleaving: false,
};

class LyingAnnotations extends MutantBroker {
  /** Annotations held back until the final SetStatus has been entered. */
  private held = new Map<string, BrokerOutput>();

  override reset(setup: Parameters<MutantBroker['reset']>[0]): void {
    super.reset(setup);
    this.held = new Map();
  }

  protected override decide(e: Entry, hr: number, out: BrokerOutput[]): void {
    const mine: BrokerOutput[] = [];
    super.decide(e, hr, mine);
    for (const o of mine) {
      if (o.kind === 'final-decided') this.held.set(e.call, o);
      else out.push(o);
    }
  }

  override step(id: string): BrokerOutput[] {
    const out = super.step(id);
    for (const o of [...out]) {
      if (o.kind !== 'set-status' || o.lFlags !== 0) continue;
      const note = this.held.get(o.call);
      if (note) { this.held.delete(o.call); out.push(note); }
    }
    return out;
  }

  override stateKey(): string {
    return `${super.stateKey()}|${[...this.held.keys()].join(',')}`;
  }
}

/** A fresh `lying-annotations` broker. */
export function createBroker(): BrokerAdapter {
  return new LyingAnnotations(mutant);
}
