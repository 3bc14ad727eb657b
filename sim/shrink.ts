/**
 * Shrinking a failing run: the run that violated a rule is made smaller, workload and
 * interleaving, while it still violates the same rule, so that what a person reads is the race
 * and little else. Greedy delta debugging, in passes until nothing more shrinks or the budget of
 * runs is spent:
 *
 * - the workload: drop a call, a client action, a sink or an SWbemSink nobody uses; lower a
 *   call's object count, a method's duration, a slow sink's delay. A reference in `after` to a
 *   dropped call is dropped with it. A candidate that is not a valid workload is not run.
 * - the interleaving: the run's choice list (which enabled step was taken at each step; past its
 *   end the first enabled step is taken) loses chunks, halves down to single choices, then each
 *   choice is lowered to 0, else by one.
 *
 * Every candidate is run (sim/run.ts `runOnce`) and kept only when it violates the same rule; an
 * interleaving candidate must also not lengthen the run. Everything is in a fixed order and each
 * run is a pure function of its inputs, so the same failing run always shrinks to the same
 * result. The shrunk run's replay token lists every choice, so `wbemsim replay` reproduces it.
 */
import type { BrokerAdapter } from './broker-adapter.ts';
import type { Campaign, FoldedFinding } from './campaign.ts';
import { decodeToken } from './replay-token.ts';
import { replaySpec, workloadOf } from './replay.ts';
import { runOnce, type RunResult } from './run.ts';
import { Prng } from './prng.ts';
import { RandomStrategy, type Step, type Strategy } from './strategy.ts';
import { afterCall, innerSink, type Workload } from './workload.ts';
import { parseWorkload, WorkloadError } from './workloads.ts';

/** Runs a shrink may make per failing run, when no budget is given (`--shrink-budget`). */
export const DEFAULT_SHRINK_BUDGET = 500;

/** The size of a witness: the run's steps and the workload's parts. */
export interface WitnessSize {
  /** Scheduler steps of the run (the witness length). */
  steps: number;
  calls: number;
  actions: number;
  /** Objects the providers produce, summed over the calls. */
  objects: number;
  sinks: number;
  /** Steps at which the run took another step than the first enabled one. */
  choices: number;
}

/** How a failing run was shrunk. */
export interface ShrinkReport {
  /** The rule the run violated before and after. */
  rule: string;
  before: WitnessSize;
  after: WitnessSize;
  /** Candidate runs made. */
  runs: number;
  /** The budget of runs it had. */
  budget: number;
  /** The budget ran out before a pass found nothing more to shrink: a smaller witness may exist. */
  exhausted: boolean;
  /** The replay token of the run before shrinking. */
  original: string;
}

export interface ShrinkOptions {
  impl: string;
  broker: BrokerAdapter;
  workload: Workload;
  /** The failing run's choices (every one, as `RunResult.choices` lists them). */
  choices: readonly number[];
  /** The rule it violates, which every kept candidate must violate too. */
  rule: string;
  seed: number;
  maxSteps?: number;
  watchdog?: number;
  /** Providers without virtual-time pacing, as the run to shrink had them (a token of `explore --por`). */
  untimedProviders?: boolean;
  /** Candidate runs at most (DEFAULT_SHRINK_BUDGET when absent). */
  budget?: number;
  /** Polled between steps: once it says yes, the shrink stops with what it has. */
  shouldStop?: () => boolean;
}

/** A shrunk failing run. */
export interface Shrunk {
  /** The shrunk run, with its trace; its `token` replays it. */
  run: RunResult;
  workload: Workload;
  report: Omit<ShrinkReport, 'original'>;
}

/** Random schedules a candidate workload with a part fewer gets when the old schedule no longer fails. */
const RANDOM_SCHEDULES = 8;

/** The strategy of a shrunk run: the choice list, then the first enabled step. */
const SHRUNK: Strategy = { name: 'shrunk', choose: () => 0 };

/**
 * Follows the steps a run took, by their keys rather than by their indices: at each choice point
 * the first step of `keys` not yet taken that is enabled now, else the first enabled step. After a
 * workload lost a call, the indices of the old choices no longer line up (fewer steps are enabled),
 * but the keys of the steps that remain are the same: this keeps the old race where it still exists.
 */
