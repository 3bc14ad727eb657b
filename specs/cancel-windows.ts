/**
 * The part of a run's history that the checks still need, as a canonical string for the
 * explorer's state key (never sequence numbers or the trace itself).
 *
 * The world's key and the lifecycle monitor's per-call states say everything about a call's
 * future; what they lose is what the checks of specs/ compare across calls while a window is
 * open. Those windows are CancelAsyncCall's (entered → returned) and an async method's (entered →
 * returned). While a cancel runs, the checks remember, from its entry: which calls' methods had
 * returned (CANCEL-COVERS-SHARING-CALLS) and which were still running (a call entered before the
 * cancel is one it may not touch on another sink, CANCEL-SPARES-OTHER-SINKS, or through another
 * pointer, CANCEL-SAME-POINTER), which calls had their final status back and which callbacks
 * were in progress: held ones (CANCEL-SPARES-OTHER-SINKS, CANCEL-DOES-NOT-WAIT-FOR-CLIENT, the
 * window of p) and those on the cancel's own sink (its covered calls' deliveries and finals),
 * which sinks the client had released (CANCEL-AFTER-CLIENT-RELEASE); and since its entry, which
 * held callbacks were in progress and which the watchdog let go (RULES.md "How a trace is judged",
 * items 1 and 4). While a method runs, whether the watchdog let a held callback go
 * (CALL-RETURNS-IMMEDIATELY). Once a window closes its summary goes: the checks have judged it.
 */
import type { UnnumberedEvent } from '../trace/event.ts';
import { sortKeys, type KeyOrder } from '../trace/key-order.ts';

interface CancelWindow {
  id: string;
  /**
   * At its entry: calls returned, calls with their final status back, sinks the client released,
   * callbacks in progress, calls whose method was still running.
   */
  atEntry: string[][];
  heldSince: Set<string>;
  watchdogSince: Set<string>;
}

/** Follows a run's events and summarises the open windows. */
export class CancelWindows {
  private readonly returned = new Set<string>();
  private readonly finalReturned = new Set<string>();
  private readonly clientReleased = new Set<string>();
  /** Callbacks in progress: cb → call, sink, held. */
  private readonly inProgress = new Map<string, { call?: string; sink: string; final: boolean; held: boolean }>();
  /** Wrapper → inner sink. */
  private readonly wraps = new Map<string, string>();
  private readonly cancels = new Map<string, CancelWindow>();
  /** Methods entered and not returned → a watchdog release happened meanwhile. */
  private readonly methods = new Map<string, boolean>();

  /** Feeds one event of the run, in order. */
  event(e: UnnumberedEvent): void {
    switch (e.type) {
      case 'call.entered': this.methods.set(e.call, false); break;
      case 'call.returned': this.methods.delete(e.call); this.returned.add(e.call); break;
      case 'indicate.entered':
        this.inProgress.set(e.cb, { call: e.call, sink: e.sink, final: false, held: e.held === true });
        if (e.held) for (const k of this.cancels.values()) k.heldSince.add(e.cb);
        break;
      case 'setstatus.entered':
        this.inProgress.set(e.cb, { call: e.call, sink: e.sink, final: e.lFlags !== 2, held: e.held === true });
        if (e.held) for (const k of this.cancels.values()) k.heldSince.add(e.cb);
        break;
      case 'indicate.returned':
      case 'setstatus.returned': {
        const cb = this.inProgress.get(e.cb);
        this.inProgress.delete(e.cb);
        if (cb?.final && cb.call !== undefined) this.finalReturned.add(cb.call);
        break;
      }
      case 'hold.released': {
        // A callback whose hold ended is an ordinary one for the cancels that enter after.
        const cb = this.inProgress.get(e.cb);
        if (cb) cb.held = false;
        if (e.by === 'watchdog') {
          for (const k of this.cancels.values()) k.watchdogSince.add(e.cb);
          for (const m of this.methods.keys()) this.methods.set(m, true);
        }
        break;
      }
      case 'sink.created': if (e.wraps !== undefined) this.wraps.set(e.sink, e.wraps); break;
      case 'sink.release': if (e.by === 'client') this.clientReleased.add(e.sink); break;
      case 'cancel.entered': {
        const held = [...this.inProgress].filter(([, c]) => c.held).map(([cb]) => cb);
        this.cancels.set(e.cancel, {
          id: e.cancel,
          atEntry: [[...this.returned], [...this.finalReturned], [...this.clientReleased], this.inProgressFor(e.sink), [...this.methods.keys()]],
          heldSince: new Set(held),
          watchdogSince: new Set(),
        });
        break;
      }
      case 'cancel.returned': this.cancels.delete(e.cancel); break;
      default: break;
    }
  }

  /**
   * The callbacks in progress that a cancel with `sink` is judged against: the held ones (it may
   * not wait for them, RULES.md "How a trace is judged", item 4) and those on its own sink, its wrapper or its inner sink (its
   * covered calls' deliveries and final statuses). Another sink's callback that is not held is
   * one no rule compares with the cancel: whether it started before the cancel changes nothing.
   */
  private inProgressFor(sink: string | null): string[] {
    const out: string[] = [];
    for (const [cb, c] of this.inProgress) {
      const related = sink !== null && (c.sink === sink || this.wraps.get(c.sink) === sink || this.wraps.get(sink) === c.sink);
      if (c.held || c.call === undefined || related) out.push(`${cb}${c.held ? 'h' : ''}`);
    }
    return out;
  }

  /** The canonical summary of the open windows (empty when none is open). */
  key(order?: KeyOrder): string {
    const sorted = (s: Iterable<string>) => sortKeys(s, order).join(',');
    const ks = [...this.cancels.values()].map((k) => `${k.id}[${k.atEntry.map(sorted).join('/')}|${sorted(k.heldSince)}|${sorted(k.watchdogSince)}]`);
    const ms = [...this.methods].filter(([, waited]) => waited).map(([m]) => m);
    return `${sortKeys(ks, order).join(';')}#${sorted(ms)}`;
  }
}
