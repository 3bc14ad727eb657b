/**
 * SWBEMSINK-ONPROGRESS-ONLY-IF-ASKED (must, scripting). SWbemSink.OnProgress page: OnProgress fires
 * only for calls made with wbemFlagSendStatus (0x80).
 */
import type { TraceEvent } from '../trace/event.ts';
import { WBEM_FLAG_SEND_STATUS } from '../trace/hresult.ts';
import { BaseCheck, type CheckFactory } from './base-check.ts';
import type { Tracker } from './tracker.ts';

class SwbemsinkOnprogressOnlyIfAsked extends BaseCheck {
  readonly types = ['swbem.event'] as const;
  constructor(t: Tracker) { super(t, 'SWBEMSINK-ONPROGRESS-ONLY-IF-ASKED'); }

  override event(e: TraceEvent): void {
    if (e.type !== 'swbem.event' || e.event !== 'OnProgress') return;
    const c = this.t.findCall(e.call);
    if (!c) return;
    this.out.exercise();
    if ((c.flags & WBEM_FLAG_SEND_STATUS) === 0) this.out.violate([c.entered, e.seq], `OnProgress fired on SWbemSink ${e.swsink} for call ${c.id}, made without wbemFlagSendStatus.`);
  }
}

/** The check of SWBEMSINK-ONPROGRESS-ONLY-IF-ASKED. */
export const swbemsinkOnprogressOnlyIfAsked: CheckFactory = (t) => new SwbemsinkOnprogressOnlyIfAsked(t);
