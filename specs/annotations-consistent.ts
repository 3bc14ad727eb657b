/**
 * ANNOTATIONS-CONSISTENT (must). wbemsim's trace format (RULES.md, "How a trace is judged", item 3):
 * a broker's `cancel processed` annotation lies inside its cancel's window of p (while the window is
 * still open), its `final status decided` annotation inside its call's window of d (after the previous
 * callback returned, before the final status entered) and with the same hResult. Outside, the window
 * is used instead (the tracker ignores such annotations).
 */
import type { TraceEvent } from '../trace/event.ts';
import { BaseCheck, NONE, callName, hrName, type CheckFactory } from './base-check.ts';
import type { Tracker } from './tracker.ts';

class AnnotationsConsistent extends BaseCheck {
  readonly types = ['annotation.cancel-processed', 'annotation.final-decided', 'setstatus.entered'] as const;
  constructor(t: Tracker) { super(t, 'ANNOTATIONS-CONSISTENT'); }

  override event(e: TraceEvent): void {
    if (e.type === 'annotation.cancel-processed') {
      this.out.exercise();
      const k = this.t.cancel;
      if (!k) this.out.violate([e.seq], `Annotation "cancel processed" names cancel ${e.cancel}, which was never entered.`);
      else if (k.annotation !== e.seq) {
        this.out.violate([k.entered, k.closed ? k.pHi : NONE, e.seq], k.closed
          ? `Annotation "cancel processed" of ${k.id} came after the window of p closed at ${k.pHi}.`
          : `Cancel ${k.id} was annotated as processed twice.`);
      }
    } else if (e.type === 'annotation.final-decided') {
      this.out.exercise();
      const c = this.t.call;
      if (!c) this.out.violate([e.seq], `Annotation "final status decided" names call ${e.call}, which was never entered.`);
      else if (c.dAnnotation !== e.seq) {
        this.out.violate([c.final?.entered ?? NONE, e.seq], c.final
          ? `Annotation "final status decided" of ${callName(c)} came after its final status had started.`
          : `${callName(c)} was annotated "final status decided" twice.`);
      }
    } else {
      const cb = this.t.callback!;
      const c = cb.call;
      if (!c || c.final !== cb || c.dAnnotation === NONE) return;
      if (c.dLo !== c.dAnnotation) {
        this.out.violate([c.dAnnotation, c.dLo, cb.entered], `Annotation "final status decided" of ${callName(c)} at ${c.dAnnotation} lies before the return of its previous callback at ${c.dLo}.`);
      } else if (c.dAnnotationHr !== cb.hResult) {
        this.out.violate([c.dAnnotation, cb.entered], `${callName(c)} was annotated to end with ${hrName(c.dAnnotationHr)} but its final status carried ${hrName(cb.hResult)}.`);
      }
    }
  }
}

/** The check of ANNOTATIONS-CONSISTENT. */
export const annotationsConsistent: CheckFactory = (t) => new AnnotationsConsistent(t);
