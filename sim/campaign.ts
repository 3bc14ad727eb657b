/**
 * A campaign: many runs of one implementation over workloads, with their verdicts folded into
 * one result that reports render (text, JSON, later HTML/Markdown/JUnit). Wall-clock figures sit
 * in the separate `wall` field, which determinism tests ignore.
 */
import { BrokerFailure, Interrupted, type BrokerAdapter, type BrokerFactory } from './broker-adapter.ts';
import type { Finding, RuleResult, Verdict } from '../specs/check.ts';
import type { TraceLine } from '../trace/event.ts';
import { compiledMachine } from '../specs/compiled-machine.ts';
import { Coverage } from '../specs/monitor.ts';
import { explore } from './explorer.ts';
import { runOnce, tokenOfRun, type RunResult } from './run.ts';
import type { ClientModel } from './client-api.ts';
import { makeStrategy, type StrategyName } from './strategies.ts';
import { ChoiceListStrategy, type Strategy } from './strategy.ts';
import { portfolioRun, SwarmPlan, type SwarmTarget } from './swarm.ts';
import type { Workload } from './workload.ts';
import { withShrunkWitness, type ShrinkReport } from './shrink.ts';

/** `portfolio` rotates strategies per run (sim/swarm.ts); the others are one strategy for every run. */
export type CampaignStrategy = StrategyName | 'portfolio';

/** A scenario of the conformance suite as a campaign runs it: its workload and pinned choices. */
export interface SuiteScenario {
  name: string;
  workload: Workload;
  choices?: readonly number[];
  /** The client model the scenario names. */
  client?: ClientModel;
}

/** The conformance suite's part of a campaign: scenarios, then the swarm, and what each covered. */
export interface SuiteSummary {
  scenarios: number;
  swarmRuns: number;
  /** Rules exercised (a verdict other than `not exercised`) by at least one scenario run. */
  byScenario: string[];
  /** Rules exercised by the swarm's runs and by no scenario. */
  onlyByCampaign: string[];
  /** Rules no run exercised. */
  notCovered: string[];
  /** What the steering aimed the generator at, and whether a later run reached it. */
  targets: SwarmTarget[];
  /** Swarm runs per strategy of the portfolio (`pct:3`). */
  strategies: Record<string, number>;
}
import { decideOutcome } from '../report/result.ts';

export interface CampaignOptions {
  /** A client model playing every workload instead of the workload's own client. */
  client?: ClientModel;
  impl: string;
  factory: BrokerFactory;
  workloads: Workload[];
  strategy: CampaignStrategy;
  /** Scenarios run first, once each, with their pinned choices (the conformance suite). */
  scenarios?: SuiteScenario[];
  /** Runs of the swarm campaign after the scenarios and the workloads: each on a generated workload. */
  swarm?: number;
  depth?: number;
  seed: number;
  runs: number;
  maxSteps?: number;
  watchdog?: number;
  /**
   * The wall clock (milliseconds), supplied by the caller: the simulator never reads one itself.
   * With `timeBudgetMs` it cuts the campaign short; it also fills `wall`. Without it `wall.ms` is 0.
   */
  clock?: () => number;
  timeBudgetMs?: number;
  /**
   * Keep one run's whole trace: the run the report shows for its first violation (that rule's
   * shortest witness, with the same event numbers), else the first run that ended in a broker
   * failure, else the first run.
   */
  keepTraceOf?: 'shown';
  /** `exhaustive`: distinct states per workload after which its exploration stops (incomplete). */
  maxStates?: number;
  /**
   * A stop request from outside (a signal), polled between steps: once it says yes the campaign
   * ends at once, drops the run it cut, and reports the runs finished as a partial result.
   */
  interrupted?: () => boolean;
  /**
   * Told after each run is folded in: runs so far, steps, and distinct rules violated so far (for
   * a progress line; it changes nothing in the campaign).
   */
  onRun?: (p: { runs: number; steps: number; violations: number }) => void;
}

/** A rule's verdict folded over all runs, with how many runs gave each verdict. */
export interface RuleTally {
  rule: string;
  kind: RuleResult['kind'];
  party: RuleResult['party'];
  verdict: Verdict;
  counts: Partial<Record<Verdict, number>>;
  reason?: string;
}

/** A finding folded over runs: the first occurrence, and in how many runs the rule gave it. */
export interface FoldedFinding extends Finding {
  workload: string;
  /** In how many runs the rule gave this finding. */
  runs: number;
  /** Scheduler steps of the run shown: the shortest run that gave the finding (the minimal interleaving found). */
  steps: number;
  /** Set when the run shown was shrunk (sim/shrink.ts): its sizes before and after. */
  shrink?: ShrinkReport;
}

