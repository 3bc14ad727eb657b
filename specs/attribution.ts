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
 * ATTRIBUTION_WORK events judged in all), that sink's callbacks are left unattributed and the verdicts that depend on them are `inconclusive (attribution
 * bound)`. Memory: for each sink that receives a callback without a call id, its calls' ids and
 * the few callbacks with a choice (a sink with more than log2(cap) of them is bounded and forgets
 * them); nothing for a trace whose callbacks all name their call.
 */
import type { TraceEvent, TraceHeader, TraceLine } from '../trace/event.ts';
import type { RuleResult, Verdict } from './check.ts';
import { createJudge, sortResults, type JudgeOptions, type JudgeResult } from './judge.ts';

/** Attributions judged per shared sink, and per trace, before the search gives up. */
export const ATTRIBUTION_CAP = 10_000;
/**
 * Each attribution is one more read and judgement of the whole trace: the search judges at most
 * this many events in all (attributions × events), so that a long recording is not read
 * thousands of times; the sinks that do not fit are left to `inconclusive (attribution bound)`.
 */
export const ATTRIBUTION_WORK = 20_000_000;

/** The class a WQL query selects from, lower-cased, or null when the query is not `SELECT … FROM <Class>`. */
export function queryClass(query: string | undefined, language: string | undefined): string | null {
  if (query === undefined || (language !== undefined && language.toUpperCase() !== 'WQL')) return null;
  const m = /^\s*SELECT\s+[\s\S]+?\s+FROM\s+([A-Za-z_][A-Za-z0-9_]*)\s*(?:(?:WHERE|WITHIN)\b[\s\S]*)?$/i.exec(query);
  return m ? m[1]!.toLowerCase() : null;
}

interface CallInfo { id: string; thread: string | undefined; returned: boolean; cls: string | null }

interface SinkChoices {
  /** Callbacks with more than one candidate, in trace order, and their candidates. */
  cbs: string[];
  candidates: string[][];
  product: number;
  bounded: boolean;
}

/** Computes the candidates of each unattributed callback, the same way in every pass. */
class Candidates {
  private readonly bySink = new Map<string, CallInfo[]>();
  private readonly calls = new Map<string, CallInfo>();

  constructor(private readonly lateClues: ReadonlyMap<string, string>, private readonly sinks: ReadonlySet<string>) {}

  /** Updates call bookkeeping; for an unattributed callback returns its pruned candidates. */
  see(e: TraceEvent): string[] | null {
    switch (e.type) {
      case 'call.entered': {
        // Only sinks that receive a callback without a call id need their calls remembered.
        if (e.sink === null || !this.sinks.has(e.sink)) return null;
        const c: CallInfo = { id: e.call, thread: e.thread, returned: false, cls: queryClass(e.query, e.language) };
        this.calls.set(e.call, c);
        let list = this.bySink.get(e.sink);
        if (!list) this.bySink.set(e.sink, (list = []));
        if (list.length <= ATTRIBUTION_CAP) list.push(c);
        return null;
      }
      case 'call.returned': {
        const c = this.calls.get(e.call);
        if (c) c.returned = true;
        return null;
      }
      case 'indicate.entered':
      case 'setstatus.entered': {
        if (e.call !== undefined) return null;
        const late = this.lateClues.get(e.cb);
        if (late !== undefined) return [late];
        let cands = this.bySink.get(e.sink) ?? [];
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
        return cands.map((c) => c.id);
      }
      default:
        return null;
    }
  }
}

/** What the first pass learnt: the choices per shared sink. */
export interface AttributionPlan {
  sinks: Map<string, SinkChoices>;
  lateClues: Map<string, string>;
  /** Sinks that receive a callback without a call id. */
  unattributed: Set<string>;
  /** Sinks whose attributions exceed the cap: their callbacks stay unattributed. */
  bounded: Set<string>;
  /** Attributions to judge (1 when there is nothing to choose). */
  count: number;
}

/** The first pass: feed every line in order, then ask for the plan. */
export class AttributionScan {
  private readonly lateClues = new Map<string, string>();
  private readonly unattributed = new Set<string>();
  private readonly sinks = new Map<string, SinkChoices>();
  /** Unattributed callbacks in progress, for a `call` their returned event may name. */
  private readonly open = new Set<string>();
  /** Events read, for the work bound of the search. */
  private events = 0;
  private candidates: Candidates | null = null;

  /** The first half of the first pass: a returned event's `call` settles its callback after the fact. */
  line(l: TraceLine): void {
    if (l.type === 'header') return;
    this.events++;
    if ((l.type === 'indicate.entered' || l.type === 'setstatus.entered') && l.call === undefined) {
      this.open.add(l.cb);
      this.unattributed.add(l.sink);
    }
    else if ((l.type === 'indicate.returned' || l.type === 'setstatus.returned') && this.open.delete(l.cb) && l.call !== undefined) {
      this.lateClues.set(l.cb, l.call);
    }
  }

  /** The second half of the first pass: candidates, now that the late clues are known. */
  choices(l: TraceLine): void {
    if (l.type === 'header') return;
    this.candidates ??= new Candidates(this.lateClues, this.unattributed);
    const cands = this.candidates.see(l);
    if (cands === null || cands.length < 2) return;
    const e = l as Extract<TraceEvent, { cb: string; sink: string }>;
    let s = this.sinks.get(e.sink);
    if (!s) this.sinks.set(e.sink, (s = { cbs: [], candidates: [], product: 1, bounded: false }));
    if (s.bounded) return;
    s.product *= cands.length;
    if (s.product > ATTRIBUTION_CAP) {
      s.bounded = true;
      s.cbs = [];
      s.candidates = [];
      return;
    }
    s.cbs.push(e.cb);
    s.candidates.push(cands);
  }

  plan(work = ATTRIBUTION_WORK): AttributionPlan {
    const bounded = new Set<string>();
    const cap = Math.max(1, Math.min(ATTRIBUTION_CAP, Math.floor(work / Math.max(1, this.events))));
    let count = 1;
    // Largest first, so that the sinks left to judge are as many as the cap allows.
    const open = [...this.sinks].filter(([id, s]) => (s.bounded ? (bounded.add(id), false) : true)).sort((a, b) => a[1].product - b[1].product);
    const sinks = new Map<string, SinkChoices>();
    for (const [id, s] of open) {
      if (count * s.product > cap) { bounded.add(id); continue; }
      count *= s.product;
      sinks.set(id, s);
    }
    return { sinks, lateClues: this.lateClues, unattributed: this.unattributed, bounded, count };
  }

  /** Whether any callback lacks a call id (otherwise the second half of the first pass is not needed). */
  needsChoices(): boolean {
    return this.unattributed.size > 0;
  }
}

/** Rewrites the events of one pass: each unattributed callback gets the call this attribution gives it. */
class Attributor {
  private readonly candidates: Candidates;
  private readonly pick = new Map<string, string>();

  constructor(plan: AttributionPlan, index: number) {
    this.candidates = new Candidates(plan.lateClues, plan.unattributed);
    // Mixed radix over the sinks' choices, in plan order.
    let rest = index;
    for (const s of plan.sinks.values()) {
      for (let i = 0; i < s.cbs.length; i++) {
        const cands = s.candidates[i]!;
        this.pick.set(s.cbs[i]!, cands[rest % cands.length]!);
        rest = Math.floor(rest / cands.length);
      }
    }
  }

  map(e: TraceEvent): TraceEvent {
    const cands = this.candidates.see(e);
    if (cands === null || cands.length === 0) return e;
    const cb = (e as { cb: string }).cb;
    const call = cands.length === 1 ? cands[0]! : this.pick.get(cb);
    return call === undefined ? e : ({ ...e, call } as TraceEvent);
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
  const judge = createJudge({ ...options, attributionBound: plan.bounded });
  const a = new Attributor(plan, index);
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
  const scan = new AttributionScan();
  const judge = createJudge(options);
  let begun = false;
  for await (const l of open()) {
    observe?.(l);
    scan.line(l);
    if (!begun) { judge.begin(l as TraceHeader); begun = true; } else judge.event(l as TraceEvent);
  }
  if (scan.needsChoices()) for await (const l of open()) scan.choices(l);
  return { plan: scan.plan(options.attributionWork), direct: judge.finish() };
}

/** Folds the results of every attribution into one. */
function foldAll(results: JudgeResult[], plan: AttributionPlan): JudgeResult {
  if (results.length === 1) return results[0]!;
  const sinks = [...plan.sinks.keys()].join(', ');
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
  if (plan.unattributed.size === 0) return direct;
  const results: JudgeResult[] = [];
  for (let i = 0; i < plan.count; i++) results.push(await judgePass(open, plan, i, options));
  return foldAll(results, plan);
}

/** The same search over an in-memory trace, synchronously. */
export function judgeAttributionsSync(lines: readonly TraceLine[], options: JudgeOptions = {}): JudgeResult {
  const scan = new AttributionScan();
  for (const l of lines) scan.line(l);
  if (scan.needsChoices()) for (const l of lines) scan.choices(l);
  const plan = scan.plan(options.attributionWork);
  const results: JudgeResult[] = [];
  for (let i = 0; i < plan.count; i++) {
    const judge = createJudge({ ...options, attributionBound: plan.bounded });
    const a = new Attributor(plan, i);
    const [header, ...rest] = lines;
    judge.begin(header as TraceHeader);
    for (const e of rest) judge.event(a.map(e as TraceEvent));
    results.push(judge.finish());
  }
  return foldAll(results, plan);
}