class FollowKeys implements Strategy {
  readonly name = 'shrunk';
  private readonly taken: boolean[];
  private from = 0;
  constructor(private readonly keys: readonly string[]) {
    this.taken = keys.map(() => false);
  }
  choose(steps: readonly Step[]): number {
    for (let q = this.from; q < this.keys.length; q++) {
      if (this.taken[q]) continue;
      const i = steps.findIndex((s) => s.key === this.keys[q]);
      if (i < 0) continue;
      this.taken[q] = true;
      while (this.from < this.keys.length && this.taken[this.from]) this.from++;
      return i;
    }
    return 0;
  }
}

/** Records the keys of the steps a strategy takes. */
class RecordKeys implements Strategy {
  readonly name: string;
  readonly keys: string[] = [];
  constructor(private readonly inner: Strategy) {
    this.name = inner.name;
  }
  choose(steps: readonly Step[]): number {
    const i = this.inner.choose(steps);
    this.keys.push(steps[i % steps.length]!.key);
    return i;
  }
}

/** The size of `w` run as `r`. */
export function witnessSize(w: Workload, r: Pick<RunResult, 'steps' | 'choices'>): WitnessSize {
  return {
    steps: r.steps, calls: w.calls.length, actions: w.actions?.length ?? 0,
    objects: w.calls.reduce((n, c) => n + (c.objects ?? 0), 0), sinks: w.sinks.length + (w.swbemsinks?.length ?? 0),
    choices: r.choices.filter((c) => c !== 0).length,
  };
}

/** `choices` without its trailing zeros: past the list's end the first enabled step is taken anyway. */
function trimmed(choices: readonly number[]): number[] {
  let n = choices.length;
  while (n > 0 && choices[n - 1] === 0) n--;
  return choices.slice(0, n);
}

/** Order of choice lists: fewer non-default choices, then shorter, then smaller first difference. */
function smallerChoices(a: readonly number[], b: readonly number[]): boolean {
  const nz = (x: readonly number[]) => x.filter((c) => c !== 0).length;
  if (nz(a) !== nz(b)) return nz(a) < nz(b);
  if (a.length !== b.length) return a.length < b.length;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! < b[i]!;
  return false;
}

/** Whether the run violated `rule` (a check's finding or a rejection by the lifecycle machine). */
export function violates(r: RunResult, rule: string): boolean {
  return r.judge.violations.some((f) => f.rule === rule);
}

/**
 * Smaller workloads than `w`, each one change away, in a fixed order: whole parts first (calls,
 * actions, then unused sinks), then smaller numbers. Each is smaller than `w` in the order
 * (calls + actions, sinks, objects, duration + delay), so that shrinking ends.
 */
export function smallerWorkloads(w: Workload): Workload[] {
  const out: Workload[] = [];
  const actions = w.actions ?? [];
  // Halves, quarters, ... of the calls first (delta debugging's chunks), then single calls.
  for (let size = Math.floor(w.calls.length / 2); size > 1; size = Math.floor(size / 2)) {
    for (let i = 0; i + size <= w.calls.length; i += size) out.push(without(w, w.calls.slice(i, i + size).map((c) => c.id)));
  }
  for (const c of w.calls) out.push(without(w, [c.id]));
  for (let i = 0; i < actions.length; i++) out.push({ ...w, actions: actions.filter((_, j) => j !== i) });
  const used = new Set<string>();
  for (const c of w.calls) {
    if (c.sink !== null) used.add(innerSink(c.sink));
    if (c.swsink !== undefined) used.add(c.swsink);
  }
  for (const a of actions) {
    if ('sink' in a && a.sink !== null) used.add(a.sink);
    if ('swsink' in a) used.add(a.swsink);
  }
  for (const s of w.sinks) if (!used.has(s.id)) out.push({ ...w, sinks: w.sinks.filter((x) => x !== s) });
  for (const s of w.swbemsinks ?? []) if (!used.has(s.id)) out.push({ ...w, swbemsinks: w.swbemsinks!.filter((x) => x !== s) });
  const lower = (n: number) => [...new Set([0, Math.floor(n / 2), n - 1])].filter((x) => x >= 0 && x < n);
  w.calls.forEach((c, i) => {
    for (const field of ['objects', 'duration'] as const) {
      const n = c[field];
      if (n === undefined) continue;
      for (const x of lower(n)) out.push({ ...w, calls: w.calls.map((d, j) => (j === i ? { ...d, [field]: x } : d)) });
    }
  });
  w.sinks.forEach((s, i) => {
    if (s.delay === undefined) return;
    for (const x of lower(s.delay)) out.push({ ...w, sinks: w.sinks.map((d, j) => (j === i ? { ...d, delay: x } : d)) });
  });
  return out;
}

