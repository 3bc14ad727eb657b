/**
 * SWBEMSINK-ONCOMPLETED-HRESULT (must, scripting). SWbemSink.OnCompleted page (iHResult): at most
 * once per operation, after every OnObjectReady and OnProgress of it, with 0 on success and the
 * operation's error otherwise; it fires for every operation that ends on its own (not after
 * SWbemSink.Cancel: SWBEMSINK-ONCOMPLETED-AFTER-CANCEL), judged at a decisive end.
 */
import type { TraceEvent } from '../trace/event.ts';
import { failed } from '../trace/hresult.ts';
import { BaseCheck, NONE, hrName, type CheckFactory } from './base-check.ts';
import type { Tracker } from './tracker.ts';
import type { CallRec } from './records.ts';

class SwbemsinkOncompletedHresult extends BaseCheck {
  readonly types = ['call.entered', 'swbem.event'] as const;
  private readonly scripted = new Set<CallRec>();
  constructor(t: Tracker) { super(t, 'SWBEMSINK-ONCOMPLETED-HRESULT'); }

  override event(e: TraceEvent): void {
    if (e.type === 'call.entered') {
      if (e.swsink !== undefined) this.scripted.add(this.t.call!);
      return;
    }
    if (e.type !== 'swbem.event') return;
    const c = this.t.findCall(e.call);
    if (!c) return;
    if (e.event !== 'OnCompleted') {
      if (c.swCompleted > 0) this.out.violate([c.swLastOther, e.seq], `${e.event} fired for operation ${c.id} after its OnCompleted.`);
      c.swLastOther = e.seq;
      return;
    }
    this.out.exercise();
    c.swCompleted++;
    this.scripted.delete(c);
    if (c.swCompleted > 1) {
      this.out.violate([c.swLastOther, e.seq], `OnCompleted fired twice for operation ${c.id}.`);
      return;
    }
    if (c.final && !c.swCancelled) {
      const want = failed(c.final.hResult) ? c.final.hResult : 0;
      const got = e.hResult ?? 0;
      if (got !== want) this.out.violate([c.final.entered, e.seq], `OnCompleted for operation ${c.id} carried ${hrName(got)}, but the operation ended with ${hrName(c.final.hResult)}.`);
    }
    c.swLastOther = e.seq;
  }

  protected override end(): void {
    for (const c of this.scripted) {
      if (c.swCancelled || c.swCompleted > 0 || c.finalReturned === NONE) continue;
      const failure = this.t.brokerFailure();
      if (failure) { this.out.notJudged(failure); this.out.note(`not judged where the broker left work unfinished: ${failure}`); continue; }
      this.out.exercise();
      const what = `Operation ${c.id} of SWbemSink ${c.swsink} ended on its own but OnCompleted never fired.`;
      if (this.t.decisiveEnd()) this.out.violate([c.finalReturned], what);
      else this.out.doubt([c.finalReturned], what, `inconclusive (bound): run ended with ${this.t.end?.reason ?? 'no run.end'}`);
    }
  }
}

/** The check of SWBEMSINK-ONCOMPLETED-HRESULT. */
export const swbemsinkOncompletedHresult: CheckFactory = (t) => new SwbemsinkOncompletedHresult(t);
