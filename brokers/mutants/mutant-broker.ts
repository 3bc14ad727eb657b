/**
 * The base of the mutant zoo: the reference broker with one fault planted per subclass. A mutant
 * must be able to do what the lifecycle machine forbids (that is its fault), so `feed` follows
 * the machine without throwing; everything else is the reference broker's, and each mutant
 * overrides only the few lines its fault needs (RULES.md rule cited in each file).
 */
import type { BrokerAdapter, BrokerStep } from '../../sim/broker-adapter.ts';
import { ReferenceBroker, type Entry } from '../reference-broker.ts';
import type { CallEventType } from '../../specs/lifecycle-machine.ts';

/** What each mutant file exports as `mutant`: the zoo's table row. */
export interface MutantInfo {
  /** The name in `--impl mutant:NAME`. */
  name: string;
  /** The RULES.md rule IDs its fault breaks: the suite must catch it by (one of) these. */
  targets: string[];
  /** One sentence: the fault, in the words of a bug report. */
  description: string;
  /** The fault shows only under a specific interleaving (a race), not in every run that reaches it. */
  interleaving: boolean;
}

/** A zoo entry: the row plus a factory of fresh adapters. */
export interface MutantDefinition extends MutantInfo {
  create: () => BrokerAdapter;
}

/**
 * The reference broker's pending cancel, as the subclasses see it (the reference keeps the type
 * private; TypeScript matches it structurally).
 */
export interface PendingCancelView {
  cancel: string;
  services: string;
  sink: string;
  processed: boolean;
  hr: number;
}

/** The reference broker with a tolerant machine: the planted fault is allowed to happen. */
export abstract class MutantBroker extends ReferenceBroker {
  constructor(info: MutantInfo) {
    super({ name: `mutant:${info.name}`, version: '1' });
  }

  /** Follows the machine like the reference does, but never refuses: the fault must reach the trace. */
  protected override feed(e: Entry, type: CallEventType): void {
    e.m = this.machine.step(e.m, this.machine.eventIndex(type));
  }

  /** The entries in acceptance order (the Map keeps insertion order). */
  protected entryList(): Entry[] {
    return [...this.entries.values()];
  }

  /** The entry a step id names (`kind:call[:extra]`), if any. */
  protected entryOf(id: string): Entry | undefined {
    return this.entries.get(id.split(':')[1] ?? '');
  }

  /** Shorthand for subclasses that add steps: the reference's steps plus `extra`. */
  protected withSteps(steps: BrokerStep[], extra: BrokerStep[]): BrokerStep[] {
    return extra.length ? [...steps, ...extra] : steps;
  }
}
