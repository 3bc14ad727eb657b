/**
 * The lifecycle monitor: the compiled lifecycle machine run over a trace, per call. An observed
 * event that the machine rejects is a violation of the rule(s) the rejecting transition names.
 * Where the broker annotates its unseen moments (cancel processed, final status decided) it
 * follows one state per call; where it does not (a recording, a broker that does not annotate)
 * it follows every state the call may be in, placing those moments silently inside their
 * windows, and reports only what every placement rejects. The checks of specs/
 * judge the same traces independently.
 *
 * It also records model coverage: the machine's state nodes and transitions a run reached.
 */
import { StateSnapshotter, type SavedState } from './state-snapshot.ts';
import { compiledMachine } from './compiled-machine.ts';
import type { CallEventType } from './lifecycle-machine.ts';
import type { TraceEvent } from '../trace/event.ts';
import type { Finding } from './check.ts';
import type { JudgeResult } from './judge.ts';
import { ruleInfo } from './rules.ts';
import { rejectionText } from './rejection-words.ts';
import { CappedSet } from '../trace/capped-set.ts';
import { failed, WBEM_E_CALL_CANCELLED, WBEM_FLAG_SEND_STATUS, WBEM_STATUS_COMPLETE, WBEM_STATUS_PROGRESS } from '../trace/hresult.ts';
import { decideOutcome } from '../report/result.ts';

/** A rejection by the monitor: the rules broken and the event (sequence number) that broke them. */
export interface MonitorRejection {
  rules: readonly string[];
  call: string;
  seq: number;
  event: CallEventType;
  /** The call's state when the event arrived, region by region. */
  state: Readonly<Record<string, string>>;
}

/** Reached state nodes and transitions, as bit sets over the compiled machine's lists. */
export class Coverage {
  readonly nodes: Uint8Array;
  readonly transitions: Uint8Array;
  constructor(nodeCount: number, transitionCount: number) {
    this.nodes = new Uint8Array(nodeCount);
    this.transitions = new Uint8Array(transitionCount);
  }
  merge(other: Coverage): void {
    for (let i = 0; i < this.nodes.length; i++) this.nodes[i]! |= other.nodes[i]!;
    for (let i = 0; i < this.transitions.length; i++) this.transitions[i]! |= other.transitions[i]!;
  }
}

const REJECTIONS_CAP = 10_000;

/** One possible state of a call: a machine state, and whether a silent `cancel processed` was placed. */
interface Branch { s: number; p: boolean }

/** What the monitor follows of a call when the broker's unseen moments are not annotated. */
interface Track {
  services: string;
  sink: string | null;
  returned: boolean;
  ended: boolean;
  /**
   * Cancels running that may cover this call: p may fall at any moment until they return. `true`
   * when the cancel must cover it (a call whose method returned before the cancel entered, the
   * cancel made from another thread): p then lies before the cancel's return.
   */
  windows: Map<string, boolean>;
}

export interface MonitorOptions {
  /**
   * The broker annotates its unseen moments (`cancel processed`, `final status decided`): the
   * monitor then follows one state per call. Otherwise (a black-box recording, a broker that
   * does not annotate) it follows every state the call may be in, with `cancel processed` as a
   * silent transition inside the cancel's window, and reports a rejection only
   * when every one of them rejects.
   */
  annotated?: boolean;
  /**
   * Forget a call once it is over (its final status returned and the broker's references to it
   * gone, or its start failed), so that memory follows the calls open at once (long recordings).
   */
  prune?: boolean;
}

export class Monitor {
  private readonly m = compiledMachine();
  private readonly branches = new Map<string, Branch[]>();
  private readonly tracks = new Map<string, Track>();
  private readonly running = new Map<string, { services: string; sink: string | null; covered: string[] }>();
  private readonly cbCall = new Map<string, { call: string; progress: boolean; final: boolean; held: boolean; releasedAt?: number }>();
  /**
   * Cancels whose window of p is open or was (RULES.md, "How a trace is judged", item 1): `open`
   * until the cancel returns or a held callback returns first; `annotated` once a
   * `cancel processed` annotation fell inside it. An annotation outside it is not used.
   */
  private readonly cancelWindows = new Map<string, { open: boolean; annotated: boolean; fromCallback: boolean; entered: number }>();
  private readonly brokerRefs = new Map<string, number>();
  /**
   * Sinks that received callbacks naming no call: the monitor cannot see their calls' final
   * status. Capped like the judge's sink history: a call whose blind sink was forgotten is only kept
   * longer (it is not pruned at its release), never judged differently.
   */
  private readonly blind = new CappedSet(16_384);
  /**
   * The trace's transport-lost marker was seen: what the broker does from then on answers
   * callbacks that never reached the client, so the machine judges no call after it
   * (TRANSPORT-FAILURE; the checks of specs/ judge what is left).
   */
  private transportLost = false;
  private readonly annotated: boolean;
  private readonly prune: boolean;
  readonly rejections: MonitorRejection[] = [];
  readonly coverage = new Coverage(this.m.stateNodes.length, this.m.transitions.length);

