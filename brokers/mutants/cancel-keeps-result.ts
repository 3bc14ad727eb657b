/**
 * The shared shape of two CANCELLED-STATUS mutants: a cancel processed before the final status was
 * called, on a call the mutant picks (`keeps`), lets the provider's result through instead of
 * WBEM_E_CALL_CANCELLED. The wrong final status waits for a callback in progress, as a final
 * status that is not a cancel's must.
 */
import type { BrokerOutput, BrokerStep, RunSetup } from '../../sim/broker-adapter.ts';
import type { Entry } from '../reference-broker.ts';
import { WBEM_E_CALL_CANCELLED } from '../../trace/hresult.ts';
import { MutantBroker } from './mutant-broker.ts';

export abstract class CancelKeepsResult extends MutantBroker {
  private planted = new Set<string>();

  /** Whether a client's cancel of this call, processed now, keeps the provider's result. */
  protected abstract keeps(e: Entry): boolean;

  override reset(setup: RunSetup): void {
    super.reset(setup);
    this.planted = new Set();
  }

  protected override cancelEntry(e: Entry, stopProvider: boolean, out: BrokerOutput[], byClient = true): void {
    if (byClient && e.result !== undefined && !e.finalCalled && this.keeps(e)) this.planted.add(e.call);
    super.cancelEntry(e, stopProvider, out, byClient);
  }

  override enabled(): BrokerStep[] {
    return super.enabled().filter((s) => !s.id.startsWith('cfin:') || !this.planted.has(s.call!) || this.entries.get(s.call!)!.callback === undefined);
  }

  protected override decide(e: Entry, hr: number, out: BrokerOutput[]): void {
    super.decide(e, hr === WBEM_E_CALL_CANCELLED && this.planted.has(e.call) ? e.result! : hr, out);
  }

  override stateKey(): string {
    return `${super.stateKey()}|${[...this.planted].sort().join(',')}`;
  }
}
