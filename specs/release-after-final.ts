/**
 * RELEASE-AFTER-FINAL (must). [MS-WMI] 3.2.4.1.2; 003 step 7 note: "After sending the final status
 * update, WMI releases the object sink". Two halves: no callback reaches a sink after the broker
 * released its last reference (decided at once), and at a decisive end the broker holds no
 * reference to a sink whose calls all ended once the client cancelled with that sink (through the
 * call's IWbemServices, outside callbacks) or made the IWbemServices object's final Release (its
 * returned count 0, or unknown) after the last call started ("at the latest": before those, holding it is only a RELEASE-PROMPTLY warning, as Wine
 * does). Callbacks that came before their method returned are judged like any other.
 * Notification queries still subscribed excluded. Judged only where the trace records reference
 * counts.
 */
import type { TraceEvent } from '../trace/event.ts';
import { BaseCheck, callName, NONE, type CheckFactory } from './base-check.ts';
import { SINK_HISTORY, type Tracker } from './tracker.ts';
import { FrozenCappedMap } from '../trace/capped-set.ts';

class ReleaseAfterFinal extends BaseCheck {
  readonly types = ['indicate.entered', 'setstatus.entered', 'cancel.returned', 'services.release.entered', 'services.release.returned'] as const;
  /**
   * The latest cancel with each sink that counts (through the services of a call on it, outside
   * callbacks: a cancel from inside a callback is not operational, one through another
   * IWbemServices may not reach the call), and the latest release of each IWbemServices.
   */
  private readonly cancelledAt = new FrozenCappedMap<string, { entered: number; services: string }>(SINK_HISTORY);
  private readonly servicesReleasedAt = new Map<string, number>();
  /** Releases of IWbemServices entered and not yet returned: only a final Release (count 0, or unknown) ends the object. */
  private readonly releasing = new Map<string, number>();
  constructor(t: Tracker) { super(t, 'RELEASE-AFTER-FINAL'); }

  override event(e: TraceEvent): void {
    // Over a lost transport neither a cancel nor a Release reaches the broker: neither sets it a deadline.
    if (this.t.transportLost !== NONE && (e.type === 'cancel.returned' || e.type === 'services.release.entered')) return;
    if (e.type === 'cancel.returned') {
      const k = this.t.cancel;
      if (k?.sink && k.fromCallback === null) this.cancelledAt.set(k.sink, { entered: k.entered, services: k.services });
      return;
    }
    if (e.type === 'services.release.entered') {
      this.releasing.set(e.services, e.seq);
      return;
    }
    if (e.type === 'services.release.returned') {
      const at = this.releasing.get(e.services);
      this.releasing.delete(e.services);
      // A Release that leaves references to the object (another client holds it) does not end it.
      if (at !== undefined && (e.count === undefined || e.count === 0)) this.servicesReleasedAt.set(e.services, at);
      return;
    }
    const cb = this.t.callback!;
    const s = this.t.sink;
    // A callback before its method returned (CALLBACK-MAY-PRECEDE-RETURN) is judged like any other.
    const early = cb.call !== null && cb.call.returned === NONE;
    if (!s || !(s.accepted || early) || !this.t.refsTracked(s)) return;
    this.out.exercise();
    if (s.brokerNet <= 0) {
      this.out.violate([cb.entered], `${cb.kind} ${cb.cb} reached sink ${s.id} after the broker had released its last reference to it.`);
    }
  }

  protected override end(): void {
    for (const s of this.t.sinks.values()) {
      if (!s.accepted || s.brokerNet <= 0 || !this.t.refsTracked(s)) continue;
      // Calls still owed something keep the reference legitimately; no-security calls ended without a final (item 6).
      const pending = s.open.filter((c) => {
        const l = this.t.liveness(c);
        return !(l.kind === 'excused' && l.rule === 'NO-SECURITY-NO-COMPLETION');
      });
      this.out.exercise();
      if (pending.length > 0) continue;
      const last = s.lastCall;
      // The deadline: a cancel with this sink through the last call's IWbemServices, or that
      // object's release, once the last call had started: either must free what it stored.
      const started = last ? last.entered : NONE;
      const k = this.cancelledAt.get(s.id);
      const cancelled = k && (!last || k.services === last.services) ? k.entered : NONE;
      const released = last ? this.servicesReleasedAt.get(last.services) ?? NONE : NONE;
      if (cancelled <= started && released <= started) continue;
      const events = last ? [last.entered, last.finalReturned, Math.max(cancelled, released)] : [];
      const what = `The broker still holds ${s.brokerNet} reference(s) to sink ${s.id} after ${last ? callName(last) : 'its calls'} ended.`;
      const failure = this.t.brokerFailure();
      if (failure) { this.out.notJudged(failure); this.out.note(`not judged where the broker left work unfinished: ${failure}`); continue; }
      if (this.t.decisiveEnd()) this.out.violate(events, what);
      else this.out.doubt(events, what, `inconclusive (bound): run ended with ${this.t.end?.reason ?? 'no run.end'}`);
    }
  }
}

/** The check of RELEASE-AFTER-FINAL. */
export const releaseAfterFinal: CheckFactory = (t) => new ReleaseAfterFinal(t);
