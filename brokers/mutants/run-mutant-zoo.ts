/**
 * Runs the suite against every mutant of the zoo and says, for each, whether it was killed, by
 * which rule(s), and after how many runs. A mutant counts as caught only when
 * one of the rules it targets is violated; one caught only by other rules is a weakness of the
 * suite and is reported as such.
 *
 * Runs go round-robin over the workloads (run n uses workload n mod W with seed + ⌊n / W⌋), so
 * "runs to detect" counts every run made, whichever workload finds it; a mutant stops at its
 * first run that violates a targeted rule. A mutant those runs do not catch meets the conformance
 * suite next: every scenario with its pinned choices, then the swarm campaign's runs (generated
 * workloads, the strategy portfolio), counted on from there.
 */
import type { BrokerAdapter } from '../../sim/broker-adapter.ts';
import { ReferenceBroker } from '../reference-broker.ts';
import { runOnce, type RunOptions, type RunResult } from '../../sim/run.ts';
import { makeStrategy } from '../../sim/strategies.ts';
import type { Workload } from '../../sim/workload.ts';
import { builtinWorkloads } from '../../sim/workloads.ts';
import type { Finding } from '../../specs/check.ts';
import { MUTANTS, type ZooMutant } from './index.ts';
import { ChoiceListStrategy } from '../../sim/strategy.ts';
import { DEFAULT_SWARM_RUNS, SwarmPlan } from '../../sim/swarm.ts';
import type { SuiteScenario } from '../../sim/campaign.ts';
import { suiteScenarios } from '../../scenarios/suite.ts';

/** Options of a zoo run (`wbemsim mutants`). */
export interface ZooOptions {
  /** Runs per workload at most (the budget). */
  runs?: number;
  /** First seed; round r uses seed + r. */
  seed?: number;
  strategy?: 'random' | 'pct';
  /** PCT bug depth. */
  depth?: number;
  /** Only these mutants (by name). */
  only?: readonly string[];
  /** The workloads (default: the built-in ones); each mutant's own extra workloads are added. */
  workloads?: readonly Workload[];
  maxSteps?: number;
  watchdog?: number;
  /** A stop request from outside (a signal), polled between steps: the zoo then returns the mutants it finished. */
  interrupted?: () => boolean;
  /** Told after every run (the reference broker's baseline runs included): for a progress line; it changes nothing. */
  onRun?: (p: { runs: number; mutantsDone: number; mutants: number; caught: number }) => void;
  /** Runs of the swarm campaign for a mutant the workloads did not catch (default: the default campaign's); 0 skips the suite. */
  swarmRuns?: number;
}

/** One mutant's outcome. */
export interface MutantOutcome {
  name: string;
  targets: string[];
  description: string;
  interleaving: boolean;
  /** Some `must` rule was violated within the budget. */
  killed: boolean;
  /** One of its targeted rules was violated (what "caught" means). */
  byTarget: boolean;
  /**
   * The rules violated in the run that killed it by a target (targeted first), or, when no target
   * ever was, every rule violated over the budget.
   */
  caughtBy: string[];
  /** 1-based index of the run that killed it by a target (or of its first failing run), null if none. */
  runsToDetect: number | null;
  /** The workload of that run, its replay token, and what the (first targeted) finding said. */
  workload?: string;
  replay?: string;
  evidence?: string;
  /**
   * Targeted rules caught it, but only with findings of a kind the reference broker gets too on
   * the same suite (same explanation up to ids): the catch may be a check's false positive, so it
   * is not counted as a kill.
   */
  suspect: boolean;
  runsMade: number;
}

/** The zoo's result: `{mutants, score}` as `wbemsim mutants --json` prints it. */
export interface ZooResult {
  mutants: MutantOutcome[];
  /**
   * `killed` counts mutants caught by a targeted rule (and not suspect); `weak` those killed only
   * by other rules; `suspect` those caught by a rule the reference broker also violates.
   */
  score: { killed: number; weak: number; suspect: number; total: number };
  /**
   * The must rules the reference broker violates over the same suite and budget (first finding
   * each). Empty when the checks and the reference agree; a catch that only looks like one of
   * these findings is a suspect.
   */
  baseline: { rule: string; workload: string; replay: string; explanation: string }[];
  options: { runs: number; seed: number; strategy: 'random' | 'pct'; workloads: string[] };
  /** Set when a stop request ended the zoo early: `mutants` and `score` cover only the mutants finished. */
  interrupted?: boolean;
}

/** The default budget: runs per workload. Every mutant is killed well within it (tests check this). */
export const DEFAULT_ZOO_RUNS = 40;

