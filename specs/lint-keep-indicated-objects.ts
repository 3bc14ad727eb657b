/**
 * LINT-KEEP-INDICATED-OBJECTS (should, client). Indicate page (the array is owned by the caller);
 * CALLBACK-OBJECTS-BORROWED. Reported when the client model says it used an Indicate object after
 * Indicate returned without an AddRef (`client.saw object-used-after-indicate`).
 */
import type { TraceEvent } from '../trace/event.ts';
import { BaseCheck, type CheckFactory } from './base-check.ts';
import { CLIENT_SAW } from './client-saw.ts';
import type { Tracker } from './tracker.ts';

class LintKeepIndicatedObjects extends BaseCheck {
  readonly types = ['indicate.returned', 'client.saw'] as const;
  constructor(t: Tracker) { super(t, 'LINT-KEEP-INDICATED-OBJECTS'); }

  /** An Indicate returned, and the trace carries a client model's observations (`client.saw`). */
  private indicated = false;
  private observed = false;

  override event(e: TraceEvent): void {
    if (e.type === 'indicate.returned') this.indicated = true;
    else this.observed = true;
    // Without a client model nothing says what the client did with the objects (RULES.md item 7).
    if (this.indicated && this.observed) this.out.exercise();
    if (e.type === 'client.saw' && e.what === CLIENT_SAW.objectUsedAfterIndicate) {
      this.out.violate([e.seq], `The client used an object from Indicate after Indicate returned without AddRef${e.call ? ` (call ${e.call})` : ''}.`);
    }
  }
}

/** The check of LINT-KEEP-INDICATED-OBJECTS. */
export const lintKeepIndicatedObjects: CheckFactory = (t) => new LintKeepIndicatedObjects(t);
