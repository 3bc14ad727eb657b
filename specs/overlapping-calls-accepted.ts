/**
 * OVERLAPPING-CALLS-ACCEPTED (should, broker). 000: "It is possible to make numerous asynchronous
 * calls using the same object sink"; 003 ("two different overlapping asynchronous calls").
 * A call that fails at once while another call through the same IWbemServices object is pending
 * is taken as refused because of it (Wine's one-slot design); only a warning, never a failure.
 */
import type { TraceEvent } from '../trace/event.ts';
import { failed } from '../trace/hresult.ts';
import { isRequestError } from './request-error.ts';
import { BaseCheck, NONE, callName, hrName, type CheckFactory } from './base-check.ts';
import type { Tracker } from './tracker.ts';

class OverlappingCallsAccepted extends BaseCheck {
  readonly types = ['call.returned'] as const;
  constructor(t: Tracker) { super(t, 'OVERLAPPING-CALLS-ACCEPTED'); }

  override event(e: TraceEvent): void {
    const c = this.t.call;
    if (!c || c.sink === null || e.type !== 'call.returned' || this.t.transportLost !== NONE) return;
    const other = this.t.services.get(c.services)?.open.find((o) => o !== c && o.entered < c.entered);
    if (!other) return;
    this.out.exercise();
    if (failed(e.hr) && !isRequestError(e.hr)) {
      this.out.violate([other.entered, c.entered, e.seq],
        `${callName(c)} failed with ${hrName(e.hr)} while call ${other.id} through the same IWbemServices object ${c.services} was pending.`);
    }
  }
}

/** The check of OVERLAPPING-CALLS-ACCEPTED. */
export const overlappingCallsAccepted: CheckFactory = (t) => new OverlappingCallsAccepted(t);