/** `w` without the calls `ids`; an `after` naming one of them is dropped with it. */
function without(w: Workload, ids: readonly string[]): Workload {
  const gone = new Set(ids);
  const keep = <T extends { after?: string }>(x: T): T => (x.after === undefined || !gone.has(afterCall(x.after)) ? x : dropAfter(x));
  return { ...w, calls: w.calls.filter((c) => !gone.has(c.id)).map(keep), ...(w.actions ? { actions: w.actions.map(keep) } : {}) };
}

function dropAfter<T extends { after?: string }>(x: T): T {
  const { after: _after, ...rest } = x;
  return rest as T;
}

/** Whether `w` is a workload the simulator accepts (its schema and references). */
function valid(w: Workload): boolean {
  try {
    parseWorkload(JSON.stringify(w), 'a shrink candidate');
    return true;
  } catch (err) {
    if (err instanceof WorkloadError) return false;
    throw err;
  }
}

/**
 * Shrinks the failing run `o` describes. Undefined when the run does not violate `o.rule` to
 * begin with (nothing to shrink).
 */
export function shrinkRun(o: ShrinkOptions): Shrunk | undefined {
  const budget = o.budget ?? DEFAULT_SHRINK_BUDGET;
  let runs = 0;
  let stopped = false;
  /** The keys of the steps the last run of `attempt` took. */
  let lastKeys: string[] = [];
  const attempt = (workload: Workload, choices: readonly number[], keepTrace = false, by?: Strategy): RunResult | undefined => {
    const strategy = new RecordKeys(by ?? SHRUNK);
    const r = runOnce({
      impl: o.impl, broker: o.broker, workload, seed: o.seed, strategy, choices: by ? [] : choices,
      maxSteps: o.maxSteps, watchdog: o.watchdog, ...(o.untimedProviders ? { untimedProviders: true } : {}), keepTrace, shouldStop: o.shouldStop,
    });
    lastKeys = strategy.keys;
    if (r.end.reason === 'stopped') { stopped = true; return undefined; }
    return violates(r, o.rule) ? r : undefined;
  };
  const first = attempt(o.workload, o.choices);
  if (!first) return undefined;
  const before = witnessSize(o.workload, first);
  let cur = { workload: o.workload, choices: trimmed(first.choices), steps: first.steps, keys: lastKeys };
  const left = () => runs < budget && !stopped;
  /** Runs a candidate; keeps it when it fails on the rule and `better` says so. */
  const tryCandidate = (workload: Workload, choices: readonly number[], better: (r: RunResult, c: number[]) => boolean, by?: Strategy): boolean => {
    runs++;
    const r = attempt(workload, choices, false, by);
    if (!r) return false;
    const c = trimmed(r.choices);
    if (!better(r, c)) return false;
    cur = { workload, choices: c, steps: r.steps, keys: lastKeys };
    return true;
  };
  /** Seeded random schedules of a candidate workload, until one fails on the rule. */
  const randomSchedules = (w: Workload): boolean => {
    for (let k = 1; k <= RANDOM_SCHEDULES && left(); k++) {
      if (tryCandidate(w, [], () => true, new RandomStrategy(new Prng((o.seed ^ (k * 0x9e3779b1)) >>> 0)))) return true;
    }
    return false;
  };
  const interleavingBetter = (r: RunResult, c: number[]) => r.steps < cur.steps || (r.steps === cur.steps && smallerChoices(c, cur.choices));

  const workloadPass = (): boolean => {
    let progress = false;
    let skip = 0;
    for (;;) {
      const candidates = smallerWorkloads(cur.workload).filter(valid);
      let taken = -1;
      for (let i = skip; i < candidates.length && left(); i++) {
        // The old choices first (the same race, where the indices still line up), then the old
        // steps by their keys (the same race, where the indices moved), then none; a candidate
        // with a part fewer also gets a few seeded random schedules, since removing a part moves
        // the timing of the rest and the race may need another interleaving to show.
        const c = candidates[i]!;
        const fewerParts = c.calls.length + (c.actions?.length ?? 0) < cur.workload.calls.length + (cur.workload.actions?.length ?? 0);
        if (tryCandidate(c, cur.choices, () => true)
          || (cur.choices.length > 0 && left() && tryCandidate(c, [], () => true, new FollowKeys(cur.keys)))
          || (cur.choices.length > 0 && left() && tryCandidate(c, [], () => true))
          || (fewerParts && randomSchedules(c))) { taken = i; break; }
      }
      if (taken < 0) return progress;
      progress = true;
      skip = taken;
    }
  };

  const choicePass = (): boolean => {
    let progress = false;
    for (let size = Math.max(1, Math.floor(cur.choices.length / 2)); size >= 1 && left(); size = size === 1 ? 0 : Math.max(1, Math.floor(size / 2))) {
      for (let i = 0; i < cur.choices.length && left();) {
        const candidate = [...cur.choices.slice(0, i), ...cur.choices.slice(i + size)];
        if (tryCandidate(cur.workload, candidate, interleavingBetter)) progress = true;
        else i += size;
      }
    }
    for (let i = 0; i < cur.choices.length && left(); i++) {
      const c = cur.choices[i]!;
      if (c === 0) continue;
      const lowered = (v: number) => cur.choices.map((x, j) => (j === i ? v : x));
      if (tryCandidate(cur.workload, lowered(0), interleavingBetter)) { progress = true; continue; }
      if (c > 1 && left() && tryCandidate(cur.workload, lowered(c - 1), interleavingBetter)) progress = true;
    }
    return progress;
  };

  let exhausted = false;
  for (;;) {
    const a = workloadPass();
    const b = choicePass();
    if (!a && !b) break;
    if (!left()) { exhausted = !stopped; break; }
  }
  if (!stopped && runs >= budget) exhausted = true;
  // The shrunk run once more, with its trace: what a report shows and the token replays.
  const run = attempt(cur.workload, cur.choices, true);
  if (!run) return undefined;
  return { run, workload: cur.workload, report: { rule: o.rule, before, after: witnessSize(cur.workload, run), runs, budget, exhausted } };
}

