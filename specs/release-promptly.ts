/**
 * RELEASE-PROMPTLY (should, broker). 003 step 7 note: WMI releases the sink after the final
 * status; RULES.md "Where sources conflict" 2: must eventually, should promptly.
 *
 * "Promptly" is about the broker's quiescence: a release the broker still offers as a step of its
 * own is not late. It is late when the broker went idle while holding a reference to a sink whose
 * calls had all ended (white-box: the `broker.idle` event), or when it held it longer than the
 * settle period a recording declares (`settleMs`). A recording that declares none cannot tell a
 * slow release from a kept one: `inconclusive`. (Wine keeps the reference until the client
 * cancels with the sink or releases IWbemServices: a warning.)
 */
import type { TraceEvent } from '../trace/event.ts';
import { BaseCheck, NONE, type CheckFactory } from './base-check.ts';
import type { Tracker } from './tracker.ts';
import type { SinkRec } from './records.ts';

class ReleasePromptly extends BaseCheck {
  readonly types = ['broker.idle', 'setstatus.returned', 'call.returned', 'sink.release', 'cancel.entered', 'services.release.entered'] as const;
  /** When (trace time) each sink began to await its release, for a recording's settle period. */
  private readonly since = new Map<string, number | undefined>();
  constructor(t: Tracker) { super(t, 'RELEASE-PROMPTLY'); }

  /** White-box v2 traces mark every moment the broker idles while holding such a reference. */
  private idleMarked(): boolean {
    return this.t.header.whiteBox && this.t.header.version >= 2;
  }

  override event(e: TraceEvent): void {
    switch (e.type) {
      case 'broker.idle': {
        // A reference that carries a callback still in the sink is owed to that delivery.
        const busy = new Set<string>();
        for (const cb of this.t.callbacks.values()) busy.add(cb.sink);
        for (const s of this.t.sinks.values()) {
          if (s.awaitingRelease !== NONE && !busy.has(s.id) && this.t.refsTracked(s)) this.flag(s, e.seq, 'the broker had no step left to take');
        }
        return;
      }
      case 'setstatus.returned':
      case 'call.returned': {
        const s = e.type === 'call.returned' ? (this.t.call?.sink != null ? this.t.sinks.get(this.t.call.sink) : undefined) : this.t.sinks.get(this.t.callback?.sink ?? '');
        if (!s || !this.t.refsTracked(s)) return;
        if (e.type === 'setstatus.returned' && this.t.callback?.kind === 'final') this.out.exercise();
        if (s.awaitingRelease === e.seq) this.since.set(s.id, e.t);
        return;
      }
      case 'sink.release': {
        const s = this.t.sink;
        if (!s || !this.since.has(s.id) || s.brokerNet > 0) return;
        const from = this.since.get(s.id);
        this.since.delete(s.id);
        const settle = this.t.header.settleMs;
        if (settle !== undefined && from !== undefined && e.t !== undefined && e.t - from > settle) {
          this.out.violate([e.seq], `The broker released sink ${s.id} ${e.t - from} ms after its last call ended, beyond the recording's settle period of ${settle} ms.`);
        }
        return;
      }
      case 'cancel.entered':
        if (this.t.sink) this.undecided(this.t.sink, e.seq, 'the client cancelled with it');
        return;
      case 'services.release.entered':
        for (const s of this.t.sinks.values()) if (s.lastCall?.services === e.services) this.undecided(s, e.seq, `the client released IWbemServices ${e.services}`);
        return;
    }
  }

  /** A reference still held when the client moved on: late only by the settle period, unknowable without one. */
  private undecided(s: SinkRec, seq: number, when: string): void {
    if (s.awaitingRelease === NONE || !this.t.refsTracked(s)) return;
    if (this.idleMarked()) return;
    const settle = this.t.header.settleMs;
    const from = this.since.get(s.id);
    if (settle !== undefined && from !== undefined && this.t.lastT !== undefined) {
      if (this.t.lastT - from > settle) this.flag(s, seq, `${when}, beyond the recording's settle period of ${settle} ms`);
      return;
    }
    if (settle !== undefined) return;
    this.out.doubt([s.awaitingRelease, seq], `The broker still held its reference to sink ${s.id} from the end of its last call until ${when}.`,
      'the recording declares no settle period (settleMs) and does not mark when the broker was idle');
    s.awaitingRelease = NONE;
    this.since.delete(s.id);
  }

  protected override end(): void {
    const settle = this.t.header.settleMs;
    if (settle === undefined) {
      for (const s of this.t.sinks.values()) this.undecided(s, this.t.lastSeq, 'the end of the trace');
      return;
    }
    if (this.t.lastT === undefined) return;
    for (const [id, from] of this.since) {
      const s = this.t.sinks.get(id);
      if (!s || s.awaitingRelease === NONE || from === undefined) continue;
      if (this.t.lastT - from > settle) this.flag(s, this.t.lastSeq, `the end of the recording, beyond its settle period of ${settle} ms`);
    }
  }

  private flag(s: SinkRec, seq: number, when: string): void {
    this.out.violate([s.awaitingRelease, seq], `The broker still held its reference to sink ${s.id} from the end of its last call until ${when}.`);
    s.awaitingRelease = NONE;
    this.since.delete(s.id);
  }
}

/** The check of RELEASE-PROMPTLY. */
export const releasePromptly: CheckFactory = (t) => new ReleasePromptly(t);