export interface Campaign {
  impl: string;
  strategy: string;
  seed: number;
  workloads: string[];
  runs: number;
  /** Runs meant to be made: runs per workload × workloads, or the runs made under `exhaustive`. */
  planned: number;
  steps: number;
  /** No `must` rule violated and no broker failure (decided by report/result.ts). */
  conformant: boolean;
  /** Runs that did not run to their end: stopped by `maxSteps` or the time budget, or never made. */
  cut: number;
  /** Explorations (`exhaustive`) that did not cover their whole space, skipped ones included. */
  incomplete: number;
  /** No run cut and no exploration incomplete: only then does a pass mean a pass. */
  conclusive: boolean;
  violations: FoldedFinding[];
  warnings: FoldedFinding[];
  lint: FoldedFinding[];
  inconclusive: FoldedFinding[];
  advice: string[];
  rules: RuleTally[];
  ends: Record<string, number>;
  /**
   * Runs that ended in a deadlock: per workload (at most MAX_DEADLOCKS_SHOWN workloads), the first
   * such run, its detail (what waited on what) and how many runs of the workload deadlocked.
   */
  deadlocks?: { workload: string; seed: number; token: string; detail: string; runs: number }[];
  /** Runs that ended because the broker process failed (crash, hang, protocol), with the reason. */
  brokerFailures: { workload: string; seed: number; reason: string; detail?: string; token: string }[];
  coverage: { states: number; statesTotal: number; transitions: number; transitionsTotal: number; unreachedStates: string[]; unreachedTransitions: string[] };
  /** Set when --time-budget cut the campaign short. */
  budgetExhausted: boolean;
  /** Set when a stop request ended the campaign: everything in it covers only the runs finished. */
  interrupted?: boolean;
  /** Set when the campaign stopped because the broker kept failing, with why. */
  gaveUp?: string;
  /** The conformance suite's summary, when the campaign ran scenarios or a swarm. */
  suite?: SuiteSummary;
  /** `exhaustive`: per workload, the size of the space explored and whether it was covered whole. */
  explorations?: { workload: string; states: number; transitions: number; runs: number; complete: boolean; cut?: string }[];
  trace?: TraceLine[];
  /** Which run `trace` is. */
  traceOf?: { workload: string; seed: number; token: string };
  /** Wall-clock figures: never part of determinism. */
  wall: { ms: number };
}

const ORDER: Verdict[] = ['violated', 'inconclusive', 'used', 'held', 'not judged', 'not exercised'];

/** Workloads whose deadlock a campaign keeps; the runs of the others are counted in `ends` alone. */
export const MAX_DEADLOCKS_SHOWN = 5;

/** Consecutive runs ending in a broker failure after which a campaign stops. */
const GIVE_UP_AFTER = 3;

/**
 * Runs per swarm segment. The swarm is cut into segments of this many runs (the last one
 * shorter), and each segment is steered on its own: the steering of a run depends only on the
 * earlier runs of its segment. A segment is the smallest piece of the swarm a shard takes, so a
 * sharded campaign makes exactly the runs of the whole one (docs/campaign.md, "Sharding").
 */
export const SWARM_SEGMENT = 100;

/**
 * The part `k` of `n` (1-based) a shard of a campaign makes; `within` splits that part again
 * (the worker threads of one shard).
 */
export interface ShardSpec { k: number; n: number; within?: ShardSpec }

/** The swarm's segments: where each starts and how many runs it has. */
export function swarmSegments(total: number): { start: number; runs: number }[] {
  const out: { start: number; runs: number }[] = [];
  for (let start = 0; start < total; start += SWARM_SEGMENT) out.push({ start, runs: Math.min(SWARM_SEGMENT, total - start) });
  return out;
}

/**
 * The units a campaign is split into, in order: each scenario, each (workload, seed) run (each
 * workload under `exhaustive`), each swarm segment. Unit u belongs to shard (u mod n) + 1.
 */
export function campaignUnits(o: Pick<CampaignOptions, 'scenarios' | 'workloads' | 'strategy' | 'runs' | 'swarm'>): number {
  const exhaustive = o.strategy === 'exhaustive';
  return (o.scenarios?.length ?? 0) + o.workloads.length * (exhaustive ? 1 : o.runs) + (exhaustive ? 0 : swarmSegments(o.swarm ?? 0).length);
}

/** Whether unit `u` is this shard's (every unit is when the campaign is not sharded). */
export function owns(shard: ShardSpec | undefined, u: number): boolean {
  return !shard || (u % shard.n === shard.k - 1 && owns(shard.within, Math.floor(u / shard.n)));
}

/**
 * What a campaign keeps of one run: everything its fold reads, and nothing more (the trace only
 * while the run is folded where it was made). A campaign is the fold of its runs' records in the
 * order `at`, so shards' records fold into the same campaign as one machine's.
 */
export interface RunRecord {
  /** The run's place in the whole campaign: [0, scenario], [1, workload, run], [2, swarm run]. */
  at: number[];
  /** The campaign's workload the run belongs to (a generated one for the swarm). */
  workload: string;
  /** The workload name the run reported. */
  runWorkload: string;
  seed: number;
  /** Findings are grouped per rule and this (the workload, or `swarm`). */
  group: string;
  kind: 'scenario' | 'workload' | 'swarm';
  /** Swarm runs: the strategy as the summary counts it. */
  label?: string;
  /** The run's replay token; '' for a run no report shows (no finding, a quiescent end, no trace kept). */
  token: string;
  steps: number;
  end: RunResult['end'];
  findings: Record<'violations' | 'warnings' | 'lint' | 'inconclusive', Finding[]>;
  advice: string[];
  results: Omit<RuleResult, 'findings' | 'more'>[];
  /** Indices of the lifecycle machine's state nodes and transitions the run reached. */
  nodes: number[];
  transitions: number[];
  /** The run's trace was kept (`keepTraceOf`); `trace` holds it while the run is folded in place. */
  traced: boolean;
  trace?: TraceLine[];
}

