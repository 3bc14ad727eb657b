/**
 * LINT-NO-WMI-CALLS-IN-EVENT-SINK (should, client). Indicate page; SetStatus page: from the callbacks of
 * an event-subscription sink make no call into WMI (query sinks may). Reported for an async call made
 * from inside a notification query's callback (`fromCallback`, or the same thread as that callback).
 */
import type { TraceEvent } from '../trace/event.ts';
import { BaseCheck, callName, type CheckFactory } from './base-check.ts';
import type { Tracker } from './tracker.ts';
import type { CallbackRec } from './records.ts';

class LintNoWmiCallsInEventSink extends BaseCheck {
  readonly types = ['call.entered', 'indicate.entered'] as const;
  constructor(t: Tracker) { super(t, 'LINT-NO-WMI-CALLS-IN-EVENT-SINK'); }

  override event(e: TraceEvent): void {
    if (e.type === 'indicate.entered') {
      if (this.t.call?.op === 'ExecNotificationQueryAsync') this.out.exercise();
      return;
    }
    if (e.type !== 'call.entered') return;
    let inside: CallbackRec | null = this.t.call!.fromCallback;
    if (!inside && e.thread !== undefined) {
      for (const cb of this.t.callbacks.values()) if (cb.thread === e.thread) { inside = cb; break; }
    }
    if (inside?.call?.op === 'ExecNotificationQueryAsync') {
      this.out.violate([inside.entered, e.seq], `${callName(this.t.call!)} was made from inside callback ${inside.cb} of notification query ${inside.call.id}.`);
    }
  }
}

/** The check of LINT-NO-WMI-CALLS-IN-EVENT-SINK. */
export const lintNoWmiCallsInEventSink: CheckFactory = (t) => new LintNoWmiCallsInEventSink(t);