/** Runs the zoo (or the mutants named by `only`) and returns what each run found. */
export function runMutantZoo(options: ZooOptions = {}): ZooResult {
  const runs = options.runs ?? DEFAULT_ZOO_RUNS;
  const seed = options.seed ?? 1;
  const strategy = options.strategy ?? 'random';
  const base = [...(options.workloads ?? builtinWorkloads())];
  const chosen = options.only?.length ? MUTANTS.filter((m) => options.only!.includes(m.name)) : MUTANTS;
  const mutants: MutantOutcome[] = [];
  let made = 0;
  const onRun = options.onRun;
  const tick = onRun ? () => onRun({ runs: ++made, mutantsDone: mutants.length, mutants: chosen.length, caught: mutants.filter((m) => m.byTarget && !m.suspect).length }) : undefined;
  const budget: Budget = {
    runs, seed, strategy, depth: options.depth, maxSteps: options.maxSteps, watchdog: options.watchdog, interrupted: options.interrupted, tick,
    swarmRuns: options.swarmRuns ?? DEFAULT_SWARM_RUNS,
  };
  const stopped = () => options.interrupted?.() ?? false;
  const extra = chosen.flatMap((m) => m.workloads ?? []).filter((w, i, all) => all.indexOf(w) === i);
  const noise = referenceBaseline([...base, ...extra], budget);
  // The suite's own noise floor is measured only if some mutant gets that far.
  let suiteNoise: Noise | undefined;
  const suite = () => (suiteNoise ??= suiteBaseline(suiteScenarios(), budget, noise));
  for (const m of chosen) {
    if (stopped()) break;
    const outcome = runMutant(m, [...base, ...(m.workloads ?? [])], budget, noise, suite);
    // A mutant whose search the stop request cut has no outcome: it is left out.
    if (outcome) mutants.push(outcome);
  }
  return {
    ...(stopped() ? { interrupted: true } : {}),
    mutants,
    score: {
      killed: mutants.filter((m) => m.byTarget && !m.suspect).length,
      weak: mutants.filter((m) => m.killed && !m.byTarget).length,
      suspect: mutants.filter((m) => m.suspect).length,
      total: mutants.length,
    },
    baseline: [...noise.first.values()],
    options: { runs, seed, strategy, workloads: base.map((w) => w.name) },
  };
}

/** What the reference broker is flagged for over the suite: the checks' noise floor. */
interface Noise {
  /** The first finding per rule, for the report. */
  first: Map<string, ZooResult['baseline'][number]>;
  /** Every finding's shape (its explanation without ids and numbers), per rule. */
  shapes: Map<string, Set<string>>;
}

/** A finding's explanation with call, sink, cancel and callback ids and numbers blanked. */
function shape(f: Finding): string {
  return `${f.rule}|${f.explanation.replace(/[\w~#.]*\d[\w~#.]*/g, '_')}`;
}

function referenceBaseline(workloads: Workload[], b: Budget): Noise {
  const broker = new ReferenceBroker();
  const noise: Noise = { first: new Map(), shapes: new Map() };
  for (let r = 0; r < b.runs; r++) {
    for (const workload of workloads) {
      if (b.interrupted?.()) return noise;
      const result = runOnce(runOptions('reference', broker, workload, b, b.seed + r));
      b.tick?.();
      for (const f of result.judge.violations) {
        if (!noise.first.has(f.rule)) noise.first.set(f.rule, { rule: f.rule, workload: workload.name, replay: result.token, explanation: f.explanation });
        let set = noise.shapes.get(f.rule);
        if (!set) noise.shapes.set(f.rule, (set = new Set()));
        set.add(shape(f));
      }
    }
  }
  return noise;
}

/** The reference broker's findings over the suite (scenarios and swarm), added to the workloads' noise. */
function suiteBaseline(scenarios: SuiteScenario[], b: Budget, workloads: Noise): Noise {
  const broker = new ReferenceBroker();
  const noise: Noise = { first: new Map(workloads.first), shapes: new Map([...workloads.shapes].map(([k, v]) => [k, new Set(v)])) };
  const add = (result: RunResult) => {
    for (const f of result.judge.violations) {
      if (!noise.first.has(f.rule)) noise.first.set(f.rule, { rule: f.rule, workload: result.workload, replay: result.token, explanation: f.explanation });
      let set = noise.shapes.get(f.rule);
      if (!set) noise.shapes.set(f.rule, (set = new Set()));
      set.add(shape(f));
    }
  };
  for (const sc of scenarios) {
    if (b.interrupted?.()) return noise;
    add(runScenarioRun('reference', broker, sc, b));
  }
  const plan = new SwarmPlan(b.seed, b.swarmRuns);
  for (let i = 0; i < b.swarmRuns; i++) {
    if (b.interrupted?.()) return noise;
    const result = runSwarmRun('reference', broker, plan, i, b);
    add(result);
    plan.observe(result.judge.results, result.monitorCoverage.transitions);
  }
  return noise;
}

function runScenarioRun(impl: string, broker: BrokerAdapter, sc: SuiteScenario, b: Budget): RunResult {
  return runOnce({ impl, broker, workload: sc.workload, seed: 0, strategy: new ChoiceListStrategy(sc.choices ?? []), maxSteps: b.maxSteps, watchdog: b.watchdog, shouldStop: b.interrupted });
}

