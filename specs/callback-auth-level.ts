/**
 * CALLBACK-AUTH-LEVEL (should, broker). [MS-WMI] 3.1.1.1.3; "Setting Security on an Asynchronous
 * Call": callbacks from an out-of-process broker come above RPC_C_AUTHN_LEVEL_NONE (1) unless
 * anonymous callbacks are allowed; local callbacks (no Kerberos) are exempt. Judged from the
 * trace's auth-level markers only (item 7).
 */
import type { TraceEvent } from '../trace/event.ts';
import { BaseCheck, type CheckFactory } from './base-check.ts';
import type { Tracker } from './tracker.ts';

const RPC_C_AUTHN_LEVEL_NONE = 1;

class CallbackAuthLevel extends BaseCheck {
  readonly types = ['marker.auth-level'] as const;
  constructor(t: Tracker) { super(t, 'CALLBACK-AUTH-LEVEL'); }

  override event(e: TraceEvent): void {
    if (e.type !== 'marker.auth-level' || this.t.header.inProcess || e.local) return;
    this.out.exercise();
    if (e.level <= RPC_C_AUTHN_LEVEL_NONE && !e.anonymousAllowed) {
      this.out.violate([e.seq], `Callback ${e.cb} from an out-of-process broker came at authentication level ${e.level} (NONE) without anonymous callbacks being allowed.`);
    }
  }

  protected override notExercised(): string {
    return 'no authentication level of an out-of-process, non-local callback in the trace';
  }
}

/** The check of CALLBACK-AUTH-LEVEL. */
export const callbackAuthLevel: CheckFactory = (t) => new CallbackAuthLevel(t);
