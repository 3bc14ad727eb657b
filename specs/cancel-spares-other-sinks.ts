/**
 * CANCEL-SPARES-OTHER-SINKS (must). 002 remarks: "Asynchronous calls that are associated with other
 * object sinks continue unaffected"; [MS-WMI] 3.1.4.3.2 ("which used the pSink"). A cancel must not
 * wait for another sink's held callback (item 4), must not release, between its entry and return,
 * a reference to another sink whose call had not ended when it entered, and its annotation must
 * not list another sink's calls.
 */
import type { TraceEvent } from '../trace/event.ts';
import { BaseCheck, NONE, releaser, type CheckFactory } from './base-check.ts';
import { SINK_HISTORY, type Tracker } from './tracker.ts';
import { CappedSet, FrozenCappedMap } from '../trace/capped-set.ts';
import { noteOf, setNote, type CallRec, type CancelRec } from './records.ts';

/** The mark of a cancel: the first release of another pending sink's reference while it ran. */
const FIRST_RELEASE = 'cancel-spares-other-sinks.first-release';

class CancelSparesOtherSinks extends BaseCheck {
  readonly types = ['sink.release', 'cancel.entered', 'cancel.returned', 'setstatus.returned', 'indicate.returned'] as const;
  /** Sinks on which some call ended or failed in a callback: an unnamed release may be that call's. */
  private readonly settledSinks = new CappedSet(SINK_HISTORY);
  /** Sinks some cancel was entered with, and when first (its releases are that cancel's business). */
  private readonly cancelledSinks = new FrozenCappedMap<string, number>(SINK_HISTORY);
  /** Cancels (by id) entered while a call on another sink was pending: the rule's situation. */
  private readonly othersPending = new Set<string>();
  constructor(t: Tracker) { super(t, 'CANCEL-SPARES-OTHER-SINKS'); }

  override event(e: TraceEvent): void {
    if (e.type === 'setstatus.returned' || e.type === 'indicate.returned') {
      const c = this.t.call;
      if (c && c.sink !== null && (c.finalReturned === e.seq || c.sinkError === e.seq)) this.settledSinks.add(c.sink);
      return;
    }
    if (e.type === 'cancel.entered') {
      if (e.sink !== null && !this.cancelledSinks.has(e.sink)) this.cancelledSinks.set(e.sink, e.seq);
      for (const s of this.t.sinks.values()) {
        if (s.id !== e.sink && s.open.length > 0) { this.othersPending.add(e.cancel); break; }
      }
      return;
    }
    if (e.type === 'cancel.returned') {
      const k = this.t.cancel;
      if (k && k.fromCallback === null) this.judgeWaiting(k);
      return;
    }
    if (e.type !== 'sink.release' || (e.by ?? 'broker') !== 'broker') return;
    const s = this.t.sink!;
    for (const k of this.t.cancels.values()) {
      if (k.fromCallback !== null || k.returned !== NONE || k.sink === s.id) continue;
      const open = s.open.find((c) => c.entered < k.entered) ?? (s.lastCall && s.lastCall.entered < k.entered && (s.lastCall.finalReturned === NONE || s.lastCall.finalReturned > k.entered) ? s.lastCall : undefined);
      if (!open) continue;
      // Kept as evidence for the waiting finding (worked example D: "released a at 11").
      if (noteOf(k, FIRST_RELEASE) === undefined) setNote(k, FIRST_RELEASE, e.seq);
      // A release naming its call (the broker knows which reference it drops) is judged by that call.
      const named = e.call !== undefined ? this.t.findCall(e.call) : undefined;
      const explained = this.explained(named ?? open, e.seq);
      if (explained === true) continue;
      // An unnamed release (a temporary reference of some delivery) gets the benefit of the doubt
      // when any call on that sink has ended or failed: it may be that call's.
      if (!named && this.settledSinks.has(s.id)) continue;
      const what = `While cancel ${k.id} of sink ${k.sink ?? 'NULL'} was running, the broker released a reference to sink ${s.id}, whose call ${open.id} had not ended.`;
      // No conviction rests on a history that was forgotten (more sinks than are remembered).
      if (explained === null || (!named && this.settledSinks.evicted)) this.out.doubt([k.entered, e.seq], what, 'inconclusive (memory bound): the sink\'s earlier history is no longer remembered');
      else this.out.violate([k.entered, e.seq], what);
    }
  }

  /**
   * A release that the other sink's own call explains (its final status returned, or it ends without
   * one under no-security or a lost transport) is that call's business, not the cancel's: judging it
   * by the letter would flag a conformant broker whose unrelated calls finish while a cancel runs.
   */
  private explained(c: CallRec, seq: number): boolean | null {
    if ((c.finalReturned !== NONE && c.finalReturned < seq) || this.t.noSecurity !== NONE || this.t.transportLost !== NONE) return true;
    // A sink error cancels the call and removes its entry (SINK-ERROR-CANCELS).
    if (c.sinkError !== NONE && c.sinkError < seq) return true;
    // So does a cancel with the call's own sink, from another thread or from inside a callback.
    if (c.cancels?.some((other) => other.entered < seq)) return true;
    const cancelledAt = c.sink === null ? undefined : this.cancelledSinks.get(c.sink);
    if (cancelledAt !== undefined && cancelledAt < seq) return true;
    if (c.cancelledFromOwnCallback) return true;
    // Whether a cancel with this sink came earlier may have been forgotten.
    return cancelledAt === undefined && this.cancelledSinks.evicted ? null : false;
  }

  cancelClosed(k: CancelRec): void {
    const others = this.othersPending.delete(k.id);
    if (k.fromCallback !== null) return;
    if (others) this.out.exercise();
    if (!k.exact || !k.annotationCalls) return;
    for (const id of k.annotationCalls) {
      const c = this.t.findCall(id);
      if (c && c.sink !== k.sink) this.out.violate([k.entered, k.annotation], `Cancel ${k.id} of sink ${k.sink ?? 'NULL'} processed call ${id} on sink ${c.sink ?? 'NULL'}.`);
    }
  }

  private judgeWaiting(k: CancelRec): void {
    if (k.waited === 'no' || !k.waitedOn) return;
    for (const w of k.waitedOn) {
      if (w.cb.sink === k.sink) continue;
      const released = noteOf(k, FIRST_RELEASE);
      const events = [w.cb.entered, k.entered, w.release, k.returned, ...(released !== undefined ? [released] : [])];
      const what = `Cancel ${k.id} of sink ${k.sink ?? 'NULL'} returned only after ${releaser(w.cb)} released callback ${w.cb.cb} on another sink, ${w.cb.sink}.`;
      if (k.waited === 'yes') this.out.violate(events, what);
      else this.out.doubt(events, what, 'the cancel returned late after the release, beyond the waiting bound (item 4)');
      return;
    }
  }

  protected override end(): void {
    for (const k of this.t.cancels.values()) if (k.returned === NONE && k.fromCallback === null) this.judgeWaiting(k);
  }
}

/** The check of CANCEL-SPARES-OTHER-SINKS. */
export const cancelSparesOtherSinks: CheckFactory = (t) => new CancelSparesOtherSinks(t);