/** The record of run `r`. */
export function recordOf(r: RunResult, at: number[], workload: string, seed: number, group: string, kind: RunRecord['kind'], label?: string): RunRecord {
  const indices = (a: ArrayLike<number>) => { const out: number[] = []; for (let i = 0; i < a.length; i++) if (a[i]) out.push(i); return out; };
  // A report shows the token of a run with a finding, a broker failure, a deadlock or a kept trace,
  // and never another's: a clean run keeps none, also in a shard's records (a shard or a worker
  // would otherwise compress the workload of every run). The others' are encoded when first read.
  const j = r.judge;
  const shown = r.end.reason !== 'quiescent' || r.trace !== undefined || r.monitor.length > 0
    || j.violations.length + j.warnings.length + j.lint.length + j.inconclusive.length > 0;
  // A record outlives its run (a shard keeps every record for the merge): it holds nothing of the
  // run but what it lists, and the token maker, which holds only the run's replay spec.
  const tokenOf = shown ? tokenOfRun(r) : undefined;
  return {
    at, workload, runWorkload: r.workload, seed, group, kind, ...(label !== undefined ? { label } : {}), get token() { return tokenOf ? tokenOf() : ''; }, steps: r.steps, end: r.end,
    findings: { violations: r.judge.violations, warnings: r.judge.warnings, lint: r.judge.lint, inconclusive: r.judge.inconclusive },
    advice: r.judge.advice,
    results: ruleOutcomes(r.judge.results),
    nodes: indices(r.monitorCoverage.nodes), transitions: indices(r.monitorCoverage.transitions), traced: r.trace !== undefined, ...(r.trace ? { trace: r.trace } : {}),
  };
}

/**
 * Rule outcomes as records list them, one shared object per distinct outcome, found by rule, then
 * verdict, then reason (a rule's kind and party never change), without building a key per lookup.
 */
const outcomes = new Map<string, Map<string, Map<string | undefined, RunRecord['results'][number]>>>();
const MAX_OUTCOMES = 10_000;
let outcomeCount = 0;

/**
 * A rule's outcome in a record: the same few outcomes recur in every run, so records share one
 * frozen object each (a shard keeps thousands of records, and hands them over in one message).
 */
function ruleOutcome(x: RuleResult): RunRecord['results'][number] {
  let byVerdict = outcomes.get(x.rule);
  if (!byVerdict) outcomes.set(x.rule, (byVerdict = new Map()));
  let byReason = byVerdict.get(x.verdict);
  if (!byReason) byVerdict.set(x.verdict, (byReason = new Map()));
  let o = byReason.get(x.reason);
  if (!o) {
    o = Object.freeze({ rule: x.rule, kind: x.kind, party: x.party, verdict: x.verdict, ...(x.reason !== undefined ? { reason: x.reason } : {}) });
    if (outcomeCount < MAX_OUTCOMES) { byReason.set(x.reason, o); outcomeCount++; }
  }
  return o;
}

/**
 * The outcomes of one run's rules. The judge lists its rules in the same order in every run, and a
 * rule's outcome is mostly the one it had in the run before: that one is tried first, by position,
 * before the maps of `ruleOutcome`.
 */
function ruleOutcomes(results: readonly RuleResult[]): RunRecord['results'] {
  const out: RunRecord['results'][number][] = [];
  for (let i = 0; i < results.length; i++) {
    const x = results[i]!;
    const last = lastOutcomes[i];
    if (last !== undefined && last.rule === x.rule && last.verdict === x.verdict && last.reason === x.reason) out.push(last);
    else out.push((lastOutcomes[i] = ruleOutcome(x)));
  }
  return out;
}
const lastOutcomes: (RunRecord['results'][number] | undefined)[] = [];

const FINDING_LISTS = ['violations', 'warnings', 'lint', 'inconclusive'] as const;

/**
 * A part's records (a shard's or a worker's, in the campaign's order), slimmed to what a merge of
 * them can show. A merge shows, per finding, the run that gave it with the fewest steps, the first
 * such in the campaign's order, which is the first shortest of its own part too; the first
 * deadlock of a workload, likewise; every broker failure; a kept trace's run. So the other runs'
 * replay tokens are cleared (a token holds its run's workload, and encoding one compresses it),
 * and their findings become counted-only stubs: the merge counts them and never shows them. A
 * record is slimmed when it is added, as far as it is known then (a run that is not the shortest
 * so far of a finding never will be); `records()` slims the runs a later, shorter one displaced.
 */
class PartRecords {
  private readonly list: RunRecord[] = [];
  /** Per finding (list, rule and group): the part's first shortest run so far. */
  private readonly best = new Map<string, RunRecord>();
  private readonly deadlocked = new Set<string>();
  /** Runs whose token the merge may show whatever comes later: failures, kept traces, first deadlocks. */
  private readonly always = new Set<RunRecord>();
  private readonly advised = new Set<string>();

  add(r: RunRecord): void {
    this.list.push(r);
    if (isFailure(r.end.reason) || r.traced) this.always.add(r);
    if (r.end.reason === 'deadlock' && !this.deadlocked.has(r.runWorkload)) { this.deadlocked.add(r.runWorkload); this.always.add(r); }
    for (const list of FINDING_LISTS) {
      for (const f of r.findings[list]) {
        const k = findingKey(list, f, r);
        const b = this.best.get(k);
        if (!b || r.steps < b.steps) this.best.set(k, r);
      }
    }
    this.slim(r);
    // The merge lists each piece of advice once, where it first came: an earlier run of this part
    // comes earlier in the campaign too.
    if (r.advice.length) {
      r.advice = r.advice.filter((a) => !this.advised.has(a));
      for (const a of r.advice) this.advised.add(a);
    }
  }

  /** The records, every one slimmed to what the merge can show. */
  records(): RunRecord[] {
    for (const r of this.list) this.slim(r);
    return this.list;
  }

