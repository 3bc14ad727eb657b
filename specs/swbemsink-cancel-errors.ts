/**
 * SWBEMSINK-CANCEL-ERRORS (may, scripting). 004: "l'objet Err peut contenir" (current English page:
 * "may contain") wbemErrFailed, wbemErrOutOfMemory, wbemErrTransportFailure, wbemErrAccessDenied.
 * Any error from SWbemSink.Cancel is accepted.
 */
import type { TraceEvent } from '../trace/event.ts';
import { BaseCheck, type CheckFactory } from './base-check.ts';
import type { Tracker } from './tracker.ts';

class SwbemsinkCancelErrors extends BaseCheck {
  readonly types = ['swbem.cancel.returned'] as const;
  constructor(t: Tracker) { super(t, 'SWBEMSINK-CANCEL-ERRORS'); }

  override event(e: TraceEvent): void {
    if (e.type === 'swbem.cancel.returned' && e.err !== 0) this.out.use();
  }
}

/** The check of SWBEMSINK-CANCEL-ERRORS. */
export const swbemsinkCancelErrors: CheckFactory = (t) => new SwbemsinkCancelErrors(t);
