/**
 * CALL-RETURNS-IMMEDIATELY (must). 003 "Making an Asynchronous Call with C++" step 4: "The method
 * returns immediately with the WBEM_S_NO_ERROR success code"; [MS-WMI] 3.1.1.1.3.
 * Waiting is convicted by holding (item 4): a method that returns only after the watchdog
 * released a held callback waited for it; one that never returns by a decisive end waited forever.
 */
import type { TraceEvent } from '../trace/event.ts';
import { BaseCheck, callName, releaser, type CheckFactory } from './base-check.ts';
import type { Tracker } from './tracker.ts';

class CallReturnsImmediately extends BaseCheck {
  readonly types = ['call.returned'] as const;
  constructor(t: Tracker) { super(t, 'CALL-RETURNS-IMMEDIATELY'); }

  override event(e: TraceEvent): void {
    const c = this.t.call;
    if (!c || e.type !== 'call.returned') return;
    this.out.exercise();
    const held = this.t.callWaits.get(c);
    if (held) {
      this.t.callWaits.delete(c);
      this.out.violate([c.entered, held.entered, held.released, e.seq],
        `${callName(c)} returned only after ${releaser(held)} released held callback ${held.cb}: the method waited for a sink callback.`);
    }
  }

  protected override end(): void {
    for (const c of this.t.unreturned) {
      this.out.exercise();
      // A broker whose process died inside the method did not wait: its crash is the finding.
      if (this.t.decisiveEnd() && this.t.end?.reason !== 'crash') this.out.violate([c.entered], `${callName(c)} never returned from its method by the end of the run.`);
      else this.out.doubt([c.entered], `${callName(c)} had not returned when the run was cut.`, `run ended at a bound (${this.t.end?.reason ?? 'no run.end'})`);
    }
  }
}

/** The check of CALL-RETURNS-IMMEDIATELY. */
export const callReturnsImmediately: CheckFactory = (t) => new CallReturnsImmediately(t);
