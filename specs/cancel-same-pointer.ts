/**
 * CANCEL-SAME-POINTER (must). 003 step 6: "the application must pass the same pointer to
 * CancelAsyncCall that was passed in the original asynchronous call"; Async security page;
 * [MS-WMI] 3.1.4.3.2. Cancelling with the inner sink of an unsecured-apartment wrapper whose
 * calls are pending must fail and process none of the wrapper's calls.
 */
import { failed } from '../trace/hresult.ts';
import { BaseCheck, NONE, hrName, type CheckFactory } from './base-check.ts';
import { SINK_HISTORY, type Tracker } from './tracker.ts';
import { CappedSet } from '../trace/capped-set.ts';
import type { CancelRec } from './records.ts';
import type { TraceEvent } from '../trace/event.ts';

class CancelSamePointer extends BaseCheck {
  readonly types = ['call.entered', 'cancel.entered', 'cancel.returned'] as const;
  /** Sinks passed to some call: a cancel with one of them may succeed (CANCEL-AFTER-END-MAY-SUCCEED). */
  private readonly passed = new CappedSet(SINK_HISTORY);
  /** Cancels made with a wrapper and not yet returned. */
  private readonly viaWrapper = new Set<string>();
  /** Cancels made with an inner sink while its wrapper had calls pending, by cancel id: the wrapper. */
  private readonly innerCancels = new Map<string, string>();
  constructor(t: Tracker) { super(t, 'CANCEL-SAME-POINTER'); }

  /** The wrapper of k's sink when, at k's entry, k used an inner sink while the wrapper had calls pending. */
  private wrapperPending(k: CancelRec): string | null {
    if (k.sink === null || k.fromCallback !== null) return null;
    const s = this.t.sinks.get(k.sink);
    if (!s?.wrapper) return null;
    const w = this.t.sinks.get(s.wrapper);
    return w && w.open.some((c) => c.entered < k.entered) ? w.id : null;
  }

  override event(e: TraceEvent): void {
    if (e.type === 'call.entered') {
      if (e.sink !== null) this.passed.add(e.sink);
      return;
    }
    const k = this.t.cancel!;
    if (e.type === 'cancel.entered') {
      const w = this.wrapperPending(k);
      if (w) this.innerCancels.set(k.id, w);
      // Known now: by its return the wrapper's record may be retired with its calls.
      if (k.sink !== null && this.t.sinks.get(k.sink)?.wraps !== undefined) this.viaWrapper.add(k.id);
      return;
    }
    if (this.viaWrapper.delete(k.id) && k.covered.length > 0) this.out.exercise();
    const w = this.innerCancels.get(k.id);
    if (!w || this.t.transportLost !== NONE) return;
    this.out.exercise();
    // The inner sink passed to a call of its own is a sink the broker knows: success is then legal.
    if (!failed(k.hr) && !this.passed.has(k.sink!)) {
      const what = `Cancel ${k.id} with inner sink ${k.sink} returned ${hrName(k.hr)}; only the wrapper ${w} that was passed to the call can cancel it.`;
      // A forgotten history convicts nothing: the inner sink may have been passed to a call long ago.
      if (this.passed.evicted) this.out.doubt([k.entered, k.returned], what, 'inconclusive (memory bound): whether this sink was passed to a call of its own is no longer remembered');
      else this.out.violate([k.entered, k.returned], what);
    }
  }

  cancelClosed(k: CancelRec): void {
    const w = this.innerCancels.get(k.id) ?? this.wrapperPending(k);
    if (!w || !k.exact || !k.annotationCalls) return;
    const hit = k.annotationCalls.filter((id) => this.t.findCall(id)?.sink === w);
    if (hit.length > 0) this.out.violate([k.entered, k.annotation], `Cancel ${k.id} with inner sink ${k.sink} processed call(s) ${hit.join(', ')} made with the wrapper ${w}.`);
  }
}

/** The check of CANCEL-SAME-POINTER. */
export const cancelSamePointer: CheckFactory = (t) => new CancelSamePointer(t);
