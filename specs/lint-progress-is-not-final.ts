/**
 * LINT-PROGRESS-IS-NOT-FINAL (should, client). SetStatus page: only SetStatus(WBEM_STATUS_COMPLETE)
 * ends the call. Reported when the client library reports a call completed (`client.saw completed`)
 * before its final status started.
 */
import type { TraceEvent } from '../trace/event.ts';
import { BaseCheck, callName, type CheckFactory } from './base-check.ts';
import { CLIENT_SAW } from './client-saw.ts';
import type { Tracker } from './tracker.ts';

class LintProgressIsNotFinal extends BaseCheck {
  readonly types = ['client.saw'] as const;
  constructor(t: Tracker) { super(t, 'LINT-PROGRESS-IS-NOT-FINAL'); }

  override event(e: TraceEvent): void {
    if (e.type !== 'client.saw' || e.what !== CLIENT_SAW.completed || e.call === undefined) return;
    const c = this.t.findCall(e.call);
    if (!c) return;
    this.out.exercise();
    if (c.final === null) this.out.violate([c.last?.entered ?? c.entered, e.seq], `The client treated ${callName(c)} as complete before its final status (after ${c.progress} progress status(es)).`);
  }
}

/** The check of LINT-PROGRESS-IS-NOT-FINAL. */
export const lintProgressIsNotFinal: CheckFactory = (t) => new LintProgressIsNotFinal(t);
