/**
 * The part of a run's history that the checks still need, as a canonical string for the
 * explorer's state key (never sequence numbers or the trace itself).
 *
 * The world's key and the lifecycle monitor's per-call states say everything about a call's
 * future; what they lose is what the checks of specs/ compare across calls while a window is
 * open. Those windows are CancelAsyncCall's (entered → returned) and an async method's (entered →
 * returned). While a cancel runs, the checks remember, from its entry:
 * - of the calls on its own sink, its wrapper or its inner sink: which had their methods returned
 *   (CANCEL-COVERS-SHARING-CALLS) and which were still running (a call through another pointer,
 *   CANCEL-SAME-POINTER; one entered before the cancel and not covered,
 *   RELEASED-BEFORE-CANCEL-RETURNS), and which had their final status back;
 * - of the calls on other sinks, only which were pending: entered, not failed to start and
 *   without their final status back (the calls it may not touch, CANCEL-SPARES-OTHER-SINKS, which
 *   reads nothing else of them against the cancel's entry), and whether there was one (the
 *   rule's situation);
 * - of a call whose method was still running or that was pending on another sink, nothing once
 *   its final status is back (RUNNING below);
 * - which callbacks were in progress: held ones (CANCEL-SPARES-OTHER-SINKS,
 *   CANCEL-DOES-NOT-WAIT-FOR-CLIENT, the window of p) and those on the cancel's own sink, its
 *   wrapper or its inner sink (its covered calls' deliveries and finals);
 * - which sinks the client had released (CANCEL-AFTER-CLIENT-RELEASE);
 * and since its entry, which held callbacks were in progress and which the watchdog let go
 * (RULES.md "How a trace is judged", items 1 and 4). While a method runs, whether the watchdog
 * let a held callback go (CALL-RETURNS-IMMEDIATELY). Once a window closes its summary goes: the
 * checks have judged it.
 */
import type { UnnumberedEvent } from '../trace/event.ts';
import { joinSorted, type KeyOrder } from '../trace/key-order.ts';
import { failed } from '../trace/hresult.ts';

/**
 * The lists of CancelWindow.atEntry from this index on (the calls of its own sink's family whose
 * method was still running, the calls pending on other sinks) matter only while each call has
 * not had its final status back: after that, no rule compares the call with the cancel again
 * (its sink's releases are its own business, CANCEL-SPARES-OTHER-SINKS; it is no longer open,
 * RELEASED-BEFORE-CANCEL-RETURNS and CANCEL-SAME-POINTER). So the key leaves such calls out.
 */
const RUNNING = 4;

interface CancelWindow {
  id: string;
  /**
   * At its entry: of the calls on its sink, its wrapper or its inner sink, those returned, those
   * with their final status back and those whose method was still running; sinks the client
   * released; callbacks in progress; the calls pending on other sinks.
   */
  atEntry: string[][];
  /** Whether a call on another sink than its own (its wrapper and inner sink included) was pending at its entry. */
  othersPending: boolean;
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
  /** Calls whose method returned a failure: they ended there. */
  private readonly failed = new Set<string>();
  /** Call → the sink it was made with. */
  private readonly callSink = new Map<string, string | null>();

  /** Feeds one event of the run, in order. */
  event(e: UnnumberedEvent): void {
    switch (e.type) {
      case 'call.entered': this.methods.set(e.call, false); this.callSink.set(e.call, e.sink); break;
      case 'call.returned':
        this.methods.delete(e.call);
        this.returned.add(e.call);
        if (failed(e.hr)) this.failed.add(e.call);
        break;
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
          atEntry: this.atEntry(e.sink),
          othersPending: this.othersPending(e.sink),
          heldSince: new Set(held),
          watchdogSince: new Set(),
        });
        break;
      }
      case 'cancel.returned': this.cancels.delete(e.cancel); break;
      default: break;
    }
  }

  /** Whether `other` is `sink`, its wrapper or its inner sink. */
  private related(sink: string | null, other: string | null | undefined): boolean {
    return sink !== null && other != null && (other === sink || this.wraps.get(other) === sink || this.wraps.get(sink) === other);
  }

  /** What a cancel with `sink` keeps from its entry (CancelWindow.atEntry). */
  private atEntry(sink: string | null): string[][] {
    const own = (call: string) => this.related(sink, this.callSink.get(call));
    const pendingElsewhere: string[] = [];
    for (const c of this.returned) if (!own(c) && !this.failed.has(c) && !this.finalReturned.has(c)) pendingElsewhere.push(c);
    for (const c of this.methods.keys()) if (!own(c) && !this.finalReturned.has(c)) pendingElsewhere.push(c);
    return [
      [...this.returned].filter(own), [...this.finalReturned].filter(own), [...this.clientReleased], this.inProgressFor(sink),
      [...this.methods.keys()].filter(own), pendingElsewhere,
    ];
  }

  /**
   * Whether a call on a sink other than `sink` itself is pending now (entered, not failed to
   * start, final status not back), as CANCEL-SPARES-OTHER-SINKS asks it: a call made with a NULL
   * sink has no sink to spare.
   */
  private othersPending(sink: string | null): boolean {
    for (const [c, s] of this.callSink) if (s !== null && s !== sink && !this.failed.has(c) && !this.finalReturned.has(c)) return true;
    return false;
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
      if (c.held || c.call === undefined || this.related(sink, c.sink)) out.push(`${cb}${c.held ? 'h' : ''}`);
    }
    return out;
  }

  /** The canonical summary of the open windows (empty when none is open). */
  key(order?: KeyOrder): string {
    const sorted = (s: Iterable<string>) => joinSorted(s, ',', order);
    const notFinished = (call: string) => !this.finalReturned.has(call);
    const ks = [...this.cancels.values()].map((k) => `${k.id}[${k.atEntry.map((x, i) => sorted(i >= RUNNING ? x.filter(notFinished) : x)).join('/')}${k.othersPending ? '+' : ''}|${sorted(k.heldSince)}|${sorted(k.watchdogSince)}]`);
    const ms = [...this.methods].filter(([, waited]) => waited).map(([m]) => m);
    return `${joinSorted(ks, ';', order)}#${sorted(ms)}`;
  }
}
