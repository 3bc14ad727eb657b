/**
 * Attribution on shared sinks (RULES.md, "How a trace is judged", item 2, last sentence): when a
 * black-box trace does not say which call a callback on a sink shared by several calls belongs
 * to, that attribution is one more unseen choice, judged like a placement. The trace is judged
 * once per attribution and each rule's verdicts are folded: `violated` when every attribution
 * breaks it, `held` when every one keeps it, `inconclusive` (with the reason) when they differ.
 *
 * A callback's candidates are the calls on its sink entered before it started, pruned by the
 * clues the trace carries: a `call` on the callback's returned event; its thread (a callback on
 * the thread of a call whose method has not returned runs inside that method, so belongs to it);
 * the classes of the objects it indicates against the call's query (only `SELECT … FROM <Class>`
 * is parsed; a different class excludes the call, any other query excludes nothing).
 * Beyond ATTRIBUTION_CAP attributions on one sink (or in the whole trace, or beyond
 * ATTRIBUTION_WORK events judged in all), that sink's callbacks are left unattributed and the
 * verdicts that depend on them are `inconclusive (attribution bound)`.
 *
 * Memory follows what is open at once, in every read: the sinks with a call or a callback open,
 * with their calls and the few callbacks with a choice (a sink with more attributions than the cap
 * is bounded and forgets them); a history of ATTRIBUTION_HISTORY sinks whose calls have ended; the
 * few forgotten sinks whose attributions may still be judged (their product is within the cap, so
 * there are at most log2(cap) of them); and the callbacks whose call is named only on their
 * return. Nothing of this is kept for a trace whose callbacks all name their call.
 */
import type { TraceEvent, TraceHeader, TraceLine } from '../trace/event.ts';
import type { RuleResult, Verdict } from './check.ts';
import { createJudge, sortResults, type JudgeOptions, type JudgeResult } from './judge.ts';
import { failed } from '../trace/hresult.ts';

/** Attributions judged per shared sink, and per trace, before the search gives up. */
export const ATTRIBUTION_CAP = 10_000;
/**
 * Each attribution is one more read and judgement of the whole trace: the search judges at most
 * this many events in all (attributions × events), so that a long recording is not read
 * thousands of times; the sinks that do not fit are left to `inconclusive (attribution bound)`.
 */
export const ATTRIBUTION_WORK = 20_000_000;
/**
 * Sinks remembered after their calls ended, so that a late callback on one still has that sink's
 * calls as candidates; beyond it the oldest are forgotten and a later callback on one of them
 * sees only the calls entered on it since.
 */
export const ATTRIBUTION_HISTORY = 4096;

/** The class a WQL query selects from, lower-cased, or null when the query is not `SELECT … FROM <Class>`. */
export function queryClass(query: string | undefined, language: string | undefined): string | null {
  if (query === undefined || (language !== undefined && language.toUpperCase() !== 'WQL')) return null;
  const m = /^\s*SELECT\s+[\s\S]+?\s+FROM\s+([A-Za-z_][A-Za-z0-9_]*)\s*(?:(?:WHERE|WITHIN)\b[\s\S]*)?$/i.exec(query);
  return m ? m[1]!.toLowerCase() : null;
}

interface CallInfo { id: string; thread: string | undefined; returned: boolean; cls: string | null }

/** What the search knows of one sink: its calls, what is open on it, and its callbacks' choices. */
interface SinkState {
  id: string;
  /** Which sink state this is, counted in trace order: the same in every read of the trace. */
  born: number;
  /** Its calls in trace order (at most ATTRIBUTION_CAP + 1: more than that bound the sink anyway). */
  calls: CallInfo[];
  /** Calls whose method has not returned. */
  unreturned: number;
  /** Calls entered, less those refused and those whose final status returned. */
  unended: number;
  /** Callbacks in progress on it. */
  running: number;
  /** When its first callback with a choice came, among all sinks' (−1: none yet). */
  order: number;
  /** Attributions of its callbacks (the product of their candidates' counts). */
  product: number;
  /** Too many attributions to judge: its callbacks stay unattributed. */
  bounded: boolean;
  /** A callback without a call id came before any call on it. */
  orphan: boolean;
  /** Callbacks with more than one candidate, in trace order, and their candidates (while not bounded). */
  cbs: string[];
  candidates: string[][];
}

/** What the book tells its reader about sink states as they come and go. */
interface BookHooks {
  /** A state became live: new, or back from the history. */
  live?(s: SinkState): void;
  /** A state's first callback with a choice. */
  firstChoice?(s: SinkState): void;
  /** A state left the live set for the history. */
  retired?(s: SinkState): void;
  /** A state left the history for good: it can no longer change. */
  forgotten?(s: SinkState): void;
}

