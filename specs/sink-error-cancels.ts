/**
 * SINK-ERROR-CANCELS (must). [MS-WMI] 3.1.1.1.3, 3.2.4.1.1, 3.2.4.1.2: a failure returned by the
 * client's Indicate or progress SetStatus cancels the call. The broker regains control only after
 * that return, so everything it starts afterwards is decided: no new Indicate or progress, a final
 * status of WBEM_E_CALL_CANCELLED, and no second final status after a failing one.
 */
import { failed, WBEM_E_CALL_CANCELLED } from '../trace/hresult.ts';
import { BaseCheck, NONE, callName, hrName, type CheckFactory } from './base-check.ts';
import type { Tracker } from './tracker.ts';

class SinkErrorCancels extends BaseCheck {
  readonly types = ['indicate.entered', 'setstatus.entered', 'indicate.returned', 'setstatus.returned'] as const;
  constructor(t: Tracker) {
    super(t, 'SINK-ERROR-CANCELS');
    this.out.attributionDependent = true;
  }

  override event(): void {
    const cb = this.t.callback;
    const c = cb?.call;
    if (!cb || !c) return;
    if (cb.returned !== NONE) {
      if (cb.kind !== 'final' && c.sinkError === cb.returned) this.out.exercise();
      return;
    }
    if (cb.kind === 'final' && cb !== c.final && c.final !== null && c.final.returned !== NONE && failed(c.final.ret)) {
      this.out.violate([c.final.returned, cb.entered], `A second final status of ${callName(c)} started after the first one failed in the sink.`);
      return;
    }
    if (c.sinkError === NONE || cb.entered < c.sinkError) return;
    const events = [c.sinkError, cb.entered];
    if ((cb.kind === 'indicate' || cb.kind === 'progress') && c.final === null) {
      this.report(events, `${cb.kind} ${cb.cb} of ${callName(c)} started after the sink had failed a callback, which cancels the call.`, cb.ambiguous);
    } else if (cb === c.final && cb.hResult !== WBEM_E_CALL_CANCELLED) {
      this.report(events, `The final status of ${callName(c)} carried ${hrName(cb.hResult)} after the sink had failed a callback; it must be WBEM_E_CALL_CANCELLED.`, cb.ambiguous);
    }
  }

  private report(events: number[], what: string, ambiguous: boolean): void {
    if (ambiguous) this.out.doubt(events, what, 'the callback carried no call id on a shared sink');
    else this.out.violate(events, what);
  }
}

/** The check of SINK-ERROR-CANCELS. */
export const sinkErrorCancels: CheckFactory = (t) => new SinkErrorCancels(t);
