/**
 * PROVIDER-RUNS-TO-COMPLETION (must, white-box). 000: "The implementing provider is not notified
 * that the call was canceled and runs to completion" (Defrag, Format). A cancelled method call's
 * provider is never stopped and has completed by a decisive end.
 */
import type { TraceEvent } from '../trace/event.ts';
import { BaseCheck, NONE, callName, type CheckFactory } from './base-check.ts';
import { isMethodCall } from './method-call.ts';
import type { Tracker } from './tracker.ts';
import type { CallRec, CancelRec } from './records.ts';

class ProviderRunsToCompletion extends BaseCheck {
  readonly types = ['provider.stopped'] as const;
  protected override readonly whiteBoxOnly = true;
  private readonly watched = new Set<CallRec>();
  constructor(t: Tracker) { super(t, 'PROVIDER-RUNS-TO-COMPLETION'); }

  cancelClosed(k: CancelRec): void {
    for (const c of k.covered) {
      if (!isMethodCall(c) || !c.provider || c.provider.started === NONE || c.provider.completed !== NONE) continue;
      this.out.exercise();
      this.watched.add(c);
    }
  }

  override event(e: TraceEvent): void {
    const c = this.t.call;
    if (c && isMethodCall(c) && c.cancels) this.out.violate([c.cancels[0]!.entered, e.seq], `The broker stopped the method provider of cancelled ${callName(c)}.`);
  }

  protected override end(): void {
    for (const c of this.watched) {
      const p = c.provider!;
      if (p.completed !== NONE || p.stopped !== NONE) continue;
      const what = `The method provider of cancelled ${callName(c)} never completed.`;
      const failure = this.t.brokerFailure();
      if (failure) { this.out.notJudged(failure); this.out.note(`not judged where the broker left work unfinished: ${failure}`); continue; }
      if (this.t.decisiveEnd()) this.out.violate([p.started], what);
      else this.out.doubt([p.started], what, `inconclusive (bound): run ended with ${this.t.end?.reason ?? 'no run.end'}`);
    }
  }
}

/** The check of PROVIDER-RUNS-TO-COMPLETION. */
export const providerRunsToCompletion: CheckFactory = (t) => new ProviderRunsToCompletion(t);