/**
 * Computes the candidates of each unattributed callback, the same way in every read, keeping only
 * the sinks with something open: a sink whose calls have all returned and ended (as many final
 * statuses as accepted calls) and that has no callback in progress moves to a history of
 * `historyCap` sinks, from which a later event on it brings it back; the oldest are forgotten.
 */
class SinkBook {
  readonly live = new Map<string, SinkState>();
  readonly history = new Map<string, SinkState>();
  /** The history in the order sinks entered it, as a ring once full (a sink may hold two slots). */
  private readonly ring: SinkState[] = [];
  private next = 0;
  /** Calls whose method has not returned. */
  readonly unreturned = new Map<string, { info: CallInfo; sink: SinkState }>();
  /** Callbacks in progress on a known sink. */
  readonly running = new Map<string, { sink: SinkState; final: boolean }>();
  private born = 0;
  private order = 0;
  /** The sink state of the last callback seen. */
  sink: SinkState | null = null;

  constructor(
    private readonly lateClues: ReadonlyMap<string, string>,
    /** Attributions beyond which a sink is bounded. */
    private readonly cap: number,
    /** Whether to keep the callbacks' candidates (the plan needs them; the judging reads do not). */
    private readonly record: boolean,
    private readonly hooks: BookHooks = {},
    private readonly historyCap = ATTRIBUTION_HISTORY,
  ) {}

  /** The live state of a sink, back from the history or new when `create`. */
  private state(id: string, create: boolean): SinkState | null {
    let s = this.live.get(id);
    if (s) return s;
    s = this.history.get(id);
    if (s) this.history.delete(id);
    else if (!create) return null;
    else {
      s = {
        id, born: this.born++, calls: [], unreturned: 0, unended: 0, running: 0,
        order: -1, product: 1, bounded: false, orphan: false, cbs: [], candidates: [],
      };
    }
    this.live.set(id, s);
    this.hooks.live?.(s);
    return s;
  }

  private maybeRetire(s: SinkState): void {
    if (s.unreturned > 0 || s.unended > 0 || s.running > 0 || this.live.get(s.id) !== s) return;
    this.live.delete(s.id);
    this.hooks.retired?.(s);
    this.history.set(s.id, s);
    if (this.ring.length < this.historyCap) { this.ring.push(s); return; }
    const old = this.ring[this.next]!;
    this.ring[this.next] = s;
    this.next = (this.next + 1) % this.historyCap;
    // A slot of a sink that came back (and maybe left again since) is stale.
    if (old !== s && this.history.get(old.id) === old) {
      this.history.delete(old.id);
      this.hooks.forgotten?.(old);
    }
  }

  /** Every state not yet forgotten, live or in the history. */
  *states(): Iterable<SinkState> {
    yield* this.live.values();
    yield* this.history.values();
  }

  /** Updates the bookkeeping; for a callback without a call id returns its pruned candidates. */
  see(e: TraceEvent): string[] | null {
    switch (e.type) {
      case 'call.entered': {
        if (e.sink === null) return null;
        const s = this.state(e.sink, true)!;
        const info: CallInfo = { id: e.call, thread: e.thread, returned: false, cls: queryClass(e.query, e.language) };
        if (s.calls.length <= ATTRIBUTION_CAP) s.calls.push(info);
        s.unreturned++;
        s.unended++;
        this.unreturned.set(e.call, { info, sink: s });
        return null;
      }
      case 'call.returned': {
        const c = this.unreturned.get(e.call);
        if (!c) return null;
        this.unreturned.delete(e.call);
        c.info.returned = true;
        c.sink.unreturned--;
        if (failed(e.hr)) c.sink.unended--;
        this.maybeRetire(c.sink);
        return null;
      }
      case 'indicate.entered':
      case 'setstatus.entered': {
        const s = this.state(e.sink, e.call === undefined);
        this.sink = s;
        if (s) {
          s.running++;
          this.running.set(e.cb, { sink: s, final: e.type === 'setstatus.entered' && e.lFlags === 0 });
        }
        if (e.call !== undefined || !s) return null;
        const late = this.lateClues.get(e.cb);
        if (late !== undefined) return [late];
        let cands = s.calls;
        if (e.thread !== undefined) {
          const inside = cands.filter((c) => !c.returned && c.thread === e.thread);
          if (inside.length > 0) cands = inside;
        }
        if (e.type === 'indicate.entered' && e.classes && e.classes.length > 0) {
          const classes = e.classes.map((x) => x.toLowerCase());
          const fit = cands.filter((c) => c.cls === null || classes.every((x) => x === c.cls));
          // Clues that contradict every call prune nothing.
          if (fit.length > 0) cands = fit;
        }
        const ids = cands.map((c) => c.id);
        this.choose(s, e.cb, ids);
        return ids;
      }
      case 'indicate.returned':
      case 'setstatus.returned': {
        const r = this.running.get(e.cb);
        if (!r) return null;
        this.running.delete(e.cb);
        r.sink.running--;
        if (r.final) r.sink.unended--;
        this.maybeRetire(r.sink);
        return null;
      }
      default:
        return null;
    }
  }

