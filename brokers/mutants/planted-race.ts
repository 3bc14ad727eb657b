/**
 * The planted race: a reference broker with one deliberate, narrow fault for the exploration
 * strategies to find. When a client's cancel is processed between two Indicates of the second of
 * two calls sharing a sink (that call has had an Indicate and still has results to deliver), the
 * call's final status is the provider's own result (S_OK) instead of WBEM_E_CALL_CANCELLED: the
 * broker "forgets" that the cancel landed. Every other interleaving behaves as the reference.
 * It breaks CANCELLED-STATUS only, and only in that window, so a strategy must hit the window.
 */
import type { BrokerOutput, BrokerStep, RunSetup } from '../../sim/broker-adapter.ts';
import { ReferenceBroker, type Entry } from '../reference-broker.ts';
import type { CallEventType } from '../../specs/lifecycle-machine.ts';
import type { Workload } from '../../sim/workload.ts';
import { S_OK, WBEM_E_CALL_CANCELLED } from '../../trace/hresult.ts';

/** The reference broker with the planted race. */
export class PlantedRaceBroker extends ReferenceBroker {
  /** Indicates started per call. */
  private indicates = new Map<string, number>();
  /** Calls whose cancel landed in the window: their WBEM_E_CALL_CANCELLED becomes S_OK. */
  private planted = new Set<string>();

  constructor() {
    super({ name: 'planted-race', version: '1' });
  }

  override reset(setup: RunSetup): void {
    super.reset(setup);
    this.indicates = new Map();
    this.planted = new Set();
  }

  override enabled(): BrokerStep[] {
    // The wrong final waits for the callback in progress, so that only CANCELLED-STATUS breaks
    // (an S_OK final overlapping an Indicate would also break ONE-CALLBACK-AT-A-TIME).
    return super.enabled().filter((s) => {
      if (!s.id.startsWith('cfin:') || !this.planted.has(s.call!)) return true;
      return this.entries.get(s.call!)!.callback === undefined;
    });
  }

  override stateKey(): string {
    return `${super.stateKey()}|planted:${[...this.planted].join(',')}|ind:${[...this.indicates].map(([c, n]) => `${c}=${n}`).join(',')}`;
  }

  protected override indicate(e: Entry, count: number, out: BrokerOutput[]): void {
    this.indicates.set(e.call, (this.indicates.get(e.call) ?? 0) + 1);
    super.indicate(e, count, out);
  }

  protected override cancelEntry(e: Entry, stopProvider: boolean, out: BrokerOutput[], byClient = true): void {
    if (byClient && this.inWindow(e)) this.planted.add(e.call);
    super.cancelEntry(e, stopProvider, out, byClient);
  }

  /** The fault: the cancelled final status is decided as the provider's own result. */
  protected override decide(e: Entry, hr: number, out: BrokerOutput[]): void {
    super.decide(e, hr === WBEM_E_CALL_CANCELLED && this.planted.has(e.call) ? e.result ?? S_OK : hr, out);
  }

  protected override feed(e: Entry, type: CallEventType): void {
    if (!this.planted.has(e.call)) return super.feed(e, type);
    // The machine rejects the planted final; the reference would stop there, the mutant goes on.
    try { super.feed(e, type); } catch { /* the planted fault */ }
  }

  /** The second of two calls on one sink, between two of its Indicates: one started, more to come. */
  private inWindow(e: Entry): boolean {
    const onSink = [...this.entries.values()].filter((x) => x.sink === e.sink && x.services === e.services);
    if (onSink.length < 2 || onSink.indexOf(e) < 1) return false;
    const moreToCome = e.queued > 0 || this.machine.stateValue(e.m).provider === 'running';
    return (this.indicates.get(e.call) ?? 0) >= 1 && moreToCome;
  }
}

/** Makes the planted-race broker (a `BrokerFactory`). */
export function createPlantedRace(): PlantedRaceBroker {
  return new PlantedRaceBroker();
}

/** The mutant's metadata, for the mutant zoo's registry (`--impl mutant:planted-race`). */
export const plantedRace = {
  name: 'planted-race',
  targets: ['CANCELLED-STATUS'],
  description: 'Drops WBEM_E_CALL_CANCELLED (sends S_OK instead) only when the cancel is processed between two Indicates of the second of two calls sharing a sink.',
  create: createPlantedRace,
} as const;

/**
 * A small workload that can expose the race: a delete and then a query of two objects sharing a
 * sink, and a CancelAsyncCall with that sink once the query returned (the same configuration as
 * `workloads/explore/shared-sink-cancel.json`).
 */
export const plantedRaceWorkload: Workload = {
  name: 'planted-race',
  description: 'A delete and then a query of two objects on one sink, and a CancelAsyncCall with that sink once the query returned.',
  sinks: [{ id: 's1' }],
  calls: [
    { id: 'c1', op: 'DeleteInstanceAsync', sink: 's1' },
    { id: 'c2', op: 'ExecQueryAsync', sink: 's1', objects: 2, after: 'c1' },
  ],
  actions: [{ kind: 'cancel', id: 'k1', sink: 's1', after: 'c2' }],
};

/** `--impl module:brokers/mutants/planted-race.ts` loads the mutant before the zoo registers it. */
export default createPlantedRace;