  constructor(options: MonitorOptions = {}) {
    this.annotated = options.annotated ?? true;
    this.prune = options.prune ?? false;
  }

  /** Feeds one trace event. */
  event(e: TraceEvent): void {
    if (e.type === 'marker.transport-lost') this.transportLost = true;
    if (this.transportLost) return;
    switch (e.type) {
      case 'call.entered':
        this.branches.set(e.call, [{ s: 0, p: false }]);
        if (!this.annotated) {
          const t: Track = { services: e.services, sink: e.sink, returned: false, ended: false, windows: new Map() };
          this.tracks.set(e.call, t);
          // A call started while a cancel with its sink runs may or may not be covered (CANCEL-COVERS-SHARING-CALLS).
          for (const [cancel, k] of this.running) {
            if (k.services === e.services && k.sink === e.sink) { t.windows.set(cancel, false); k.covered.push(e.call); }
          }
        }
        this.mark(0);
        this.fire(e.call, e.op === 'ExecMethodAsync' ? 'CALL_METHOD' : e.op === 'ExecNotificationQueryAsync' ? 'CALL_NOTIFICATION' : 'CALL_OTHER', e.seq);
        if ((e.flags & WBEM_FLAG_SEND_STATUS) !== 0) this.fire(e.call, 'SEND_STATUS', e.seq);
        break;
      case 'call.returned': {
        const t = this.tracks.get(e.call);
        if (t) { t.returned = !failed(e.hr); if (failed(e.hr)) t.ended = true; }
        this.fire(e.call, failed(e.hr) ? 'RETURNED_ERROR' : 'RETURNED_OK', e.seq);
        if (failed(e.hr)) this.forgetIfOver(e.call);
        break;
      }
      case 'indicate.entered':
        if (e.call === undefined) { this.blind.add(e.sink); break; }
        this.cbCall.set(e.cb, { call: e.call, progress: false, final: false, held: e.held ?? false });
        this.fire(e.call, 'INDICATE_ENTERED', e.seq);
        break;
      case 'setstatus.entered': {
        if (e.call === undefined) { this.blind.add(e.sink); break; }
        // Only WBEM_STATUS_COMPLETE is final; any lFlags but it and WBEM_STATUS_PROGRESS is neither.
        if (e.lFlags !== WBEM_STATUS_COMPLETE && e.lFlags !== WBEM_STATUS_PROGRESS) {
          this.fire(e.call, 'STATUS_OTHER_ENTERED', e.seq);
          break;
        }
        const progress = e.lFlags === WBEM_STATUS_PROGRESS;
        this.cbCall.set(e.cb, { call: e.call, progress, final: !progress, held: e.held ?? false });
        // An unannotated d lies just before the final status's entry (the latest placement).
        if (!progress) this.decideIfOpen(e.call, e.seq);
        this.fire(e.call, progress ? 'PROGRESS_ENTERED'
          : e.hResult === WBEM_E_CALL_CANCELLED ? 'FINAL_CANCELLED_ENTERED'
          : failed(e.hResult) ? 'FINAL_ERROR_ENTERED' : 'FINAL_OK_ENTERED', e.seq);
        break;
      }
      case 'indicate.returned':
      case 'setstatus.returned': {
        const cb = this.cbCall.get(e.cb);
        if (!cb) break;
        this.cbCall.delete(e.cb);
        // A held callback returning while a cancel is pending bounds that cancel's p (item 1), if
        // its hold had not ended before the cancel entered.
        if (cb.held) for (const w of this.cancelWindows.values()) if (!w.fromCallback && (cb.releasedAt === undefined || cb.releasedAt > w.entered)) w.open = false;
        const bad = failed(e.ret);
        if (cb.final) { const t = this.tracks.get(cb.call); if (t) t.ended = true; }
        this.fire(cb.call, cb.final ? 'FINAL_RETURNED'
          : cb.progress ? (bad ? 'PROGRESS_FAILED' : 'PROGRESS_RETURNED')
          : bad ? 'INDICATE_FAILED' : 'INDICATE_RETURNED', e.seq);
        if (cb.final) this.forgetIfOver(cb.call);
        break;
      }
      // A cancel from inside a callback is not operational (CANCEL-FROM-SINK-NOT-OPERATIONAL): the
      // broker may ignore it, so it places no moment.
      case 'cancel.entered':
        this.cancelWindows.set(e.cancel, { open: true, annotated: false, fromCallback: e.fromCallback !== undefined, entered: e.seq });
        this.openWindows(e.cancel, e.services, e.sink, e.fromCallback === undefined);
        break;
      case 'cancel.returned':
        this.cancelWindows.delete(e.cancel);
        this.closeWindows(e.cancel, !failed(e.hr), e.seq);
        break;
      case 'annotation.cancel-processed': {
        // An annotation narrows only inside its window (item 3); outside it ANNOTATIONS-CONSISTENT
        // judges it, and the moment is placed as if it had not been annotated.
        const w = this.cancelWindows.get(e.cancel);
        if (w?.open && !w.annotated) {
          w.annotated = true;
          for (const c of e.calls) this.processed(c, e.cancel, e.seq);
        } else if (!w?.annotated) for (const c of e.calls) this.untrusted(c);
        break;
      }
      case 'annotation.final-decided': {
        const bs = this.branches.get(e.call);
        if (!bs) break;
        // d lies after the previous callback returned, or, for the cancelled final status that may
        // overlap a callback, after that callback started (item 1); never after the final started.
        const inWindow = bs.some((b) => {
          const v = this.m.stateValue(b.s);
          return v.final === 'open' && (v.callback === 'idle' || v.lifecycle === 'cancelled');
        });
        if (inWindow) this.fire(e.call, 'FINAL_DECIDED', e.seq);
        else if (bs.some((b) => this.m.stateValue(b.s).final === 'open')) this.untrusted(e.call);
        break;
      }
      case 'sink.addref':
      case 'sink.release': {
        if (e.by !== 'broker' || e.call === undefined) break;
        const before = this.brokerRefs.get(e.call) ?? 0;
        const after = before + (e.type === 'sink.addref' ? 1 : -1);
        this.brokerRefs.set(e.call, after);
        if (before === 0 && after === 1) this.fire(e.call, 'REF_TAKEN', e.seq);
        else if (before === 1 && after === 0) {
          this.fire(e.call, 'REF_RELEASED', e.seq);
          this.forgetIfOver(e.call);
        }
        break;
      }
      case 'provider.started': this.fire(e.call, 'PROVIDER_STARTED', e.seq); break;
      case 'provider.produced': this.fire(e.call, 'PROVIDER_PRODUCED', e.seq); break;
      case 'provider.completed': this.fire(e.call, 'PROVIDER_COMPLETED', e.seq); break;
      case 'provider.cancel-requested': this.fire(e.call, 'PROVIDER_CANCEL_REQUESTED', e.seq); break;
      case 'provider.stopped': this.fire(e.call, 'PROVIDER_STOPPED', e.seq); break;
      case 'hold.released': { const cb = this.cbCall.get(e.cb); if (cb && cb.releasedAt === undefined) cb.releasedAt = e.seq; break; }
      default: break;
    }
  }

