/**
 * EVENTS-MAY-BE-DROPPED (may). Async events page: under pressure the broker may slow down or drop
 * event notifications. Used when an event that a notification query's (harness-owned) provider
 * produced never reached the sink although no cancel had been processed before it was produced;
 * events produced after a cancel was processed are the cancel's business (NO-CALLBACKS-AFTER-CANCEL).
 */
import type { TraceEvent } from '../trace/event.ts';
import { BaseCheck, type CheckFactory } from './base-check.ts';
import type { Tracker } from './tracker.ts';
import type { CallRec, CancelRec } from './records.ts';

class EventsMayBeDropped extends BaseCheck {
  readonly types = ['setstatus.entered', 'annotation.cancel-processed'] as const;
  protected override readonly whiteBoxOnly = true;
  /** Per cancelled notification query (by id): how many events its provider had produced by the cancel's processing. */
  private readonly beforeCancel = new Map<string, number>();
  constructor(t: Tracker) { super(t, 'EVENTS-MAY-BE-DROPPED'); }

  private isEventQuery(c: CallRec): boolean {
    return c.op === 'ExecNotificationQueryAsync' && c.provider !== null;
  }

  /** p is known (annotated) or at its latest: events produced so far came before it in some placement. */
  private mark(k: CancelRec): void {
    for (const c of k.covered) {
      if (!this.isEventQuery(c) || this.beforeCancel.has(c.id)) continue;
      this.beforeCancel.set(c.id, c.provider!.produced);
    }
  }

  cancelClosed(k: CancelRec): void {
    if (k.fromCallback === null && !k.exact) this.mark(k);
  }

  private look(c: CallRec): void {
    if (!this.isEventQuery(c)) return;
    const produced = this.beforeCancel.get(c.id) ?? c.provider!.produced;
    if (produced > c.objects) this.out.use();
  }

  override event(e: TraceEvent): void {
    if (e.type === 'annotation.cancel-processed') {
      const k = this.t.cancel;
      if (k && k.annotation === e.seq && k.fromCallback === null) this.mark(k);
      return;
    }
    const cb = this.t.callback!;
    if (cb.kind !== 'final' || !cb.call || cb.call.final !== cb) return;
    this.look(cb.call);
    this.beforeCancel.delete(cb.call.id);
  }

  protected override end(): void {
    for (const c of this.t.calls.values()) if (c.final === null) this.look(c);
  }
}

/** The check of EVENTS-MAY-BE-DROPPED. */
export const eventsMayBeDropped: CheckFactory = (t) => new EventsMayBeDropped(t);
