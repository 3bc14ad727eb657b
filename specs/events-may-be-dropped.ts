/**
 * EVENTS-MAY-BE-DROPPED (may). Async events page: under pressure the broker may slow down or drop
 * event notifications. Used when an event that a notification query's (harness-owned) provider
 * produced never reached the sink although no cancel had been processed before it was produced;
 * events produced after a cancel was processed are the cancel's business (NO-CALLBACKS-AFTER-CANCEL),
 * those produced after the transport was lost or while callbacks are refused never reach the
 * client for those reasons (TRANSPORT-FAILURE, NO-SECURITY-NO-COMPLETION).
 */
import type { TraceEvent } from '../trace/event.ts';
import { BaseCheck, NONE, type CheckFactory } from './base-check.ts';
import type { Tracker } from './tracker.ts';
import type { CallRec, CancelRec } from './records.ts';

class EventsMayBeDropped extends BaseCheck {
  readonly types = ['setstatus.entered', 'annotation.cancel-processed', 'marker.transport-lost'] as const;
  protected override readonly whiteBoxOnly = true;
  /**
   * Per notification query (by id) whose later events are another rule's business: how many
   * events its provider had produced by then (a cancel's processing, the transport's loss).
   */
  private readonly beforeCancel = new Map<string, number>();
  constructor(t: Tracker) { super(t, 'EVENTS-MAY-BE-DROPPED'); }

  private isEventQuery(c: CallRec): boolean {
    return c.op === 'ExecNotificationQueryAsync' && c.provider !== null;
  }

  /** p is known (annotated) or at its latest: events produced so far came before it in some placement. */
  private mark(calls: Iterable<CallRec>): void {
    for (const c of calls) {
      if (!this.isEventQuery(c) || this.beforeCancel.has(c.id)) continue;
      this.beforeCancel.set(c.id, c.provider!.produced);
    }
  }

  cancelClosed(k: CancelRec): void {
    if (k.exact) return;
    // A cancel from inside a callback covers nothing the broker must cancel, but the broker may
    // act on it: its sink's calls through the same object lose later events to it, not to pressure.
    if (k.fromCallback === null) this.mark(k.covered);
    else if (k.sink !== null) this.mark((this.t.sinks.get(k.sink)?.open ?? []).filter((c) => c.services === k.services));
  }

  private look(c: CallRec): void {
    if (!this.isEventQuery(c)) return;
    // Refused callbacks never arrive (NO-SECURITY-NO-COMPLETION): nothing tells a drop from a refusal.
    if (this.t.noSecurity !== NONE) { this.out.exempt('callbacks refused: CoInitializeSecurity not called (NO-SECURITY-NO-COMPLETION)'); return; }
    const produced = this.beforeCancel.get(c.id) ?? c.provider!.produced;
    if (produced > c.objects) this.out.use();
  }

  override event(e: TraceEvent): void {
    if (e.type === 'annotation.cancel-processed') {
      // The calls the broker says it cancelled, whoever made the cancel.
      const k = this.t.cancel;
      if (k && k.annotation === e.seq) this.mark(e.calls.map((id) => this.t.findCall(id)).filter((c): c is CallRec => c !== undefined));
      return;
    }
    if (e.type === 'marker.transport-lost') {
      // From now on no callback reaches the client (TRANSPORT-FAILURE).
      this.mark(this.t.calls.values());
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