  /**
   * The state of a call, region by region (for reports, tests and the explorer's state key); when
   * the monitor follows several possible states, each region lists its values joined by `|`.
   */
  /**
   * The canonical key of the machine's state of these calls, for exhaustive search: per call its
   * set of (state, processed) branches, by state number. Equal keys mean equal futures here.
   */
  stateKey(calls: readonly string[]): string {
    let key = '';
    for (const call of calls) {
      const bs = this.branches.get(call);
      key += bs === undefined ? '-;' : bs.length === 1 ? `${bs[0]!.s}${bs[0]!.p ? 'p' : ''};` : `${bs.map((b) => `${b.s}${b.p ? 'p' : ''}`).sort().join('|')};`;
    }
    return key;
  }

  /** A copy of the monitor's state of every call (not its coverage, which accumulates). */
  save(): SavedState {
    return this.snapshots().save();
  }

  /** Back to a state `save` returned; the coverage keeps what was reached since. */
  restore(s: SavedState, last = false): void {
    this.snapshots().restore(s, last);
  }

  private snapshotter?: StateSnapshotter;
  private snapshots(): StateSnapshotter {
    return (this.snapshotter ??= new StateSnapshotter([this], [this.m, this.coverage]));
  }

  stateOf(call: string): Readonly<Record<string, string>> | undefined {
    const bs = this.branches.get(call);
    if (!bs) return undefined;
    if (bs.length === 1 && !bs[0]!.p) return this.m.stateValue(bs[0]!.s);
    const out: Record<string, string> = {};
    for (const b of bs) {
      for (const [k, v] of Object.entries(this.m.stateValue(b.s))) {
        const tag = b.p ? `${v}+p` : v;
        out[k] = out[k] === undefined ? tag : [...new Set([...out[k]!.split('|'), tag])].sort().join('|');
      }
    }
    return out;
  }