  /** Counts a callback's choice against its sink. */
  private choose(s: SinkState, cb: string, cands: string[]): void {
    if (cands.length === 0) { s.orphan = true; return; }
    if (cands.length < 2) return;
    if (s.order < 0) {
      s.order = this.order++;
      this.hooks.firstChoice?.(s);
    }
    if (s.bounded) return;
    s.product *= cands.length;
    if (s.product > this.cap) {
      s.bounded = true;
      s.cbs = [];
      s.candidates = [];
      return;
    }
    if (this.record) {
      s.cbs.push(cb);
      s.candidates.push(cands);
    }
  }
}

/** Orders sinks with choices as the plan takes them: fewest attributions first, then first come. */
function byProduct(a: SinkState, b: SinkState): number {
  return a.product - b.product || a.order - b.order;
}

/** A sink judged under every attribution of its callbacks. */
interface ChosenSink { id: string; born: number; cbs: string[]; candidates: string[][] }

/** What the first pass learnt: the sinks whose attributions are judged, and which are bounded. */
export interface AttributionPlan {
  /** Sinks judged under each of their attributions, in plan order (mixed radix). */
  sinks: ChosenSink[];
  lateClues: Map<string, string>;
  /** Some callback lacks a call id. */
  unattributed: boolean;
  /** The sink states (see SinkState.born) with a callback before any call that end up bounded. */
  earlyBounded: Set<number>;
  /** Attributions to judge (1 when there is nothing to choose). */
  count: number;
  historyCap: number;
}

/** Sizes of the attribution search's state: bounded by what is open at once, never by the trace's length. */
export interface AttributionFootprint {
  /** Sinks with something open, and sinks remembered after they ended. */
  liveSinks: number;
  historySinks: number;
  /** Calls remembered on those sinks. */
  calls: number;
  /** Calls whose method has not returned, and callbacks in progress. */
  unreturned: number;
  running: number;
  /** Sinks no longer remembered that may still be judged under each attribution. */
  fitting: number;
  /** Callbacks named only on their return, and bounded sinks that had a callback before any call. */
  lateClues: number;
  earlyBounded: number;
  /** Sinks the judging read treats as bounded right now. */
  boundedLive: number;
}

function bookFootprint(b: SinkBook): Pick<AttributionFootprint, 'liveSinks' | 'historySinks' | 'calls' | 'unreturned' | 'running'> {
  let calls = 0;
  for (const s of b.states()) calls += s.calls.length;
  return { liveSinks: b.live.size, historySinks: b.history.size, calls, unreturned: b.unreturned.size, running: b.running.size };
}

/**
 * The first pass: feed every line to `line`, then (when `needsChoices`) every line again to
 * `choices`, then ask for the plan.
 */
export class AttributionScan {
  private readonly lateClues = new Map<string, string>();
  private unattributed = false;
  /** Unattributed callbacks in progress, for a `call` their returned event may name. */
  private readonly open = new Set<string>();
  /** Events read, for the work bound of the search. */
  private events = 0;
  private book: SinkBook | null = null;
  private cap = ATTRIBUTION_CAP;
  /** Sinks forgotten by the book that may still be judged, by byProduct, their attributions' product within the cap. */
  private fitting: SinkState[] = [];
  private readonly earlyBounded = new Set<number>();

  constructor(private readonly work = ATTRIBUTION_WORK, private readonly historyCap = ATTRIBUTION_HISTORY) {}

  /** The first half of the first pass: a returned event's `call` settles its callback after the fact. */
  line(l: TraceLine): void {
    if (l.type === 'header') return;
    this.events++;
    if ((l.type === 'indicate.entered' || l.type === 'setstatus.entered') && l.call === undefined) {
      this.open.add(l.cb);
      this.unattributed = true;
    }
    else if ((l.type === 'indicate.returned' || l.type === 'setstatus.returned') && this.open.delete(l.cb) && l.call !== undefined) {
      this.lateClues.set(l.cb, l.call);
    }
  }

