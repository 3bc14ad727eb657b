/**
 * Item 4 ("Waiting is convicted by holding") shared by the two CANCEL-DOES-NOT-WAIT-* rules:
 * which held callbacks a cancel was convicted of waiting for, split by whether the held callback
 * was an Indicate / progress (a must) or a final status (a should).
 */
import { NONE } from './records.ts';
import type { CancelRec, WaitRec } from './records.ts';
import type { RuleOutcome } from './rule-outcome.ts';
import { releaser } from './base-check.ts';

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