  /**
   * An annotation of the call lay outside its window. Without annotations the monitor places the
   * moment itself anyway; a monitor that follows a broker's annotations (one state per call) cannot
   * place it any more, so it stops following that call and leaves it to the checks, which search
   * the window (ANNOTATIONS-CONSISTENT convicts the annotation).
   */
  private untrusted(call: string): void {
    if (!this.annotated) return;
    this.branches.delete(call);
    this.tracks.delete(call);
    this.brokerRefs.delete(call);
  }

  /** With `prune`, drops a call whose life is over (its later stray events are the checks' business). */
  private forgetIfOver(call: string): void {
    if (!this.prune) return;
    const bs = this.branches.get(call);
    if (!bs || (this.brokerRefs.get(call) ?? 0) > 0) return;
    const over = bs.every((b) => {
      const v = this.m.stateValue(b.s);
      return v.lifecycle === 'failed' || v.final === 'returned';
    });
    // On a sink whose callbacks name no call, the final status is never seen: the call is over
    // for the monitor once its method returned and the broker released the reference it took.
    const t = this.tracks.get(call);
    const unseen = t !== undefined && t.returned && t.sink !== null && this.blind.has(t.sink) && this.brokerRefs.get(call) === 0;
    if (!over && !unseen) return;
    this.branches.delete(call);
    this.tracks.delete(call);
    this.brokerRefs.delete(call);
  }

  /**
   * A cancel entered: without annotations, the calls it may cover may have it processed at any
   * moment now; those it must cover (`operational`: not made from inside a callback) before it returns.
   */
  private openWindows(cancel: string, services: string, sink: string | null, operational: boolean): void {
    if (this.annotated || sink === null) return;
    const covered: string[] = [];
    for (const [call, t] of this.tracks) {
      if (t.services === services && t.sink === sink && !t.ended) {
        t.windows.set(cancel, operational && t.returned);
        covered.push(call);
        // d may have come before the cancel entered: keep that possibility from now on.
        const bs = this.branches.get(call);
        if (bs) this.branches.set(call, this.widen(bs).filter((b) => !b.p || bs.some((x) => x.p)));
      }
    }
    this.running.set(cancel, { services, sink, covered });
  }

  /** A cancel returned: where it succeeded, p lay before its return, so every remaining branch takes it. */
  private closeWindows(cancel: string, succeeded: boolean, seq: number): void {
    const k = this.running.get(cancel);
    if (!k) return;
    this.running.delete(cancel);
    for (const call of k.covered) {
      const t = this.tracks.get(call);
      if (!t) continue; // forgotten: its life was over
      const forced = t.windows.get(cancel) === true;
      t.windows.delete(cancel);
      if (succeeded && forced) this.processed(call, cancel, seq);
    }
  }

  /** p is known for this call (an annotation, or the cancel's return): branches without it take it now. */
  private processed(call: string, cancel: string, seq: number): void {
    const bs = this.branches.get(call);
    if (!bs) return;
    this.tracks.get(call)?.windows.delete(cancel);
    const without = bs.filter((b) => !b.p);
    if (without.length === 0) return;
    // Without an annotation of d, the final status may have been called before p (a lost race).
    const fd = this.m.eventIndex('FINAL_DECIDED');
    const withD = this.annotated ? without : dedupe([...without, ...without
      .filter((b) => { const v = this.m.stateValue(b.s); return v.final === 'open' && v.callback === 'idle'; })
      .map((b) => ({ s: this.step(b.s, fd), p: false }))]);
    this.branches.set(call, withD);
    this.fire(call, 'CANCEL_PROCESSED', seq);
    for (const b of this.branches.get(call)!) b.p = true;
  }

  private decideIfOpen(call: string, seq: number): void {
    const bs = this.branches.get(call);
    if (bs?.some((b) => this.m.stateValue(b.s).final === 'open')) this.fire(call, 'FINAL_DECIDED', seq, true);
  }