  /** The second half of the first pass: candidates, now that the late clues and the length are known. */
  choices(l: TraceLine): void {
    if (l.type === 'header') return;
    if (!this.book) {
      this.cap = Math.max(1, Math.min(ATTRIBUTION_CAP, Math.floor(this.work / Math.max(1, this.events))));
      this.book = new SinkBook(this.lateClues, this.cap, true, { forgotten: (s) => this.settle(s) }, this.historyCap);
    }
    this.book.see(l);
  }

  /** A sink that can no longer change: kept only if the plan may still judge its attributions. */
  private settle(s: SinkState): void {
    if (s.order < 0) return;
    if (s.bounded) { this.bound(s); return; }
    const list = this.fitting;
    let i = list.length;
    while (i > 0 && byProduct(list[i - 1]!, s) > 0) i--;
    list.splice(i, 0, s);
    // Sinks that come later only push a sink further back: one that does not fit now never will.
    let count = 1;
    for (let j = 0; j < list.length; j++) {
      count *= list[j]!.product;
      if (count > this.cap) {
        for (const x of list.splice(j)) this.bound(x);
        break;
      }
    }
  }

  private bound(s: SinkState): void {
    if (s.orphan) this.earlyBounded.add(s.born);
  }

  plan(): AttributionPlan {
    const open: SinkState[] = [...this.fitting];
    for (const s of this.book?.states() ?? []) {
      if (s.order < 0) continue;
      if (s.bounded) this.bound(s);
      else open.push(s);
    }
    // Fewest attributions first, so that the sinks left to judge are as many as the cap allows.
    open.sort(byProduct);
    const sinks: ChosenSink[] = [];
    let count = 1;
    for (const s of open) {
      if (count * s.product > this.cap) { this.bound(s); continue; }
      count *= s.product;
      sinks.push({ id: s.id, born: s.born, cbs: s.cbs, candidates: s.candidates });
    }
    return { sinks, lateClues: this.lateClues, unattributed: this.unattributed, earlyBounded: this.earlyBounded, count, historyCap: this.historyCap };
  }

  /** Whether any callback lacks a call id (otherwise the second half of the first pass is not needed). */
  needsChoices(): boolean {
    return this.unattributed;
  }

  footprint(): AttributionFootprint {
    const book = this.book ? bookFootprint(this.book) : { liveSinks: 0, historySinks: 0, calls: 0, unreturned: 0, running: 0 };
    return { ...book, fitting: this.fitting.length, lateClues: this.lateClues.size, earlyBounded: this.earlyBounded.size, boundedLive: 0 };
  }
}

/**
 * Rewrites the events of one judging read: each unattributed callback gets the call this
 * attribution gives it. `bounded` holds the live sinks whose callbacks stay unattributed, for the
 * judge (its tracker reads it at each callback, after this has seen the event).
 */
export class Attributor {
  private readonly book: SinkBook;
  private readonly pick = new Map<string, string>();
  private readonly chosen = new Set<number>();
  readonly bounded = new Set<string>();

  constructor(private readonly plan: AttributionPlan, index: number) {
    const isBounded = (s: SinkState) => plan.earlyBounded.has(s.born) || (s.order >= 0 && !this.chosen.has(s.born));
    this.book = new SinkBook(plan.lateClues, ATTRIBUTION_CAP, false, {
      live: (s) => { if (isBounded(s)) this.bounded.add(s.id); },
      firstChoice: (s) => { if (isBounded(s)) this.bounded.add(s.id); },
      retired: (s) => { this.bounded.delete(s.id); },
    }, plan.historyCap);
    // Mixed radix over the sinks' choices, in plan order.
    let rest = index;
    for (const s of plan.sinks) {
      this.chosen.add(s.born);
      for (let i = 0; i < s.cbs.length; i++) {
        const cands = s.candidates[i]!;
        this.pick.set(s.cbs[i]!, cands[rest % cands.length]!);
        rest = Math.floor(rest / cands.length);
      }
    }
  }

  map(e: TraceEvent): TraceEvent {
    const cands = this.book.see(e);
    if (cands === null || cands.length === 0) return e;
    const cb = (e as { cb: string }).cb;
    const call = cands.length === 1 ? cands[0]! : this.pick.get(cb);
    return call === undefined ? e : ({ ...e, call } as TraceEvent);
  }

  footprint(): AttributionFootprint {
    return { ...bookFootprint(this.book), fitting: this.plan.sinks.length, lateClues: this.plan.lateClues.size, earlyBounded: this.plan.earlyBounded.size, boundedLive: this.bounded.size };
  }
}

