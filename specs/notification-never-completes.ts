/**
 * NOTIFICATION-NEVER-COMPLETES (must). 002 remarks; ExecNotificationQueryAsync page: it "executes
 * indefinitely until canceled". A notification query never gets a successful final status; it ends
 * only by cancellation or a failure (its reference while subscribed is BROKER-HOLDS-SINK's concern).
 */
import { failed } from '../trace/hresult.ts';
import { BaseCheck, callName, hrName, type CheckFactory } from './base-check.ts';
import type { Tracker } from './tracker.ts';

class NotificationNeverCompletes extends BaseCheck {
  readonly types = ['call.returned', 'setstatus.entered'] as const;
  constructor(t: Tracker) { super(t, 'NOTIFICATION-NEVER-COMPLETES'); }

  override event(): void {
    const c = this.t.call;
    if (!c || c.op !== 'ExecNotificationQueryAsync') return;
    this.out.exercise();
    const cb = this.t.callback;
    if (cb && cb.kind === 'final' && cb.call === c && this.t.lastSeq === cb.entered && !failed(cb.hResult)) {
      this.out.violate([c.entered, cb.entered], `Notification query ${callName(c)} ended with a success status ${hrName(cb.hResult)}; it must run until cancelled.`);
    }
  }
}

/** The check of NOTIFICATION-NEVER-COMPLETES. */
export const notificationNeverCompletes: CheckFactory = (t) => new NotificationNeverCompletes(t);