  /**
   * Applies one event to every branch of the call. Branches that reject it are dropped while
   * others accept; when all reject, the rejection is reported (a violation in every placement).
   */
  private fire(call: string, type: CallEventType, seq: number, onlyOpenFinal = false): void {
    let bs = this.branches.get(call);
    if (!bs) return;
    const t = this.tracks.get(call);
    // Inside a cancel's window p may already have happened, and d before it (the race the cancel
    // may lose): follow every possibility.
    if (t && t.windows.size > 0 && type !== 'CANCEL_PROCESSED') bs = this.widen(bs);
    const e = this.m.eventIndex(type);
    // One known state (every annotated trace, most of the time): one lookup, no allocation.
    if (bs.length === 1 && !onlyOpenFinal) {
      const b = bs[0]!;
      const next = this.step(b.s, e); // fills the table's cell on first use, so read `reject` after
      const r = this.m.reject[b.s * this.m.eventCount + e]!;
      if (r >= 0 && this.rejections.length < REJECTIONS_CAP) this.rejections.push({ rules: this.m.ruleSets[r]!, call, seq, event: type, state: this.m.stateValue(b.s) });
      b.s = next;
      this.branches.set(call, bs);
      return;
    }
    const accepted: Branch[] = [];
    const rejected: { b: Branch; rules: readonly string[] }[] = [];
    for (const b of bs) {
      if (onlyOpenFinal && this.m.stateValue(b.s).final !== 'open') { accepted.push(b); continue; }
      const next = this.step(b.s, e);
      const r = this.m.reject[b.s * this.m.eventCount + e]!;
      if (r >= 0) rejected.push({ b: { s: next, p: b.p }, rules: this.m.ruleSets[r]! });
      else accepted.push({ s: next, p: b.p });
    }
    if (accepted.length === 0 && rejected.length > 0) {
      const first = rejected[0]!;
      // Every placement rejects: report the rules all of them name (the first's when none is common).
      const common = first.rules.filter((rule) => rejected.every((x) => x.rules.includes(rule)));
      // Capped: a long recording that breaks a rule on every call must not hold them all.
      if (this.rejections.length < REJECTIONS_CAP) this.rejections.push({ rules: common.length ? common : first.rules, call, seq, event: type, state: this.m.stateValue(bs[0]!.s) });
      this.branches.set(call, dedupe(rejected.map((x) => x.b)));
    } else this.branches.set(call, dedupe(accepted));
  }

  /**
   * The branches plus those where the unseen moments may already lie: d (the final status called,
   * when nothing of the call is in progress) and then p, or p alone.
   */
  private widen(bs: Branch[]): Branch[] {
    const cp = this.m.eventIndex('CANCEL_PROCESSED');
    const fd = this.m.eventIndex('FINAL_DECIDED');
    const out = [...bs];
    for (const b of bs) {
      const v = this.m.stateValue(b.s);
      if (v.final === 'open' && v.callback === 'idle') {
        const d = this.step(b.s, fd);
        out.push({ s: d, p: b.p });
        if (!b.p) out.push({ s: this.step(d, cp), p: true });
      }
      if (!b.p) out.push({ s: this.step(b.s, cp), p: true });
    }
    return dedupe(out);
  }

  /** One machine step, recording coverage. */
  private step(s: number, e: number): number {
    const next = this.m.step(s, e);
    const t = this.m.took[s * this.m.eventCount + e]!;
    if (t >= 0) for (const x of this.m.transitionSets[t]!) this.coverage.transitions[x] = 1;
    if (next !== s) this.mark(next);
    return next;
  }

  private mark(s: number): void {
    for (const n of this.m.activeNodes(s)) this.coverage.nodes[n] = 1;
  }
}

function dedupe(bs: Branch[]): Branch[] {
  if (bs.length < 2) return bs;
  const seen = new Set<number>();
  return bs.filter((b) => {
    const k = b.s * 2 + (b.p ? 1 : 0);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/**
 * The lifecycle monitor and the checks judge independently. A monitor rejection
 * whose rule the checks did not find violated is reported too, marked as the monitor's, so a
 * disagreement between the two judges is never silent.
 */
export function addMonitorFindings(result: JudgeResult, rejections: readonly MonitorRejection[]): void {
  const found = new Set(result.violations.map((f) => f.rule));
  for (const r of rejections) {
    for (const rule of r.rules) {
      if (found.has(rule)) continue;
      found.add(rule);
      const info = ruleInfo(rule);
      const f: Finding = {
        rule, kind: info.kind, party: info.party, verdict: 'violated', events: [r.seq], citation: info.citation,
        explanation: rejectionText(r, rule),
      };
      const res = result.results.find((x) => x.rule === rule);
      if (res) { res.verdict = 'violated'; res.findings.push(f); }
      if (info.kind === 'must') {
        result.violations.push(f);
        const outcome = decideOutcome({ violations: result.violations, runs: 1 });
        result.conformant = outcome.conformant;
      }
      else if (info.party === 'client') result.lint.push(f);
      else result.warnings.push(f);
    }
  }
}