type Source = () => Iterable<TraceLine> | AsyncIterable<TraceLine>;

/** Folds the per-attribution results of one rule (item 2): agreement decides, disagreement is inconclusive. */
function foldRule(rs: RuleResult[], what: string): RuleResult {
  const first = rs[0]!;
  const counts = new Map<Verdict, number>();
  for (const r of rs) counts.set(r.verdict, (counts.get(r.verdict) ?? 0) + 1);
  if (counts.size === 1) return first;
  const withFindings = rs.find((r) => r.verdict === 'violated') ?? rs.find((r) => r.findings.length > 0) ?? first;
  const tally = [...counts].map(([v, n]) => `${v} under ${n}`).join(', ');
  return {
    rule: first.rule, kind: first.kind, party: first.party, verdict: 'inconclusive',
    reason: `${what}: ${tally} of ${rs.length} attributions`,
    findings: withFindings.findings.map((f) => ({ ...f, verdict: 'inconclusive' as const })),
    ...(withFindings.more !== undefined ? { more: withFindings.more } : {}),
  };
}

/** Judges one pass over the source with attribution `index` of `plan`. */
async function judgePass(open: Source, plan: AttributionPlan, index: number, options: JudgeOptions): Promise<JudgeResult> {
  const a = new Attributor(plan, index);
  const judge = createJudge({ ...options, attributionBound: a.bounded });
  let begun = false;
  for await (const l of open()) {
    if (!begun) { judge.begin(l as TraceHeader); begun = true; continue; }
    judge.event(a.map(l as TraceEvent));
  }
  return judge.finish();
}

/**
 * Plans the attributions of a trace (one read, two when some callback lacks a call id). The plan
 * read also judges the trace as it is: when every callback names its call, that judgement is the
 * only attribution, and the trace is read once.
 */
async function planOf(open: Source, options: JudgeOptions, observe?: (l: TraceLine) => void): Promise<{ plan: AttributionPlan; direct: JudgeResult }> {
  const scan = new AttributionScan(options.attributionWork);
  const judge = createJudge(options);
  let begun = false;
  for await (const l of open()) {
    observe?.(l);
    scan.line(l);
    if (!begun) { judge.begin(l as TraceHeader); begun = true; } else judge.event(l as TraceEvent);
  }
  if (scan.needsChoices()) for await (const l of open()) scan.choices(l);
  return { plan: scan.plan(), direct: judge.finish() };
}

/** Folds the results of every attribution into one. */
function foldAll(results: JudgeResult[], plan: AttributionPlan): JudgeResult {
  if (results.length === 1) return results[0]!;
  const sinks = [...new Set(plan.sinks.map((s) => s.id))].join(', ');
  const what = `inconclusive (attribution): callbacks without a call id on shared sink(s) ${sinks}`;
  const folded = results[0]!.results.map((_, i) => foldRule(results.map((r) => r.results[i]!), what));
  return sortResults(folded, results[0]!.advice, results[0]!.events);
}

/**
 * Judges a trace that can be read more than once (a file, an array), searching the attributions
 * of callbacks without a call id on shared sinks. One read plans (`observe` sees its lines, e.g.
 * for another judge), one read per attribution judges.
 */
export async function judgeAttributions(open: Source, options: JudgeOptions = {}, observe?: (l: TraceLine) => void): Promise<JudgeResult> {
  const { plan, direct } = await planOf(open, options, observe);
  if (!plan.unattributed) return direct;
  const results: JudgeResult[] = [];
  for (let i = 0; i < plan.count; i++) results.push(await judgePass(open, plan, i, options));
  return foldAll(results, plan);
}

/** The same search over an in-memory trace, synchronously. */
export function judgeAttributionsSync(lines: readonly TraceLine[], options: JudgeOptions = {}): JudgeResult {
  const scan = new AttributionScan(options.attributionWork);
  for (const l of lines) scan.line(l);
  if (scan.needsChoices()) for (const l of lines) scan.choices(l);
  const plan = scan.plan();
  const [header, ...rest] = lines;
  if (!plan.unattributed) {
    const judge = createJudge(options);
    judge.begin(header as TraceHeader);
    for (const e of rest) judge.event(e as TraceEvent);
    return judge.finish();
  }
  const results: JudgeResult[] = [];
  for (let i = 0; i < plan.count; i++) {
    const a = new Attributor(plan, i);
    const judge = createJudge({ ...options, attributionBound: a.bounded });
    judge.begin(header as TraceHeader);
    for (const e of rest) judge.event(a.map(e as TraceEvent));
    results.push(judge.finish());
  }
  return foldAll(results, plan);
}
