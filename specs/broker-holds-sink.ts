/**
 * BROKER-HOLDS-SINK (must). 000 "IWbemServices::CancelAsyncCall": the sink "can be released prior
 * to the call or after the call returns"; 003 step 7 note. So from acceptance until the final
 * status returned the broker's own net references stay at least one, unless a cancel (or a sink
 * error, no-security, a lost transport) legitimately ended the call's hold.
 */
import type { TraceEvent } from '../trace/event.ts';
import { failed } from '../trace/hresult.ts';
import { BaseCheck, NONE, accepted, callName, type CheckFactory } from './base-check.ts';
import type { CallRec } from './records.ts';
import type { Tracker } from './tracker.ts';

class BrokerHoldsSink extends BaseCheck {
  readonly types = ['call.returned', 'sink.release'] as const;
  constructor(t: Tracker) { super(t, 'BROKER-HOLDS-SINK'); }

  private exempt(c: CallRec): boolean {
    return c.cancels !== null || c.sinkError !== NONE || this.t.noSecurity !== NONE || this.t.transportLost !== NONE || c.finalReturned !== NONE;
  }

  override event(e: TraceEvent): void {
    if (e.type === 'call.returned') {
      const c = this.t.call;
      if (!c || c.sink === null || failed(e.hr) || this.exempt(c)) return;
      const s = this.t.sinks.get(c.sink);
      if (!this.t.refsTracked(s)) return;
      this.out.exercise();
      if (!s || s.brokerNet < 1) {
        this.out.violate([c.entered, e.seq], `${callName(c)} was accepted but the broker holds no reference of its own to the sink.`);
      }
      return;
    }
    if (e.type !== 'sink.release' || (e.by ?? 'broker') !== 'broker') return;
    const s = this.t.sink;
    if (!s || s.brokerNet > 0 || !this.t.refsTracked(s)) return;
    for (const c of s.open) {
      if (!accepted(c) || this.exempt(c)) continue;
      this.out.violate([c.returned, e.seq], `The broker released its last reference to sink ${s.id} while ${callName(c)} was pending, before its final status returned.`);
    }
  }
}

/** The check of BROKER-HOLDS-SINK. */
export const brokerHoldsSink: CheckFactory = (t) => new BrokerHoldsSink(t);
