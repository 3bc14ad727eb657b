/**
 * EVENTS-MAY-BE-DROPPED (may). Async events page: under pressure the broker may slow down or drop
 * event notifications. Used when a notification query delivered fewer events than its (harness-owned)
 * provider produced.
 */
import { BaseCheck, type CheckFactory } from './base-check.ts';
import type { Tracker } from './tracker.ts';
import type { CallRec } from './records.ts';

class EventsMayBeDropped extends BaseCheck {
  readonly types = ['setstatus.entered'] as const;
  constructor(t: Tracker) { super(t, 'EVENTS-MAY-BE-DROPPED'); }

  private look(c: CallRec): void {
    if (c.op === 'ExecNotificationQueryAsync' && c.provider && c.provider.produced > c.objects) this.out.use();
  }

  override event(): void {
    const cb = this.t.callback!;
    if (cb.kind === 'final' && cb.call) this.look(cb.call);
  }

  protected override end(): void {
    for (const c of this.t.calls.values()) this.look(c);
  }
}

/** The check of EVENTS-MAY-BE-DROPPED. */
export const eventsMayBeDropped: CheckFactory = (t) => new EventsMayBeDropped(t);
