/**
 * CANCEL-AFTER-CLIENT-RELEASE (must). 000: the sink "can be released prior to the call or after the
 * call returns". A cancel of pending calls made after the client released its own reference must
 * still work: it may not fail for that reason (its cancelling and releasing are judged by
 * CANCELLED-STATUS and RELEASED-BEFORE-CANCEL-RETURNS like any other cancel).
 */
import { failed } from '../trace/hresult.ts';
import { BaseCheck, NONE, hrName, type CheckFactory } from './base-check.ts';
import type { Tracker } from './tracker.ts';

class CancelAfterClientRelease extends BaseCheck {
  readonly types = ['cancel.returned'] as const;
  constructor(t: Tracker) { super(t, 'CANCEL-AFTER-CLIENT-RELEASE'); }

  override event(): void {
    const k = this.t.cancel!;
    if (!k.afterClientRelease || k.fromCallback !== null || k.covered.length === 0 || this.t.transportLost !== NONE) return;
    this.out.exercise();
    if (failed(k.hr)) {
      this.out.violate([k.entered, k.returned], `Cancel ${k.id} of sink ${k.sink} failed with ${hrName(k.hr)} while ${k.covered.length} call(s) were pending; the client had released its own reference before, which is allowed.`);
    }
  }
}

/** The check of CANCEL-AFTER-CLIENT-RELEASE. */
export const cancelAfterClientRelease: CheckFactory = (t) => new CancelAfterClientRelease(t);
