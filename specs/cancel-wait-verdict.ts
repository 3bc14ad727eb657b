/**
 * Item 4 ("Waiting is convicted by holding") shared by the two CANCEL-DOES-NOT-WAIT-* rules:
 * which held callbacks a cancel was convicted of waiting for, split by whether the held callback
 * was an Indicate / progress (a must) or a final status (a should), and the check both rules share.
 */
import { NONE } from './records.ts';
import type { CancelRec, WaitRec } from './records.ts';
import type { RuleOutcome } from './rule-outcome.ts';
import { BaseCheck, fromCallbackExemption, releaser, type CheckFactory } from './base-check.ts';
import type { Tracker } from './tracker.ts';

/** What one CANCEL-DOES-NOT-WAIT-* rule judges. */
export interface WaitRule {
  /** Whether cancel k's situation arose: a callback of the rule's kind was held while it was pending. */
  saw(k: CancelRec): boolean;
  /** The held callbacks of the rule's kind. */
  pick(w: WaitRec): boolean;
  /** Their name in explanations. */
  what: string;
}

/**
 * The check of a CANCEL-DOES-NOT-WAIT-* rule: each cancel is judged at its return, or at the run's
 * end if it never returned; a cancel made from inside a callback is exempt.
 */
class CancelWaitCheck extends BaseCheck {
  readonly types = ['cancel.returned'] as const;
  constructor(t: Tracker, rule: string, private readonly waits: WaitRule) { super(t, rule); }

  override event(): void {
    this.judge(this.t.cancel!);
  }

  private judge(k: CancelRec): void {
    if (k.fromCallback !== null) {
      this.out.exempt(fromCallbackExemption(k));
      return;
    }
    if (this.waits.saw(k)) this.out.exercise();
    judgeWaiting(this.out, k, this.waits.pick, this.waits.what);
  }

  protected override end(): void {
    for (const k of this.t.cancels.values()) if (k.returned === NONE) this.judge(k);
  }
}

/** The check of `rule`. `waits` is frozen: saved states share it (specs/state-snapshot.ts). */
export function cancelWaitCheck(rule: string, waits: WaitRule): CheckFactory {
  const frozen = Object.freeze({ ...waits });
  return (t) => new CancelWaitCheck(t, rule, frozen);
}

/** Reports k's waiting on held callbacks that `pick` selects; returns whether it reported. */
export function judgeWaiting(out: RuleOutcome, k: CancelRec, pick: (w: WaitRec) => boolean, what: string): boolean {
  const waits = k.waitedOn?.filter(pick) ?? [];
  if (k.waited === 'no') return false;
  const w = waits[0];
  if (!w && !(k.watchdogVerdict !== null && what === 'Indicate or progress')) return false;
  const events = w ? [w.cb.entered, k.entered, w.release, k.returned] : [k.entered, k.returned];
  const end = k.returned === NONE ? 'never returned' : 'returned only';
  const text = w
    ? `CancelAsyncCall ${k.id} ${end} after ${releaser(w.cb)} released the held ${what} ${w.cb.cb} (sink ${w.cb.sink}): it waited for the client.`
    : `The watchdog judged cancel ${k.id} ${k.watchdogVerdict === 'deadlock' ? 'deadlocked' : 'slow'}.`;
  if (k.waited === 'yes') out.violate(events, text);
  else out.doubt(events, text, 'the cancel returned after the release but later than the waiting bound (item 4)');
  return true;
}
