/**
 * SEQUENTIAL-CALLS-ACCEPTED (should, broker). 003 step 4: "The application can proceed with
 * other tasks"; observed on Wine (a finished call still blocks the object's only slot).
 * A call failing at once through an IWbemServices object whose earlier calls all ended, none
 * pending, is taken as refused because of the finished one: a warning.
 */
import type { TraceEvent } from '../trace/event.ts';
import { failed } from '../trace/hresult.ts';
import { isRequestError } from './request-error.ts';
import { BaseCheck, NONE, callName, hrName, type CheckFactory } from './base-check.ts';
import type { Tracker } from './tracker.ts';

class SequentialCallsAccepted extends BaseCheck {
  readonly types = ['call.returned'] as const;
  constructor(t: Tracker) { super(t, 'SEQUENTIAL-CALLS-ACCEPTED'); }

  override event(e: TraceEvent): void {
    const c = this.t.call;
    if (!c || c.sink === null || e.type !== 'call.returned' || this.t.transportLost !== NONE) return;
    const finished = this.t.servicesFinished(c.services);
    if (finished === false || this.t.services.get(c.services)?.open.some((o) => o !== c && o.entered < c.entered)) return;
    if (finished === null) {
      // More IWbemServices objects than are remembered: whether an earlier call through this one
      // finished is forgotten, so a refusal can be neither convicted nor cleared.
      if (failed(e.hr) && !isRequestError(e.hr)) this.out.doubt([c.entered, e.seq], `${callName(c)} failed with ${hrName(e.hr)}.`, 'inconclusive (memory bound): whether an earlier call through this IWbemServices object finished is no longer remembered');
      return;
    }
    this.out.exercise();
    if (failed(e.hr) && !isRequestError(e.hr)) {
      this.out.violate([c.entered, e.seq],
        `${callName(c)} failed with ${hrName(e.hr)} although the earlier calls through IWbemServices object ${c.services} had all finished.`);
    }
  }
}

/** The check of SEQUENTIAL-CALLS-ACCEPTED. */
export const sequentialCallsAccepted: CheckFactory = (t) => new SequentialCallsAccepted(t);
