/**
 * CANCEL-UNKNOWN-SINK-ERROR (must). [MS-WMI] 3.1.4.3.2 ("not associated with an entry"): CancelAsyncCall
 * with NULL, or with a sink this broker never accepted in an async call, returns a failure.
 * An inner sink never passed to a call is a sink the broker never accepted, whether or not its
 * wrapper was passed: while the wrapper's calls are pending, a success breaks CANCEL-SAME-POINTER too.
 */
import { failed } from '../trace/hresult.ts';
import { BaseCheck, NONE, hrName, type CheckFactory } from './base-check.ts';
import type { Tracker } from './tracker.ts';

class CancelUnknownSinkError extends BaseCheck {
  readonly types = ['cancel.returned'] as const;
  constructor(t: Tracker) { super(t, 'CANCEL-UNKNOWN-SINK-ERROR'); }

  override event(): void {
    const k = this.t.cancel!;
    if (k.fromCallback !== null || this.t.transportLost !== NONE) return;
    let why: string;
    if (k.sink === null) why = 'NULL';
    else {
      const s = this.t.sinks.get(k.sink);
      // Known: a call with it is pending or still inside its method (its acceptance may come).
      if (s && (s.open.length > 0 || this.inFlight(k.sink))) return;
      const known = this.t.everAccepted(k.sink);
      if (known === true) return;
      if (known === null) {
        if (!failed(k.hr)) this.out.doubt([k.entered, k.returned], `Cancel ${k.id} of sink ${k.sink} succeeded; the sink is not in the remembered history.`, 'sink history beyond the memory cap');
        return;
      }
      why = `sink ${k.sink}, never accepted in an async call`;
    }
    this.out.exercise();
    if (!failed(k.hr)) this.out.violate([k.entered, k.returned], `CancelAsyncCall(${why}) returned ${hrName(k.hr)}, not a failure.`);
  }

  /** A call made with the sink has not returned from its method yet, whichever call that is. */
  private inFlight(sink: string): boolean {
    for (const c of this.t.unreturned) if (c.sink === sink) return true;
    return false;
  }
}

/** The check of CANCEL-UNKNOWN-SINK-ERROR. */
export const cancelUnknownSinkError: CheckFactory = (t) => new CancelUnknownSinkError(t);
