/**
 * STATUS-FLAGS-VALID (must). [MS-WMI] 2.2.7: WBEM_STATUS_REQUIREMENTS "MUST NOT be set"; 3.2.4.1.2.
 * SetStatus to a client carries lFlags 0 (complete) or 2 (progress) only, and a WBEM_S_NO_ERROR
 * final status carries no error object.
 */
import type { TraceEvent } from '../trace/event.ts';
import { WBEM_S_NO_ERROR, WBEM_STATUS_COMPLETE, WBEM_STATUS_PROGRESS } from '../trace/hresult.ts';
import { BaseCheck, type CheckFactory } from './base-check.ts';
import type { Tracker } from './tracker.ts';

class StatusFlagsValid extends BaseCheck {
  readonly types = ['setstatus.entered'] as const;
  constructor(t: Tracker) { super(t, 'STATUS-FLAGS-VALID'); }

  override event(e: TraceEvent): void {
    if (e.type !== 'setstatus.entered') return;
    this.out.exercise();
    if (e.lFlags !== WBEM_STATUS_COMPLETE && e.lFlags !== WBEM_STATUS_PROGRESS) {
      this.out.violate([e.seq], `SetStatus ${e.cb} carried lFlags 0x${e.lFlags.toString(16)}; only WBEM_STATUS_COMPLETE (0) and WBEM_STATUS_PROGRESS (2) reach a client.`);
    } else if (e.lFlags === WBEM_STATUS_COMPLETE && e.hResult === WBEM_S_NO_ERROR && e.errorObject) {
      this.out.violate([e.seq], `The successful final SetStatus ${e.cb} carried an error object.`);
    }
  }
}

/** The check of STATUS-FLAGS-VALID. */
export const statusFlagsValid: CheckFactory = (t) => new StatusFlagsValid(t);
