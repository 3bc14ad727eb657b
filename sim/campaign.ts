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
import { runOnce, type RunResult } from './run.ts';
import type { ClientModel } from './client-api.ts';
import { makeStrategy, type StrategyName } from './strategies.ts';
import { ChoiceListStrategy, type Strategy } from './strategy.ts';
import { portfolioRun, SwarmPlan, type SwarmTarget } from './swarm.ts';
import type { Workload } from './workload.ts';
import type { ShrinkReport } from './shrink.ts';

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

/** Consecutive runs ending in a broker failure after which a campaign stops. */
const GIVE_UP_AFTER = 3;

export function runMany(o: CampaignOptions): Campaign {
  const clock = o.clock;
  const started = clock?.() ?? 0;
  const elapsed = () => (clock ? Math.round(clock() - started) : 0);
  const deadline = clock && o.timeBudgetMs !== undefined ? started + o.timeBudgetMs : undefined;
  const overTime = clock && deadline !== undefined ? () => clock() > deadline : undefined;
  const interrupted = o.interrupted;
  const outOfTime = interrupted ? () => interrupted() || (overTime?.() ?? false) : overTime;
  /** True once the stop request came: the campaign is partial and takes no more runs in. */
  const stopRequested = () => interrupted?.() ?? false;
  const m = compiledMachine();
  const coverage = new Coverage(m.stateNodes.length, m.transitions.length);
  const folded = { violations: new Map<string, FoldedFinding>(), warnings: new Map<string, FoldedFinding>(), lint: new Map<string, FoldedFinding>(), inconclusive: new Map<string, FoldedFinding>() };
  const tallies = new Map<string, RuleTally>();
  const advice = new Set<string>();
  const ends: Record<string, number> = {};
  const brokerFailures: Campaign['brokerFailures'] = [];
  let runs = 0;
  let steps = 0;
  let cutRuns = 0;
  let trace: TraceLine[] | undefined;
  let traceOf: Campaign['traceOf'];
  let traceIsFailure = false;
  let budgetExhausted = false;
  let gaveUp: string | undefined;
  const explorations: NonNullable<Campaign['explorations']> = [];
  let scenarioRuns = 0;
  let swarmRuns = 0;
  const byScenario = new Set<string>();
  const bySwarm = new Set<string>();
  const strategies: Record<string, number> = {};
  const plan = new SwarmPlan(o.seed, o.swarm ?? 0, (i, seed, w) => strategyFor(o, i, seed, w));
  let broker: BrokerAdapter;
  try {
    broker = o.factory();
  } catch (err) {
    if (err instanceof Interrupted) return { ...emptyCampaign(o, brokerFailures, elapsed()), interrupted: true };
    // A broker process that cannot even start is a failed implementation, reported like any crash.
    if (!(err instanceof BrokerFailure)) throw err;
    // The failure's message already ends with the last lines of the broker's stderr.
    brokerFailures.push({ workload: o.workloads[0]?.name ?? '-', seed: o.seed, reason: err.reason, detail: err.message, token: '' });
    return emptyCampaign(o, brokerFailures, elapsed());
  }
  try {
    let failStreak = 0;
    const absorb = (r: RunResult, workload: Workload, seed: number, group = workload.name) => {
      // A run cut by the stop request says nothing about the broker: leave it out.
      if (r.end.reason === 'stopped' && stopRequested()) return;
      runs++;
      failStreak = r.end.reason === 'crash' || r.end.reason === 'timeout' || r.end.reason === 'protocol-error' ? failStreak + 1 : 0;
      steps += r.steps;
      ends[r.end.reason] = (ends[r.end.reason] ?? 0) + 1;
      if (r.end.reason === 'stopped') budgetExhausted = true;
      if (r.end.reason === 'bound' || r.end.reason === 'stopped') cutRuns++;
      if (r.end.reason === 'crash' || r.end.reason === 'timeout' || r.end.reason === 'protocol-error') {
        brokerFailures.push({ workload: workload.name, seed, reason: r.end.reason, detail: r.end.detail, token: r.token });
      }
      fold(r, folded, tallies, advice, group);
      coverage.merge(r.monitorCoverage);
      o.onRun?.({ runs, steps, violations: new Set([...folded.violations.values()].map((f) => f.rule)).size });
      if (r.trace) {
        // The trace kept is the run the report shows: the first violation's current witness.
        const shown = folded.violations.values().next().value;
        const failure = r.end.reason === 'crash' || r.end.reason === 'timeout' || r.end.reason === 'protocol-error';
        const keep = shown ? shown.replay === r.token && traceOf?.token !== r.token : trace === undefined || (failure && !traceIsFailure);
        if (keep) {
          trace = r.trace;
          traceOf = { workload: workload.name, seed, token: r.token };
          traceIsFailure = failure;
        }
      }
    };
    scenarios: for (const sc of o.scenarios ?? []) {
      if (stopRequested()) break;
      if (outOfTime?.()) { budgetExhausted = true; break; }
      const r = runOnce({
        impl: o.impl, broker, workload: sc.workload, seed: 0, strategy: new ChoiceListStrategy(sc.choices ?? []), client: sc.client ?? o.client,
        maxSteps: o.maxSteps, watchdog: o.watchdog, keepTrace: o.keepTraceOf !== undefined, shouldStop: outOfTime,
      });
      absorb(r, sc.workload, 0);
      scenarioRuns++;
      for (const res of r.judge.results) if (res.verdict !== 'not exercised') byScenario.add(res.rule);
      if (budgetExhausted || stopRequested()) break scenarios;
      if (failStreak >= GIVE_UP_AFTER) { gaveUp = `stopped after ${GIVE_UP_AFTER} runs in a row ended in a broker failure`; break scenarios; }
    }
    outer: for (const workload of o.workloads) {
      if (failStreak >= GIVE_UP_AFTER) break;
      if (o.strategy === 'exhaustive') {
        // Every interleaving through the explorer; each of its runs is folded like a random run.
        if (stopRequested()) break;
        if (outOfTime?.()) { budgetExhausted = true; break; }
        const x = explore({
          mode: 're-execution', impl: o.impl, broker, workload, client: o.client, maxSteps: o.maxSteps, maxStates: o.maxStates, watchdog: o.watchdog, shouldStop: outOfTime,
          keepTrace: o.keepTraceOf !== undefined, onRun: (r) => absorb(r, workload, 0),
        });
        explorations.push({ workload: workload.name, states: x.states, transitions: x.transitions, runs: x.runs, complete: x.complete, ...(x.cut ? { cut: x.cut } : {}) });
        if (x.cut === 'stopped') { if (!stopRequested()) budgetExhausted = true; break; }
        continue;
      }
      for (let i = 0; i < o.runs; i++) {
        if (stopRequested()) break outer;
        if (outOfTime?.()) { budgetExhausted = true; break outer; }
        const seed = o.seed + i;
        const { strategy, depth } = strategyFor(o, i, seed, workload);
        const r = runOnce({
          impl: o.impl, broker, workload, seed, strategy, maxSteps: o.maxSteps, watchdog: o.watchdog, depth,
          keepTrace: o.keepTraceOf !== undefined, shouldStop: outOfTime, client: o.client,
        });
        absorb(r, workload, seed);
        if (budgetExhausted || stopRequested()) break outer;
        // A broker that fails run after run would only fail again: say so once and stop.
        if (failStreak >= GIVE_UP_AFTER) { gaveUp = `stopped after ${GIVE_UP_AFTER} runs in a row ended in a broker failure`; break outer; }
      }
    }
    // The swarm: run i draws its workload from seed + i under the steering's feature odds.
    swarm: for (let i = 0; i < (o.swarm ?? 0) && o.strategy !== 'exhaustive'; i++) {
      if (gaveUp || failStreak >= GIVE_UP_AFTER || budgetExhausted || stopRequested()) break;
      if (outOfTime?.()) { budgetExhausted = true; break; }
      const { seed, workload, strategy, depth, label } = plan.run(i);
      const r = runOnce({
        impl: o.impl, broker, workload, seed, strategy, maxSteps: o.maxSteps, watchdog: o.watchdog, depth,
        keepTrace: o.keepTraceOf !== undefined, shouldStop: outOfTime, client: o.client,
      });
      absorb(r, workload, seed, 'swarm');
      if (r.end.reason === 'stopped') break;
      swarmRuns++;
      strategies[label] = (strategies[label] ?? 0) + 1;
      for (const res of r.judge.results) if (res.verdict !== 'not exercised') bySwarm.add(res.rule);
      plan.observe(r.judge.results, r.monitorCoverage.transitions);
      if (budgetExhausted || stopRequested()) break swarm;
      if (failStreak >= GIVE_UP_AFTER) { gaveUp = `stopped after ${GIVE_UP_AFTER} runs in a row ended in a broker failure`; break swarm; }
    }
  } finally {
    broker.close?.();
  }
  const rules = [...tallies.values()];
  const suite: SuiteSummary | undefined = o.scenarios || o.swarm ? {
    scenarios: scenarioRuns, swarmRuns,
    byScenario: [...byScenario].sort(),
    onlyByCampaign: [...bySwarm].filter((r) => !byScenario.has(r)).sort(),
    notCovered: rules.map((t) => t.rule).filter((r) => !byScenario.has(r) && !bySwarm.has(r)).sort(),
    targets: plan.steering.targets, strategies,
  } : undefined;
  const exhaustive = o.strategy === 'exhaustive';
  // Runs (or explorations) never made count as cut only when a bound stopped them: a campaign
  // that gave up on a failing broker has its verdict already.
  const outcome = decideOutcome({
    violations: [...folded.violations.values()], brokerFailures: brokerFailures.length, runs,
    planned: !exhaustive && budgetExhausted ? (o.scenarios?.length ?? 0) + o.workloads.length * o.runs + (o.swarm ?? 0) : runs, cutRuns,
    incomplete: exhaustive ? explorations.filter((x) => !x.complete).length + (budgetExhausted ? o.workloads.length - explorations.length : 0) : 0,
  });
  const nodes = m.stateNodes.filter((_, i) => !coverage.nodes[i]);
  const transitions = m.transitions.filter((_, i) => !coverage.transitions[i]).map((t) => t.id);
  return {
    impl: o.impl, strategy: o.strategy, seed: o.seed, workloads: o.workloads.map((w) => w.name), runs, planned: outcome.planned, steps,
    conformant: outcome.conformant, cut: outcome.cut, incomplete: outcome.incomplete, conclusive: outcome.conclusive,
    violations: [...folded.violations.values()], warnings: [...folded.warnings.values()],
    lint: [...folded.lint.values()], inconclusive: [...folded.inconclusive.values()], advice: [...advice],
    rules, ends, brokerFailures,
    coverage: {
      states: m.stateNodes.length - nodes.length, statesTotal: m.stateNodes.length,
      transitions: m.transitions.length - transitions.length, transitionsTotal: m.transitions.length,
      unreachedStates: nodes, unreachedTransitions: transitions,
    },
    budgetExhausted, ...(stopRequested() ? { interrupted: true } : {}), ...(gaveUp ? { gaveUp } : {}), ...(exhaustive ? { explorations } : {}), ...(suite ? { suite } : {}), trace, ...(traceOf ? { traceOf } : {}), wall: { ms: elapsed() },
  };
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

/** Folds a run in; its findings are grouped per rule and `group` (its workload, or `swarm` for every generated one). */
function fold(r: RunResult, folded: Record<'violations' | 'warnings' | 'lint' | 'inconclusive', Map<string, FoldedFinding>>, tallies: Map<string, RuleTally>, advice: Set<string>, group: string): void {
  for (const key of ['violations', 'warnings', 'lint', 'inconclusive'] as const) {
    const seen = new Set<string>();
    for (const f of r.judge[key]) {
      const k = `${f.rule}@${group}`;
      const prior = folded[key].get(k);
      if (!prior) folded[key].set(k, { ...f, workload: r.workload, runs: 1, steps: r.steps });
      else if (!seen.has(k)) {
        // Keep the shortest witness: a report shows the minimal interleaving that was found.
        if (r.steps < prior.steps) folded[key].set(k, { ...f, workload: r.workload, runs: prior.runs + 1, steps: r.steps });
        else prior.runs++;
      }
      seen.add(k);
    }
  }
  for (const a of r.judge.advice) advice.add(a);
  for (const res of r.judge.results as RuleResult[]) {
    let t = tallies.get(res.rule);
    if (!t) tallies.set(res.rule, (t = { rule: res.rule, kind: res.kind, party: res.party, verdict: res.verdict, counts: {} }));
    t.counts[res.verdict] = (t.counts[res.verdict] ?? 0) + 1;
    if (ORDER.indexOf(res.verdict) < ORDER.indexOf(t.verdict)) { t.verdict = res.verdict; t.reason = res.reason; }
    else if (t.reason === undefined && res.reason) t.reason = res.reason;
  }
}
