/**
 * RELEASE-PROMPTLY (should, broker). 003 step 7 note: WMI releases the sink after the final
 * status. A broker that keeps its reference after a sink's last call ended until the client
 * cancels with the sink or releases the IWbemServices object (Wine) gets a warning.
 */
import type { TraceEvent } from '../trace/event.ts';
import { BaseCheck, NONE, type CheckFactory } from './base-check.ts';
import type { Tracker } from './tracker.ts';
import type { SinkRec } from './records.ts';

class ReleasePromptly extends BaseCheck {
  readonly types = ['setstatus.returned', 'cancel.entered', 'services.release.entered'] as const;
  constructor(t: Tracker) { super(t, 'RELEASE-PROMPTLY'); }

  override event(e: TraceEvent): void {
    if (e.type === 'setstatus.returned') {
      const cb = this.t.callback;
      if (cb?.kind === 'final' && this.t.refsTracked(this.t.sinks.get(cb.sink))) this.out.exercise();
    } else if (e.type === 'cancel.entered') {
      const s = this.t.sink;
      if (s && s.awaitingRelease !== NONE) this.flag(s, e.seq, 'the client cancelled with it');
    } else if (e.type === 'services.release.entered') {
      for (const s of this.t.sinks.values()) {
        if (s.awaitingRelease !== NONE && s.lastCall?.services === e.services) this.flag(s, e.seq, `the client released IWbemServices ${e.services}`);
      }
    }
  }

  private flag(s: SinkRec, seq: number, when: string): void {
    this.out.violate([s.awaitingRelease, seq], `The broker still held its reference to sink ${s.id} from the end of its last call until ${when}.`);
    s.awaitingRelease = NONE;
  }
}

/** The check of RELEASE-PROMPTLY. */
export const releasePromptly: CheckFactory = (t) => new ReleasePromptly(t);