function runSwarmRun(impl: string, broker: BrokerAdapter, plan: SwarmPlan, i: number, b: Budget): RunResult {
  const run = plan.run(i);
  return runOnce({ impl, broker, workload: run.workload, seed: run.seed, strategy: run.strategy, depth: run.depth, maxSteps: b.maxSteps, watchdog: b.watchdog, shouldStop: b.interrupted });
}

function runOptions(impl: string, broker: BrokerAdapter, workload: Workload, b: Budget, seed: number): RunOptions {
  return {
    impl, broker, workload, seed, strategy: makeStrategy(b.strategy, seed, b.depth),
    maxSteps: b.maxSteps, watchdog: b.watchdog, depth: b.strategy === 'pct' ? b.depth : undefined, shouldStop: b.interrupted,
  };
}

interface Budget { runs: number; seed: number; strategy: 'random' | 'pct'; depth?: number; maxSteps?: number; watchdog?: number; interrupted?: () => boolean; tick?: () => void; swarmRuns: number }

type Found = Omit<MutantOutcome, 'name' | 'targets' | 'description' | 'interleaving'>;

/**
 * Runs one mutant until a run violates a targeted rule with a finding unlike any the reference
 * broker gets (a catch only by findings the reference gets too is kept as a suspect, and the
 * search goes on), or until the budget is spent.
 */
function runMutant(m: ZooMutant, workloads: Workload[], b: Budget, noise: Noise, suiteNoise: () => Noise): MutantOutcome | undefined {
  const broker = m.create();
  const targets = new Set(m.targets);
  const seen = new Set<string>();
  let first: Found | undefined;
  let suspect: Found | undefined;
  let n = 0;
  /** Looks at one run: the mutant's outcome when it caught the mutant for good, else undefined. */
  const consider = (result: RunResult, workload: string, floor: Noise): MutantOutcome | undefined => {
    n++;
    const found = result.judge.violations;
    if (!found.length) return undefined;
    const rules = [...new Set(found.map((f) => f.rule))];
    for (const rule of rules) seen.add(rule);
    const at = { killed: true, runsToDetect: n, workload, replay: result.token, runsMade: n };
    first ??= { ...at, byTarget: false, caughtBy: [], evidence: found[0]!.explanation, suspect: false };
    const hits = found.filter((f) => targets.has(f.rule));
    if (!hits.length) return undefined;
    const caughtBy = [...rules.filter((x) => targets.has(x)), ...rules.filter((x) => !targets.has(x))];
    const genuine = hits.find((f) => !floor.shapes.get(f.rule)?.has(shape(f)));
    if (genuine) return outcome(m, { ...at, byTarget: true, caughtBy, evidence: genuine.explanation, suspect: false });
    suspect ??= { ...at, byTarget: true, caughtBy, evidence: hits[0]!.explanation, suspect: true };
    return undefined;
  };
  try {
    for (let r = 0; r < b.runs; r++) {
      for (const workload of workloads) {
        const result = runOnce(runOptions(`mutant:${m.name}`, broker, workload, b, b.seed + r));
        b.tick?.();
        if (result.end.reason === 'stopped') return undefined;
        const done = consider(result, workload.name, noise);
        if (done) return done;
      }
    }
    // Not caught by a target on the workloads: the conformance suite, scenarios then the swarm.
    if (b.swarmRuns > 0) {
      const floor = suiteNoise();
      for (const sc of suiteScenarios()) {
        const result = runScenarioRun(`mutant:${m.name}`, broker, sc, b);
        if (result.end.reason === 'stopped') return undefined;
        const done = consider(result, `scenario ${sc.name}`, floor);
        if (done) return done;
      }
      const plan = new SwarmPlan(b.seed, b.swarmRuns);
      for (let i = 0; i < b.swarmRuns; i++) {
        const result = runSwarmRun(`mutant:${m.name}`, broker, plan, i, b);
        if (result.end.reason === 'stopped') return undefined;
        const done = consider(result, `swarm ${result.workload}`, floor);
        if (done) return done;
        plan.observe(result.judge.results, result.monitorCoverage.transitions);
      }
    }
  } finally {
    broker.close?.();
  }
  if (suspect) return outcome(m, { ...(suspect as Found), runsMade: n });
  if (!first) return outcome(m, { killed: false, byTarget: false, caughtBy: [], runsToDetect: null, suspect: false, runsMade: n });
  return outcome(m, { ...(first as Found), caughtBy: [...seen], runsMade: n });
}

function outcome(m: ZooMutant, found: Found): MutantOutcome {
  return { name: m.name, targets: [...m.targets], description: m.description, interleaving: m.interleaving, ...found };
}

/** One line for `npm start`: `mutant zoo: 28/28 killed by their targeted rules`. */
export { zooScoreLine } from '../../report/text.ts';
