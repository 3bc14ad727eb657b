/**
 * SWBEMSINK-ONCOMPLETED-AFTER-CANCEL (may, scripting). SWbemSink.OnCompleted page; 002: after Cancel,
 * OnCompleted may fire (with wbemErrCallCancelled) or not. Used when a cancelled operation's
 * OnCompleted fired, or the run ended without it; a Cancel with no operation outstanding leaves
 * no OnCompleted to fire or not.
 */
import type { TraceEvent } from '../trace/event.ts';
import { BaseCheck, type CheckFactory } from './base-check.ts';
import type { Tracker } from './tracker.ts';

class SwbemsinkOncompletedAfterCancel extends BaseCheck {
  readonly types = ['swbem.event', 'swbem.cancel.entered'] as const;
  private cancelledOps = 0;
  constructor(t: Tracker) { super(t, 'SWBEMSINK-ONCOMPLETED-AFTER-CANCEL'); }

  override event(e: TraceEvent): void {
    if (e.type === 'swbem.cancel.entered') {
      for (const c of this.t.calls.values()) {
        if (c.swsink === e.swsink && !c.ended && c.final === null) { this.cancelledOps++; break; }
      }
    }
    else if (e.type === 'swbem.event' && e.event === 'OnCompleted' && this.t.findCall(e.call)?.swCancelled) this.out.use();
  }

  protected override end(): void {
    if (this.cancelledOps > 0) this.out.use();
  }
}

/** The check of SWBEMSINK-ONCOMPLETED-AFTER-CANCEL. */
export const swbemsinkOncompletedAfterCancel: CheckFactory = (t) => new SwbemsinkOncompletedAfterCancel(t);
