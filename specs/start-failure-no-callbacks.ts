/**
 * START-FAILURE-NO-CALLBACKS (must). [MS-WMI] 3.1.1.1.3; ExecQueryAsync page (pResponseHandler):
 * an operation that cannot start reports it as the method's return value; no Indicate or
 * SetStatus ever follows, and at a decisive end the broker holds no reference to a sink that
 * only ever saw failed calls.
 */
import type { TraceEvent } from '../trace/event.ts';
import { failed } from '../trace/hresult.ts';
import { BaseCheck, NONE, callName, hrName, type CheckFactory } from './base-check.ts';
import type { Tracker } from './tracker.ts';

/** Sinks remembered for the end-of-run reference check. */
const SINKS_CAP = 1024;

class StartFailureNoCallbacks extends BaseCheck {
  readonly types = ['call.returned', 'indicate.entered', 'setstatus.entered'] as const;
  private readonly failedSinks = new Map<string, number[]>();
  constructor(t: Tracker) { super(t, 'START-FAILURE-NO-CALLBACKS'); }

  override event(e: TraceEvent): void {
    const c = this.t.call;
    if (!c) return;
    if (e.type === 'call.returned') {
      if (!failed(e.hr)) return;
      this.out.exercise();
      if (c.callbacks > 0) {
        this.out.violate([c.entered, c.last?.entered ?? NONE, e.seq],
          `${callName(c)} failed with ${hrName(e.hr)} after its sink had already been called back.`);
      }
      if (c.sink !== null && this.failedSinks.size < SINKS_CAP) this.failedSinks.set(c.sink, [c.entered, e.seq]);
      return;
    }
    const cb = this.t.callback!;
    if (c.returned !== NONE && failed(c.hr)) {
      this.out.violate([c.returned, cb.entered], `${callName(c)} failed to start (${hrName(c.hr)}) yet its sink was called back.`);
    }
  }

  protected override end(): void {
    if (!this.t.decisiveEnd()) return;
    for (const [sink, events] of this.failedSinks) {
      const s = this.t.sinks.get(sink);
      if (s && !s.accepted && s.brokerNet > 0 && this.t.refsTracked(s)) {
        this.out.violate(events, `The broker still holds ${s.brokerNet} reference(s) to sink ${sink}, which was only passed to calls that failed to start.`);
      }
    }
  }
}

/** The check of START-FAILURE-NO-CALLBACKS. */
export const startFailureNoCallbacks: CheckFactory = (t) => new StartFailureNoCallbacks(t);
