/**
 * BROKER-HOLDS-SINK (must). 000 "IWbemServices::CancelAsyncCall": the sink "can be released prior
 * to the call or after the call returns"; 003 step 7 note. So from acceptance until the final
 * status returned the broker's own net references stay at least one, unless a cancel (or a sink
 * error, no-security, a lost transport) legitimately ended the call's hold.
 *
 * A call counts as accepted from its successful return, or from its first callback when the
 * broker calls back before the method returned (CALLBACK-MAY-PRECEDE-RETURN). A black-box trace is
 * judged by the counts it records: a broker that never took a reference calls, once the client's
 * own are gone (a Release leaving the count at zero), a sink that is already freed.
 */
import type { TraceEvent } from '../trace/event.ts';
import { failed } from '../trace/hresult.ts';
import { BaseCheck, NONE, accepted, callName, type CheckFactory } from './base-check.ts';
import { noteOf, setNote, type CallRec } from './records.ts';

/** The mark of a call already reported, so one missing reference is one finding. */
const REPORTED = 'broker-holds-sink.reported';
import type { Tracker } from './tracker.ts';

/** Accepted by its return, or shown accepted by a callback before the return. */
function holding(c: CallRec): boolean {
  return accepted(c) || (c.returned === NONE && c.callbacks > 0);
}

class BrokerHoldsSink extends BaseCheck {
  readonly types = ['call.returned', 'sink.release', 'indicate.entered', 'setstatus.entered'] as const;
  constructor(t: Tracker) { super(t, 'BROKER-HOLDS-SINK'); }

  private exempt(c: CallRec): boolean {
    return c.cancels !== null || c.sinkError !== NONE || this.t.noSecurity !== NONE || this.t.transportLost !== NONE || c.finalReturned !== NONE;
  }

  private report(c: CallRec, events: number[], what: string): void {
    if (noteOf(c, REPORTED) !== undefined) return;
    setNote(c, REPORTED, 1);
    this.out.violate(events, what);
  }

  override event(e: TraceEvent): void {
    if (e.type === 'call.returned') {
      const c = this.t.call;
      if (!c || c.sink === null || failed(e.hr) || this.exempt(c)) return;
      const s = this.t.sinks.get(c.sink);
      if (!this.t.refsTracked(s)) return;
      this.out.exercise();
      if (!s || s.brokerNet < 1) this.report(c, [c.entered, e.seq], `${callName(c)} was accepted but the broker holds no reference of its own to the sink.`);
      return;
    }
    if (e.type === 'indicate.entered' || e.type === 'setstatus.entered') {
      const c = this.t.call;
      const s = this.t.sink;
      if (!c || !s || this.exempt(c)) return;
      // Without the broker's AddRefs in the trace, a recorded count of zero still convicts: nobody held the sink.
      if (!this.t.refsTracked(s) && s.deadSince !== NONE) {
        this.out.exercise();
        this.report(c, [c.entered, s.deadSince, e.seq], `The broker called sink ${s.id} for ${callName(c)} after its reference count had dropped to zero: it never held a reference of its own.`);
        return;
      }
      if (!this.t.refsTracked(s)) return;
      this.out.exercise();
      if (s.brokerNet < 1) {
        this.report(c, [c.entered, e.seq], `The broker called sink ${s.id} for ${callName(c)} while it held no reference of its own to it.`);
      }
      return;
    }
    if (e.type !== 'sink.release' || (e.by ?? 'broker') !== 'broker') return;
    const s = this.t.sink;
    if (!s || s.brokerNet > 0 || !this.t.refsTracked(s)) return;
    for (const c of s.open) {
      if (!holding(c) || this.exempt(c)) continue;
      const from = c.returned !== NONE ? c.returned : c.entered;
      this.report(c, [from, e.seq], `The broker released its last reference to sink ${s.id} while ${callName(c)} was pending, before its final status returned.`);
    }
  }
}

/** The check of BROKER-HOLDS-SINK. */
export const brokerHoldsSink: CheckFactory = (t) => new BrokerHoldsSink(t);