  private slim(r: RunRecord): void {
    let shown = this.always.has(r);
    const findings = { ...r.findings };
    for (const list of FINDING_LISTS) {
      if (!r.findings[list].length) continue;
      // A run's later findings of a rule already listed are not counted again: left out.
      const listed = new Set<string>();
      findings[list] = r.findings[list].flatMap((f) => {
        if (this.best.get(findingKey(list, f, r)) === r) {
          shown = true;
          return [f];
        }
        if (listed.has(f.rule)) return [];
        listed.add(f.rule);
        return [countedOnly(f)];
      });
    }
    r.findings = findings;
    // Defined over the getter without reading it: reading would encode the token.
    if (!shown) Object.defineProperty(r, 'token', { value: '', enumerable: true, configurable: true, writable: true });
  }
}

/** A finding's place in the fold: its list, its rule and the run's group. */
function findingKey(list: string, f: Finding, r: RunRecord): string {
  return `${list}|${f.rule}@${r.group}`;
}

/** Counted-only stand-ins of findings, one per rule and verdict. */
const stubs = new Map<string, Finding>();
const stubKey = (f: Finding) => `${f.rule}\u0000${f.verdict}`;

/**
 * What a merge reads of a finding it counts but never shows: its rule (with its kind, party and
 * verdict); no events, explanation, citation or token.
 */
function countedOnly(f: Finding): Finding {
  const key = stubKey(f);
  let stub = stubs.get(key);
  if (!stub) {
    stub = Object.freeze({ rule: f.rule, kind: f.kind, party: f.party, verdict: f.verdict, events: [], explanation: '', citation: { page: '', phrase: '' } });
    stubs.set(key, stub);
  }
  return stub;
}

