/**
 * RELEASED-BEFORE-CANCEL-RETURNS (must). 003 step 6: CancelAsyncCall "guarantees that the pointer is
 * released before CancelAsyncCall returns"; 000. At the return the broker's net references to the
 * sink are at most the deliveries still running or to come (callbacks in progress on the sink, the
 * one final status of each covered call not yet started, calls it does not cover); and no new
 * Indicate or progress of a covered call starts with its predecessor returned after the cancel
 * returned. It covers every call on the sink started through the same IWbemServices, finished ones
 * included, and whatever the cancel returns (S_OK or an error such as WBEM_E_NOT_FOUND).
 * Out-of-process counts include COM's: then only decided when no delivery is pending (item 7).
 */
import type { TraceEvent } from '../trace/event.ts';
import { BaseCheck, NONE, type CheckFactory } from './base-check.ts';
import type { Tracker } from './tracker.ts';
import { noteOf, setNote, type CallbackRec, type CancelRec } from './records.ts';

/** The mark of a cancel: calls started on its sink while it ran ("may or may not be covered"), whose references are allowed. */
const STARTED_DURING = 'released-before-cancel-returns.started';

class ReleasedBeforeCancelReturns extends BaseCheck {
  readonly types = ['call.entered', 'cancel.returned'] as const;
  constructor(t: Tracker) { super(t, 'RELEASED-BEFORE-CANCEL-RETURNS'); }

  override event(e: TraceEvent): void {
    if (e.type === 'call.entered') {
      for (const k of this.t.cancels.values()) if (k.returned === NONE && k.sink === e.sink) setNote(k, STARTED_DURING, (noteOf(k, STARTED_DURING) ?? 0) + 1);
      return;
    }
    const k = this.t.cancel!;
    // Exempt: a cancel from inside a callback (CANCEL-FROM-SINK-NOT-OPERATIONAL) and one through an
    // IWbemServices that started no call on the sink (CANCEL-SCOPE-PER-SERVICES).
    if (k.fromCallback !== null || k.sink === null || this.t.transportLost !== NONE) return;
    const s = this.t.sinks.get(k.sink);
    // Every call on the sink through the same IWbemServices counts, the finished ones too, whatever the cancel returns.
    if (k.covered.length === 0 && !s?.acceptedVia?.has(k.services)) return;
    this.out.exercise();
    if (!s || !this.t.refsTracked(s)) return;
    let allowance = noteOf(k, STARTED_DURING) ?? 0;
    for (const cb of this.t.callbacks.values()) if (cb.sink === k.sink) allowance++;
    for (const c of k.covered) if (c.final === null) allowance++;
    for (const c of s.open) if (!k.covered.includes(c) && c.entered < k.entered) allowance++;
    if (s.brokerNet <= allowance) return;
    const what = `When cancel ${k.id} returned the broker still held ${s.brokerNet} reference(s) to sink ${k.sink}, more than the ${allowance} delivery(ies) still running or to come.`;
    if (!this.t.header.inProcess && allowance > 0) this.out.doubt([k.entered, k.returned], what, 'out-of-process: counts include COM\'s references while deliveries are pending');
    else this.out.violate([k.entered, k.returned], what);
  }

  lateCallback(k: CancelRec, cb: CallbackRec): void {
    if (k.returned === NONE || cb.startBound === NONE || cb.startBound <= k.returned) return;
    const what = `${cb.kind} ${cb.cb} of cancelled call ${cb.call!.id} started after cancel ${k.id} returned, its predecessor having returned at ${cb.startBound}.`;
    // Attribution by a guess on a shared sink is one more unseen choice (item 2).
    if (cb.ambiguous) this.out.doubt([k.returned, cb.startBound, cb.entered], what, 'the callback carried no call id on a shared sink');
    else this.out.violate([k.returned, cb.startBound, cb.entered], what);
  }
}

/** The check of RELEASED-BEFORE-CANCEL-RETURNS. */
export const releasedBeforeCancelReturns: CheckFactory = (t) => new ReleasedBeforeCancelReturns(t);