/**
 * Shrinks the failing run of a replay token with `broker`: the token's run is replayed for its
 * choices, then shrunk on `rule`. Undefined when the token's run does not violate `rule`.
 */
export function shrinkToken(token: string, broker: BrokerAdapter, rule: string, options: { budget?: number; shouldStop?: () => boolean } = {}): (Shrunk & { report: ShrinkReport }) | undefined {
  const spec = decodeToken(token);
  const workload = workloadOf(spec);
  const original = replaySpec(spec, workload, broker, false, options.shouldStop);
  if (original.end.reason === 'stopped' || !violates(original, rule)) return undefined;
  const shrunk = shrinkRun({
    impl: spec.impl, broker, workload, choices: original.choices, rule, seed: spec.seed,
    maxSteps: spec.maxSteps, watchdog: spec.watchdog, ...(spec.untimedProviders ? { untimedProviders: true } : {}), budget: options.budget, shouldStop: options.shouldStop,
  });
  return shrunk && { ...shrunk, report: { ...shrunk.report, original: token } };
}

/**
 * A campaign whose violations are each shown by their shrunk witness: the finding's events,
 * explanation, replay token and steps are the shrunk run's, and `shrink` gives the sizes before
 * and after. The trace the campaign kept for its first violation becomes the shrunk run's.
 * Warnings, lint and inconclusive findings are left as found. `broker` serves every run.
 */
export function shrinkCampaign(c: Campaign, broker: BrokerAdapter, options: { budget?: number; shouldStop?: () => boolean } = {}): Campaign {
  let trace = c.trace;
  let traceOf = c.traceOf;
  const violations = c.violations.map((f, i) => {
    if (!f.replay || options.shouldStop?.()) return f;
    const s = shrinkToken(f.replay, broker, f.rule, options);
    const g = s?.run.judge.violations.find((v) => v.rule === f.rule);
    if (!s || !g) return f;
    if (i === 0 && trace && traceOf?.token === f.replay) {
      trace = s.run.trace;
      traceOf = { ...traceOf, token: s.run.token };
    }
    return withShrunkWitness(f, { events: g.events, explanation: g.explanation, ...(g.derivedFrom ? { derivedFrom: g.derivedFrom } : {}), replay: s.run.token, steps: s.run.steps, shrink: s.report });
  });
  return { ...c, violations, ...(trace ? { trace } : {}), ...(traceOf ? { traceOf } : {}) };
}

/** Finding `f` shown by its shrunk witness: the shrunk run's events, explanation, token and steps, and the sizes before and after. */
export function withShrunkWitness<F extends FoldedFinding>(f: F, w: { events: readonly number[]; explanation: string; derivedFrom?: string; replay: string; steps: number; shrink: ShrinkReport }): F {
  const { derivedFrom: _d, ...rest } = f;
  return {
    ...rest, events: [...w.events], explanation: w.explanation, ...(w.derivedFrom ? { derivedFrom: w.derivedFrom } : {}),
    replay: w.replay, steps: w.steps, shrink: w.shrink,
  } as F;
}
