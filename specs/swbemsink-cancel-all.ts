/**
 * SWBEMSINK-CANCEL-ALL (must, scripting). 002: Cancel "cancels all outstanding asynchronous operations
 * that are associated with this object sink ... Asynchronous calls that are associated with other
 * object sinks continue unaffected"; 004 ("free the associated resources"). Between SWbemSink.Cancel's
 * entry and return, every outstanding operation of that SWbemSink either ends or has its sink passed
 * to CancelAsyncCall, and no other SWbemSink's operation is cancelled.
 */
import type { TraceEvent } from '../trace/event.ts';
import { BaseCheck, type CheckFactory } from './base-check.ts';
import type { Tracker } from './tracker.ts';
import type { CallRec } from './records.ts';

interface Pending { entered: number; calls: CallRec[]; cancelled: Set<string> }

class SwbemsinkCancelAll extends BaseCheck {
  readonly types = ['call.entered', 'cancel.entered', 'swbem.cancel.entered', 'swbem.cancel.returned'] as const;
  private readonly bySwsink = new Map<string, CallRec[]>();
  private readonly pending = new Map<string, Pending>();
  constructor(t: Tracker) { super(t, 'SWBEMSINK-CANCEL-ALL'); }

  override event(e: TraceEvent): void {
    switch (e.type) {
      case 'call.entered': {
        if (e.swsink === undefined) return;
        const list = (this.bySwsink.get(e.swsink) ?? []).filter((c) => !c.ended);
        list.push(this.t.call!);
        this.bySwsink.set(e.swsink, list);
        return;
      }
      case 'swbem.cancel.entered': {
        // Outstanding: not ended and not already completing (a final status started, or OnCompleted fired).
        const calls = (this.bySwsink.get(e.swsink) ?? []).filter((c) => !c.ended && c.final === null && c.swCompleted === 0);
        for (const c of calls) c.swCancelled = true;
        this.pending.set(e.swsink, { entered: e.seq, calls, cancelled: new Set() });
        return;
      }
      case 'cancel.entered': {
        if (e.sink === null || this.pending.size === 0) return;
        for (const [sw, p] of this.pending) {
          if (p.calls.some((c) => c.sink === e.sink)) { p.cancelled.add(e.sink); continue; }
          const victim = this.t.sinks.get(e.sink)?.open.find((c) => c.swsink !== undefined && c.swsink !== sw);
          if (victim) this.out.violate([p.entered, e.seq], `SWbemSink.Cancel of ${sw} cancelled sink ${e.sink}, which serves operation ${victim.id} of SWbemSink ${victim.swsink}.`);
        }
        return;
      }
      case 'swbem.cancel.returned': {
        const p = this.pending.get(e.swsink);
        if (!p) return;
        this.pending.delete(e.swsink);
        if (p.calls.length === 0) return;
        this.out.exercise();
        for (const c of p.calls) {
          if (c.ended || (c.sink !== null && p.cancelled.has(c.sink))) continue;
          this.out.violate([p.entered, c.entered, e.seq], `SWbemSink.Cancel of ${e.swsink} returned leaving its operation ${c.id} outstanding (its sink was never cancelled).`);
        }
        return;
      }
    }
  }
}

/** The check of SWBEMSINK-CANCEL-ALL. */
export const swbemsinkCancelAll: CheckFactory = (t) => new SwbemsinkCancelAll(t);
