/**
 * LINT-WAIT-FOR-CALLBACKS-IN-FLIGHT (should, client). Follows from CALLBACK-IN-FLIGHT-MAY-FINISH;
 * IMPLEMENTATIONS.md client stories (PresentMon, Velociraptor). After CancelAsyncCall returned, the
 * client's last release of its sink (or `client.saw state-freed`) while a callback on that sink is
 * still running, or a cancelled call's final status has not come, is reported. A release made from
 * inside a callback (the event's thread is that callback's, `sink:<cb>`) does not count that
 * callback as running beside it: a sink may drop its own reference in its final SetStatus.
 */
import type { TraceEvent } from '../trace/event.ts';
import { BaseCheck, NONE, type CheckFactory } from './base-check.ts';
import { CLIENT_SAW } from './client-saw.ts';
import type { Tracker } from './tracker.ts';
import type { SinkRec } from './records.ts';

class LintWaitForCallbacksInFlight extends BaseCheck {
  readonly types = ['sink.release', 'client.saw'] as const;
  constructor(t: Tracker) { super(t, 'LINT-WAIT-FOR-CALLBACKS-IN-FLIGHT'); }

  override event(e: TraceEvent): void {
    if (e.type === 'sink.release') {
      const s = this.t.sink!;
      if (e.by === 'client' && s.clientNet <= 0) this.judge(s, e.seq, e.thread);
    } else if (e.type === 'client.saw' && e.what === CLIENT_SAW.stateFreed && e.call !== undefined) {
      const c = this.t.findCall(e.call);
      const s = c?.sink != null ? this.t.sinks.get(c.sink) : undefined;
      if (s) this.judge(s, e.seq, e.thread);
    }
  }

  /** `thread`: where the release was made; a callback freeing from inside itself is not under way beside it. */
  private judge(s: SinkRec, seq: number, thread: string | undefined): void {
    const k = s.lastCancel;
    if (!k || k.returned === NONE) return;
    this.out.exercise();
    const self = thread?.startsWith('sink:') ? thread.slice(5) : undefined;
    let running = 0;
    for (const cb of this.t.callbacks.values()) if (cb.sink === s.id && cb.cb !== self) running++;
    const unfinished = k.covered.filter((c) => c.final === null).length;
    if (running + unfinished > 0) {
      this.out.violate([k.returned, seq], `After cancel ${k.id} returned the client freed sink ${s.id} while ${running} callback(s) were running and ${unfinished} final status(es) had not come.`);
    }
  }
}

/** The check of LINT-WAIT-FOR-CALLBACKS-IN-FLIGHT. */
export const lintWaitForCallbacksInFlight: CheckFactory = (t) => new LintWaitForCallbacksInFlight(t);