/** Compares two records' places in the campaign. */
export function compareAt(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

const isFailure = (reason: string) => reason === 'crash' || reason === 'timeout' || reason === 'protocol-error';

/** What a campaign's fold needs to know of the campaign besides its runs. */
export type FoldOptions = Pick<CampaignOptions, 'impl' | 'strategy' | 'seed' | 'runs' | 'swarm'> & { workloads: string[]; scenarios?: number; onRun?: CampaignOptions['onRun'] };

/** How the fold of a campaign ended, besides its runs. */
export interface FoldEnd {
  budgetExhausted: boolean;
  interrupted: boolean;
  gaveUp?: string;
  /** `exhaustive`: the explorations, in the campaign's order. */
  explorations?: NonNullable<Campaign['explorations']>;
  /** Runs meant to be made (for the cut count when the budget ran out). */
  planned: number;
  wallMs: number;
}

/**
 * A campaign's runs folded in order: the one place that turns runs into a campaign, used while
 * the runs are made and again when shards' records are merged.
 */
export class CampaignFold {
  private readonly m = compiledMachine();
  private readonly coverage = new Coverage(this.m.stateNodes.length, this.m.transitions.length);
  private readonly folded = { violations: new Map<string, FoldedFinding>(), warnings: new Map<string, FoldedFinding>(), lint: new Map<string, FoldedFinding>(), inconclusive: new Map<string, FoldedFinding>() };
  private readonly tallies = new Map<string, RuleTally>();
  private readonly advice = new Set<string>();
  private readonly ends: Record<string, number> = {};
  private readonly deadlocks = new Map<string, NonNullable<Campaign['deadlocks']>[number]>();
  readonly brokerFailures: Campaign['brokerFailures'] = [];
  runs = 0;
  private steps = 0;
  private cutRuns = 0;
  /** Runs in a row, up to the last one folded, that ended in a broker failure. */
  failStreak = 0;
  /** A run folded in was stopped by the time budget. */
  budgetHit = false;
  private trace: TraceLine[] | undefined;
  private traceOf: Campaign['traceOf'];
  private traceIsFailure = false;
  private scenarioRuns = 0;
  private swarmRuns = 0;
  private readonly byScenario = new Set<string>();
  private readonly bySwarm = new Set<string>();
  private readonly strategies: Record<string, number> = {};
  private readonly plans = new Map<number, { start: number; plan: SwarmPlan }>();

  constructor(private readonly o: FoldOptions, private readonly strategyOf?: (i: number, seed: number, w: Workload) => { strategy: Strategy; depth?: number; label: string }) {}

  /** The plan of swarm segment `s` (its steering is fed the segment's runs as they are folded). */
  plan(s: number): SwarmPlan {
    let p = this.plans.get(s);
    if (!p) {
      const seg = swarmSegments(this.o.swarm ?? 0)[s]!;
      const strategyOf = this.strategyOf;
      const plan = strategyOf ? new SwarmPlan(this.o.seed + seg.start, seg.runs, (i, seed, w) => strategyOf(seg.start + i, seed, w)) : new SwarmPlan(this.o.seed + seg.start, seg.runs);
      this.plans.set(s, (p = { start: seg.start, plan }));
    }
    return p.plan;
  }

  /** Folds in one run. */
  absorb(rec: RunRecord): void {
    this.runs++;
    const failure = isFailure(rec.end.reason);
    this.failStreak = failure ? this.failStreak + 1 : 0;
    this.steps += rec.steps;
    this.ends[rec.end.reason] = (this.ends[rec.end.reason] ?? 0) + 1;
    if (rec.end.reason === 'stopped') this.budgetHit = true;
    if (rec.end.reason === 'bound' || rec.end.reason === 'stopped') this.cutRuns++;
    if (failure) this.brokerFailures.push({ workload: rec.workload, seed: rec.seed, reason: rec.end.reason, detail: rec.end.detail, token: rec.token });
    if (rec.end.reason === 'deadlock') {
      const d = this.deadlocks.get(rec.runWorkload);
      if (d) d.runs++;
      else if (this.deadlocks.size < MAX_DEADLOCKS_SHOWN) this.deadlocks.set(rec.runWorkload, { workload: rec.runWorkload, seed: rec.seed, token: rec.token, detail: rec.end.detail ?? '', runs: 1 });
    }
    fold(rec, this.folded, this.tallies, this.advice);
    for (const i of rec.nodes) this.coverage.nodes[i] = 1;
    for (const i of rec.transitions) this.coverage.transitions[i] = 1;
    this.o.onRun?.({ runs: this.runs, steps: this.steps, violations: new Set([...this.folded.violations.values()].map((f) => f.rule)).size });
    if (rec.traced) {
      // The trace kept is the run the report shows: the first violation's current witness.
      const shown = this.folded.violations.values().next().value;
      const keep = shown ? shown.replay === rec.token && this.traceOf?.token !== rec.token : this.traceOf === undefined || (failure && !this.traceIsFailure);
      if (keep) {
        this.trace = rec.trace;
        this.traceOf = { workload: rec.workload, seed: rec.seed, token: rec.token };
        this.traceIsFailure = failure;
      }
    }
    if (rec.kind === 'scenario') {
      this.scenarioRuns++;
      for (const res of rec.results) if (res.verdict !== 'not exercised') this.byScenario.add(res.rule);
    } else if (rec.kind === 'swarm' && rec.end.reason !== 'stopped') {
      this.swarmRuns++;
      this.strategies[rec.label!] = (this.strategies[rec.label!] ?? 0) + 1;
      for (const res of rec.results) if (res.verdict !== 'not exercised') this.bySwarm.add(res.rule);
      const taken = new Uint8Array(this.m.transitions.length);
      for (const i of rec.transitions) taken[i] = 1;
      this.plan(Math.floor(rec.at[1]! / SWARM_SEGMENT)).observe(rec.results as RuleResult[], taken);
    }
  }

  /** The campaign folded so far. */
  finish(end: FoldEnd): Campaign {
    const o = this.o;
    const rules = [...this.tallies.values()];
    const targets: SwarmTarget[] = [...this.plans.entries()].sort((a, b) => a[0] - b[0]).flatMap(([, { start, plan }]) =>
      plan.steering.targets.map((t) => ({ ...t, from: t.from + start, ...(t.reachedAt !== undefined ? { reachedAt: t.reachedAt + start } : {}) })));
    const suite: SuiteSummary | undefined = o.scenarios !== undefined || o.swarm ? {
      scenarios: this.scenarioRuns, swarmRuns: this.swarmRuns,
      byScenario: [...this.byScenario].sort(),
      onlyByCampaign: [...this.bySwarm].filter((r) => !this.byScenario.has(r)).sort(),
      notCovered: rules.map((t) => t.rule).filter((r) => !this.byScenario.has(r) && !this.bySwarm.has(r)).sort(),
      targets, strategies: this.strategies,
    } : undefined;
    const exhaustive = o.strategy === 'exhaustive';
    const explorations = end.explorations ?? [];
    const budgetExhausted = end.budgetExhausted;
    // Runs (or explorations) never made count as cut only when a bound stopped them: a campaign
    // that gave up on a failing broker has its verdict already.
    const outcome = decideOutcome({
      violations: [...this.folded.violations.values()], brokerFailures: this.brokerFailures.length, runs: this.runs,
      planned: !exhaustive && budgetExhausted ? end.planned : this.runs, cutRuns: this.cutRuns,
      incomplete: exhaustive ? explorations.filter((x) => !x.complete).length + (budgetExhausted ? end.planned - explorations.length : 0) : 0,
    });
    const m = this.m;
    const nodes = m.stateNodes.filter((_, i) => !this.coverage.nodes[i]);
    const transitions = m.transitions.filter((_, i) => !this.coverage.transitions[i]).map((t) => t.id);
    return {
      impl: o.impl, strategy: o.strategy, seed: o.seed, workloads: o.workloads, runs: this.runs, planned: outcome.planned, steps: this.steps,
      conformant: outcome.conformant, cut: outcome.cut, incomplete: outcome.incomplete, conclusive: outcome.conclusive,
      violations: [...this.folded.violations.values()], warnings: [...this.folded.warnings.values()],
      lint: [...this.folded.lint.values()], inconclusive: [...this.folded.inconclusive.values()], advice: [...this.advice],
      rules, ends: this.ends, ...(this.deadlocks.size ? { deadlocks: [...this.deadlocks.values()].map((d) => ({ ...d })) } : {}), brokerFailures: this.brokerFailures,
      coverage: {
        states: m.stateNodes.length - nodes.length, statesTotal: m.stateNodes.length,
        transitions: m.transitions.length - transitions.length, transitionsTotal: m.transitions.length,
        unreachedStates: nodes, unreachedTransitions: transitions,
      },
      budgetExhausted, ...(end.interrupted ? { interrupted: true } : {}), ...(end.gaveUp ? { gaveUp: end.gaveUp } : {}), ...(exhaustive ? { explorations } : {}), ...(suite ? { suite } : {}),
      trace: this.trace, ...(this.traceOf ? { traceOf: this.traceOf } : {}), wall: { ms: end.wallMs },
    };
  }
}

/** What a shard hands to the merge besides its campaign: its runs' records and how its part ended. */
export interface ShardPart {
  records: RunRecord[];
  /** `exhaustive`: this shard's explorations, with the workload's index in the campaign. */
  explorations: { index: number; exploration: NonNullable<Campaign['explorations']>[number] }[];
  budgetExhausted: boolean;
  interrupted: boolean;
  gaveUp?: string;
  /** Units of the campaign (campaignUnits) this shard made none of because the budget ran out or a stop came. */
  planned: number;
}

/** A violation's shrunk witness, as the shard that found the run shrank it (sim/shrink.ts). */
export interface ShrunkPiece {
  rule: string;
  /** The replay token of the run as found. */
  from: string;
  events: number[];
  explanation: string;
  derivedFrom?: string;
  replay: string;
  steps: number;
  shrink: ShrinkReport;
}

/** The whole campaign's parts, from every shard: what the merge folds. */
export interface CampaignParts {
  options: FoldOptions;
  parts: ShardPart[];
  /** The shrunk witnesses every shard found. */
  shrunk: ShrunkPiece[];
  wallMs: number;
}

/**
 * The campaign that the shards' parts make together: their records folded in the campaign's
 * order by the same fold as one machine's run, then each violation shown by the witness its shard
 * shrank. A witness is a run's own: the shortest run of a finding (the first such in the
 * campaign's order) is the shortest of its shard too, so its shard shrank it, to the same run.
 */
export function mergeCampaign(c: CampaignParts): Campaign {
  const f = new CampaignFold(c.options);
  const records = c.parts.flatMap((p) => p.records).sort((a, b) => compareAt(a.at, b.at));
  let gaveUp = c.parts.find((p) => p.gaveUp)?.gaveUp;
  for (const r of records) {
    f.absorb(r);
    // The whole campaign stops where three runs in a row, in its order, failed.
    if (c.options.strategy !== 'exhaustive' && f.failStreak >= GIVE_UP_AFTER) { gaveUp = `stopped after ${GIVE_UP_AFTER} runs in a row ended in a broker failure`; break; }
  }
  const explorations = c.parts.flatMap((p) => p.explorations).sort((a, b) => a.index - b.index).map((x) => x.exploration);
  const campaign = f.finish({
    budgetExhausted: c.parts.some((p) => p.budgetExhausted) || f.budgetHit, interrupted: c.parts.some((p) => p.interrupted),
    ...(gaveUp ? { gaveUp } : {}), ...(c.options.strategy === 'exhaustive' ? { explorations } : {}),
    planned: c.parts.reduce((n, p) => n + p.planned, 0), wallMs: c.wallMs,
  });
  let traceOf = campaign.traceOf;
  const violations = campaign.violations.map((v, i) => {
    const piece = c.shrunk.find((s) => s.from === v.replay && s.rule === v.rule);
    if (!piece) return v;
    if (i === 0 && traceOf && traceOf.token === v.replay) traceOf = { ...traceOf, token: piece.replay };
    return withShrunkWitness(v, piece);
  });
  return { ...campaign, violations, ...(traceOf ? { traceOf } : {}) };
}

/** The shrunk witnesses of `shrunk`, the campaign `found` after its shrink. */
export function shrunkPieces(found: Campaign, shrunk: Campaign): ShrunkPiece[] {
  const out: ShrunkPiece[] = [];
  found.violations.forEach((f, i) => {
    const g = shrunk.violations[i];
    if (!g?.shrink || !f.replay || !g.replay) return;
    out.push({ rule: f.rule, from: f.replay, events: g.events, explanation: g.explanation, ...(g.derivedFrom ? { derivedFrom: g.derivedFrom } : {}), replay: g.replay, steps: g.steps, shrink: g.shrink });
  });
  return out;
}

/** The runs (explorations under `exhaustive`) the shard `shard` of a campaign is meant to make (all of them without one). */
export function plannedRuns(o: Pick<CampaignOptions, 'scenarios' | 'workloads' | 'strategy' | 'runs' | 'swarm'>, shard?: ShardSpec): number {
  const exhaustive = o.strategy === 'exhaustive';
  const scenarioCount = o.scenarios?.length ?? 0;
  let planned = 0;
  o.scenarios?.forEach((_, j) => { if (owns(shard, j)) planned++; });
  for (let w = 0; w < o.workloads.length; w++) {
    if (exhaustive) { if (owns(shard, scenarioCount + w)) planned++; continue; }
    for (let i = 0; i < o.runs; i++) if (owns(shard, scenarioCount + w * o.runs + i)) planned++;
  }
  const segmentBase = scenarioCount + (exhaustive ? o.workloads.length : o.workloads.length * o.runs);
  if (!exhaustive) swarmSegments(o.swarm ?? 0).forEach((s, j) => { if (owns(shard, segmentBase + j)) planned += s.runs; });
  return planned;
}

/** What the fold of campaign `o` is told of it (the same for every shard of it). */
export function foldOptionsOf(o: Pick<CampaignOptions, 'impl' | 'strategy' | 'seed' | 'runs' | 'swarm' | 'scenarios'> & { workloads: readonly { name: string }[] }): FoldOptions {
  return { impl: o.impl, strategy: o.strategy, seed: o.seed, runs: o.runs, ...(o.swarm !== undefined ? { swarm: o.swarm } : {}), workloads: o.workloads.map((w) => w.name), ...(o.scenarios ? { scenarios: o.scenarios.length } : {}) };
}

export function runMany(o: CampaignOptions): Campaign {
  return runCampaign(o).campaign;
}

/**
 * Makes the campaign's runs (those of `o.shard` only, when set) and folds them; hands back the
 * campaign and, for a merge, the runs' records (`keepRecords`).
 */
export function runCampaign(o: CampaignOptions, shard?: ShardSpec, keepRecords = false): { campaign: Campaign; part: ShardPart } {
  const clock = o.clock;
  const started = clock?.() ?? 0;
  const elapsed = () => (clock ? Math.round(clock() - started) : 0);
  const deadline = clock && o.timeBudgetMs !== undefined ? started + o.timeBudgetMs : undefined;
  const overTime = clock && deadline !== undefined ? () => clock() > deadline : undefined;
  const interrupted = o.interrupted;
  const outOfTime = interrupted ? () => interrupted() || (overTime?.() ?? false) : overTime;
  /** True once the stop request came: the campaign is partial and takes no more runs in. */
  const stopRequested = () => interrupted?.() ?? false;
  const exhaustive = o.strategy === 'exhaustive';
  const scenarioCount = o.scenarios?.length ?? 0;
  const segments = exhaustive ? [] : swarmSegments(o.swarm ?? 0);
  const planned = plannedRuns(o, shard);
  const segmentBase = scenarioCount + (exhaustive ? o.workloads.length : o.workloads.length * o.runs);
  const f = new CampaignFold({ ...foldOptionsOf(o), onRun: o.onRun }, (i, seed, w) => strategyFor(o, i, seed, w));
  const records = new PartRecords();
  const explorations: ShardPart['explorations'] = [];
  let budgetExhausted = false;
  let gaveUp: string | undefined;
  const part = (): ShardPart => {
    return { records: records.records(), explorations, budgetExhausted, interrupted: stopRequested(), ...(gaveUp ? { gaveUp } : {}), planned };
  };
  const end = (): FoldEnd => ({
    budgetExhausted, interrupted: stopRequested(), ...(gaveUp ? { gaveUp } : {}), ...(exhaustive ? { explorations: explorations.map((x) => x.exploration) } : {}),
    planned, wallMs: elapsed(),
  });
  let broker: BrokerAdapter;
  try {
    broker = o.factory();
  } catch (err) {
    if (err instanceof Interrupted) return { campaign: { ...emptyCampaign(o, [], elapsed()), interrupted: true }, part: { ...part(), interrupted: true } };
    // A broker process that cannot even start is a failed implementation, reported like any crash.
    if (!(err instanceof BrokerFailure)) throw err;
    // The failure's message already ends with the last lines of the broker's stderr.
    const brokerFailures = [{ workload: o.workloads[0]?.name ?? '-', seed: o.seed, reason: err.reason, detail: err.message, token: '' }];
    return { campaign: emptyCampaign(o, brokerFailures, elapsed()), part: part() };
  }
  const absorb = (r: RunResult, at: number[], workload: string, seed: number, group: string, kind: RunRecord['kind'], label?: string) => {
    // A run cut by the stop request says nothing about the broker: leave it out.
    if (r.end.reason === 'stopped' && stopRequested()) return;
    const rec = recordOf(r, at, workload, seed, group, kind, label);
    f.absorb(rec);
    if (f.budgetHit) budgetExhausted = true;
    if (keepRecords) { delete rec.trace; records.add(rec); }
  };
  const giveUp = () => { gaveUp = `stopped after ${GIVE_UP_AFTER} runs in a row ended in a broker failure`; };
  try {
    scenarios: for (const [j, sc] of (o.scenarios ?? []).entries()) {
      if (!owns(shard, j)) continue;
      if (stopRequested()) break;
      if (outOfTime?.()) { budgetExhausted = true; break; }
      const r = runOnce({
        impl: o.impl, broker, workload: sc.workload, seed: 0, strategy: new ChoiceListStrategy(sc.choices ?? []), client: sc.client ?? o.client,
        maxSteps: o.maxSteps, watchdog: o.watchdog, keepTrace: o.keepTraceOf !== undefined, shouldStop: outOfTime,
      });
      absorb(r, [0, j], sc.workload.name, 0, sc.workload.name, 'scenario');
      if (budgetExhausted || stopRequested()) break scenarios;
      if (f.failStreak >= GIVE_UP_AFTER) { giveUp(); break scenarios; }
    }
    outer: for (const [w, workload] of o.workloads.entries()) {
      if (gaveUp || f.failStreak >= GIVE_UP_AFTER || budgetExhausted || stopRequested()) break;
      if (exhaustive) {
        if (!owns(shard, scenarioCount + w)) continue;
        // Every interleaving through the explorer; each of its runs is folded like a random run.
        if (outOfTime?.()) { budgetExhausted = true; break; }
        let n = 0;
        const x = explore({
          mode: 're-execution', impl: o.impl, broker, workload, client: o.client, maxSteps: o.maxSteps, maxStates: o.maxStates, watchdog: o.watchdog, shouldStop: outOfTime,
          keepTrace: o.keepTraceOf !== undefined, onRun: (r) => absorb(r, [1, w, n++], workload.name, 0, workload.name, 'workload'),
        });
        explorations.push({ index: w, exploration: { workload: workload.name, states: x.states, transitions: x.transitions, runs: x.runs, complete: x.complete, ...(x.cut ? { cut: x.cut } : {}) } });
        if (x.cut === 'stopped') { if (!stopRequested()) budgetExhausted = true; break; }
        continue;
      }
      for (let i = 0; i < o.runs; i++) {
        if (!owns(shard, scenarioCount + w * o.runs + i)) continue;
        if (stopRequested()) break outer;
        if (outOfTime?.()) { budgetExhausted = true; break outer; }
        const seed = o.seed + i;
        const { strategy, depth } = strategyFor(o, i, seed, workload);
        const r = runOnce({
          impl: o.impl, broker, workload, seed, strategy, maxSteps: o.maxSteps, watchdog: o.watchdog, depth,
          keepTrace: o.keepTraceOf !== undefined, shouldStop: outOfTime, client: o.client,
        });
        absorb(r, [1, w, i], workload.name, seed, workload.name, 'workload');
        if (budgetExhausted || stopRequested()) break outer;
        // A broker that fails run after run would only fail again: say so once and stop.
        if (f.failStreak >= GIVE_UP_AFTER) { giveUp(); break outer; }
      }
    }
    // The swarm, segment by segment: run i draws its workload from seed + i under the odds its
    // segment's steering has set from the segment's earlier runs.
    swarm: for (const [s, seg] of segments.entries()) {
      if (!owns(shard, segmentBase + s)) continue;
      const plan = f.plan(s);
      for (let j = 0; j < seg.runs; j++) {
        if (gaveUp || f.failStreak >= GIVE_UP_AFTER || budgetExhausted || stopRequested()) break swarm;
        if (outOfTime?.()) { budgetExhausted = true; break swarm; }
        const i = seg.start + j;
        const { seed, workload, strategy, depth, label } = plan.run(j);
        const r = runOnce({
          impl: o.impl, broker, workload, seed, strategy, maxSteps: o.maxSteps, watchdog: o.watchdog, depth,
          keepTrace: o.keepTraceOf !== undefined, shouldStop: outOfTime, client: o.client,
        });
        absorb(r, [2, i], workload.name, seed, 'swarm', 'swarm', label);
        if (r.end.reason === 'stopped') break swarm;
        if (budgetExhausted || stopRequested()) break swarm;
        if (f.failStreak >= GIVE_UP_AFTER) { giveUp(); break swarm; }
      }
    }
  } finally {
    broker.close?.();
  }
  return { campaign: f.finish(end()), part: part() };
}

/** The strategy of run `i` (of seed `seed`) on `workload`: the campaign's one strategy, or the portfolio's slot. */
function strategyFor(o: CampaignOptions, i: number, seed: number, workload: Workload): { strategy: Strategy; depth?: number; label: string } {
  if (o.strategy === 'portfolio') return portfolioRun(i, seed, workload);
  const name = o.strategy as StrategyName;
  return { strategy: makeStrategy(name, seed, o.depth, workload), depth: name === 'pct' ? o.depth : undefined, label: name === 'pct' ? `pct:${o.depth ?? 3}` : name };
}

function emptyCampaign(o: CampaignOptions, brokerFailures: Campaign['brokerFailures'], ms: number): Campaign {
  const m = compiledMachine();
  const outcome = decideOutcome({ violations: [], brokerFailures: brokerFailures.length, runs: 0, planned: o.strategy === 'exhaustive' ? 0 : o.workloads.length * o.runs });
  return {
    impl: o.impl, strategy: o.strategy, seed: o.seed, workloads: o.workloads.map((w) => w.name), runs: 0, planned: outcome.planned, steps: 0,
    conformant: outcome.conformant, cut: outcome.cut, incomplete: o.strategy === 'exhaustive' ? o.workloads.length : 0, conclusive: false,
    violations: [], warnings: [], lint: [], inconclusive: [], advice: [], rules: [], ends: {}, brokerFailures,
    coverage: { states: 0, statesTotal: m.stateNodes.length, transitions: 0, transitionsTotal: m.transitions.length, unreachedStates: [], unreachedTransitions: [] },
    budgetExhausted: false, wall: { ms },
  };
}

/**
 * `{ ...f, ...extra }`, but without reading `f`'s replay token: it is made when first read
 * (encoding it compresses the run's workload), and most findings folded in are displaced by a
 * shorter run before a report reads one.
 */
function foldedCopy(f: Finding, extra: Pick<FoldedFinding, 'workload' | 'runs' | 'steps'>): FoldedFinding {
  const own = Object.getOwnPropertyDescriptors(f);
  const copy: PropertyDescriptorMap = {};
  for (const [k, d] of Object.entries(own)) {
    if (!d.enumerable) continue;
    copy[k] = 'get' in d || 'set' in d ? { get: d.get, set: d.set, enumerable: true, configurable: true } : { value: d.value, writable: true, enumerable: true, configurable: true };
  }
  return Object.assign(Object.defineProperties({}, copy), extra) as FoldedFinding;
}

/** Folds a run in; its findings are grouped per rule and the run's group (its workload, or `swarm` for every generated one). */
function fold(r: RunRecord, folded: Record<'violations' | 'warnings' | 'lint' | 'inconclusive', Map<string, FoldedFinding>>, tallies: Map<string, RuleTally>, advice: Set<string>): void {
  const group = r.group;
  for (const key of ['violations', 'warnings', 'lint', 'inconclusive'] as const) {
    const seen = new Set<string>();
    for (const f of r.findings[key]) {
      const k = `${f.rule}@${group}`;
      const prior = folded[key].get(k);
      if (!prior) folded[key].set(k, foldedCopy(f, { workload: r.runWorkload, runs: 1, steps: r.steps }));
      else if (!seen.has(k)) {
        // Keep the shortest witness: a report shows the minimal interleaving that was found.
        if (r.steps < prior.steps) folded[key].set(k, foldedCopy(f, { workload: r.runWorkload, runs: prior.runs + 1, steps: r.steps }));
        else prior.runs++;
      }
      seen.add(k);
    }
  }
  for (const a of r.advice) advice.add(a);
  for (const res of r.results) {
    let t = tallies.get(res.rule);
    if (!t) tallies.set(res.rule, (t = { rule: res.rule, kind: res.kind, party: res.party, verdict: res.verdict, counts: {} }));
    t.counts[res.verdict] = (t.counts[res.verdict] ?? 0) + 1;
    if (ORDER.indexOf(res.verdict) < ORDER.indexOf(t.verdict)) { t.verdict = res.verdict; t.reason = res.reason; }
    else if (t.reason === undefined && res.reason) t.reason = res.reason;
  }
}
