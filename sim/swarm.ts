/**
 * The swarm campaign's plan: which generated workload and which strategy each run uses, and how
 * the rules and machine transitions no run has reached steer the generator.
 *
 * - **Portfolio.** Strategies rotate per run (as Coyote's default portfolio does): uniform random
 *   in half the runs, PCT at depths 2, 3 and 5, and a probabilistic random walk. No one strategy
 *   finds every race first: PCT is strong on races that need one call to get far ahead, random on
 *   races between many short steps (two overlapping cancels: PCT runs one cancel's thread to its
 *   end before the other's), and random found them faster on the race mutants, hence its weight.
 * - **Steering.** At fixed points of the campaign (a quarter, half and three quarters of its
 *   runs) every rule that no swarm run has exercised yet, and every rule whose machine transition
 *   no run has taken yet, becomes a *target*: the features that lead to it (`RULE_FEATURES`) are
 *   then enabled in 90% of the runs instead of half. The summary lists each target and whether a
 *   later run reached it.
 *
 * All of it is a pure function of the campaign's seed and the results of earlier runs, so a
 * campaign stays deterministic.
 */
import { compiledMachine } from '../specs/compiled-machine.ts';
import type { RuleResult } from '../specs/check.ts';
import { makeStrategy, ProbabilisticStrategy } from './strategies.ts';
import type { Strategy } from './strategy.ts';
import { DEFAULT_ODDS, generateWorkload, type Feature, type FeatureOdds } from './workload-generator.ts';
import type { Workload } from './workload.ts';

/** One slot of the portfolio. */
export interface PortfolioSlot {
  name: 'random' | 'pct' | 'probabilistic';
  depth?: number;
}

/** The strategies rotated per run, in order. */
export const PORTFOLIO: readonly PortfolioSlot[] = [
  { name: 'random' },
  { name: 'pct', depth: 2 },
  { name: 'random' },
  { name: 'probabilistic' },
  { name: 'random' },
  { name: 'pct', depth: 3 },
  { name: 'random' },
  { name: 'pct', depth: 5 },
];

/** The strategy of run `i` of a portfolio campaign, made from the run's seed (and workload, for PCT). */
export function portfolioStrategy(i: number, seed: number, workload: Workload): { strategy: Strategy; slot: PortfolioSlot } {
  const slot = PORTFOLIO[i % PORTFOLIO.length]!;
  switch (slot.name) {
    case 'random': return { strategy: makeStrategy('random', seed), slot };
    case 'pct': return { strategy: makeStrategy('pct', seed, slot.depth, workload), slot };
    case 'probabilistic': return { strategy: new ProbabilisticStrategy(seed, 0.2), slot };
  }
}

/** The features whose odds rise when a rule is a target (rules not listed need no particular feature, or none reaches them). */
export const RULE_FEATURES: Readonly<Record<string, readonly Feature[]>> = {
  'CALL-RETURNS-IMMEDIATELY': ['holding-sinks'],
  'START-FAILURE-NO-CALLBACKS': ['provider-errors'],
  'BROKER-HOLDS-SINK': ['releases'],
  'NULL-SINK-REJECTED': ['bad-arguments'],
  'OVERLAPPING-CALLS-ACCEPTED': ['shared-sinks'],
  'SEQUENTIAL-CALLS-ACCEPTED': ['sequencing'],
  'ONE-CALLBACK-AT-A-TIME': ['queries', 'slow-sinks'],
  'CANCELLED-STATUS-MAY-OVERLAP': ['cancels', 'slow-sinks', 'holding-sinks'],
  'CALLS-MAY-CALL-BACK-CONCURRENTLY': ['shared-sinks', 'slow-sinks'],
  'NO-EMPTY-INDICATE': ['queries'],
  'INDICATE-BATCHING': ['queries'],
  'FINAL-WITHOUT-INDICATE': ['fast-operations'],
  'STATUS-FLAGS-VALID': ['send-status'],
  'PROGRESS-HRESULT-IS-COUNTER': ['send-status'],
  'SINK-ERROR-CANCELS': ['sink-errors', 'queries'],
  'CANCELLED-WITHOUT-CLIENT-CANCEL': ['sink-errors', 'releases'],
  'FINAL-STATUS-ONCE': ['cancels', 'overlapping-cancels'],
  'FINAL-STATUS-CARRIES-RESULT': ['provider-errors'],
  'NOTHING-AFTER-FINAL': ['cancels-in-callbacks', 'send-status'],
  'RELEASE-AFTER-FINAL': ['releases'],
  'RELEASE-PROMPTLY': ['releases'],
  'PROGRESS-ONLY-IF-ASKED': ['send-status'],
  'PROGRESS-MAY': ['send-status'],
  'NO-SECURITY-NO-COMPLETION': ['environment'],
  'ORDER-NOT-GUARANTEED': ['shared-sinks'],
  'CANCEL-COVERS-SHARING-CALLS': ['shared-sinks', 'cancels'],
  'CANCEL-SPARES-OTHER-SINKS': ['cancels'],
  'CANCEL-SCOPE-PER-SERVICES': ['several-services', 'cancels'],
  'CANCELLED-STATUS': ['cancels'],
  'NO-CALLBACKS-AFTER-CANCEL': ['cancels', 'queries'],
  'CANCEL-MAY-LOSE-RACE': ['cancels', 'fast-operations'],
  'CANCEL-UNKNOWN-SINK-ERROR': ['bad-arguments'],
  'CANCEL-INVALID-PARAMETER-CODE': ['bad-arguments'],
  'CANCEL-AFTER-END-MAY-SUCCEED': ['cancels', 'sequencing'],
  'CANCEL-DOES-NOT-WAIT-FOR-CLIENT': ['holding-sinks', 'cancels'],
  'CANCEL-DOES-NOT-WAIT-FOR-FINAL': ['holding-sinks', 'cancels'],
  'RELEASED-BEFORE-CANCEL-RETURNS': ['cancels'],
  'CALLBACK-IN-FLIGHT-MAY-FINISH': ['cancels', 'slow-sinks'],
  'CANCEL-AFTER-CLIENT-RELEASE': ['releases', 'cancels'],
  'PROVIDER-NOT-NOTIFIED': ['methods', 'cancels'],
  'PROVIDER-RUNS-TO-COMPLETION': ['methods', 'cancels'],
  'PROVIDER-MAY-STOP': ['queries', 'cancels'],
  'CANCEL-SAME-POINTER': ['wrappers', 'cancels'],
  'CANCEL-FROM-SINK-NOT-OPERATIONAL': ['cancels-in-callbacks'],
  'PROVIDER-CANCEL-UNSUPPORTED': ['provider-errors', 'cancels'],
  'NOTIFICATION-NEVER-COMPLETES': ['notifications'],
  'EVENTS-MAY-BE-DROPPED': ['notifications'],
  'SWBEMSINK-CANCEL-ALL': ['scripting'],
  'SWBEMSINK-NOTHING-IS-NOT-CANCEL': ['scripting'],
  'SWBEMSINK-CANCEL-ERRORS': ['scripting'],
  'SWBEMSINK-ONPROGRESS-ONLY-IF-ASKED': ['scripting', 'send-status'],
  'SWBEMSINK-ONCOMPLETED-HRESULT': ['scripting', 'provider-errors'],
  'SWBEMSINK-ONCOMPLETED-AFTER-CANCEL': ['scripting'],
  'LINT-ONE-SINK-PER-CALL': ['shared-sinks'],
  'LINT-NO-CANCEL-IN-SINK': ['cancels-in-callbacks'],
  'LINT-CANCEL-PENDING-SINK': ['bad-arguments'],
  'LINT-CANCEL-NEVER-ENDING': ['notifications'],
  'LINT-KEEP-WRAPPER': ['wrappers'],
  'LINT-INIT-SECURITY': ['environment'],
  'LINT-CANCEL-RELEASED-SINK': ['releases', 'cancels'],
  'LINT-NO-WMI-CALLS-IN-EVENT-SINK': ['notifications', 'cancels-in-callbacks'],
};

/** A rule the steering aimed generation at. */
export interface SwarmTarget {
  rule: string;
  /** Why: the rule itself was not exercised, or a transition of the machine carrying it was not taken. */
  because: 'rule' | 'transition';
  /** The transition, when `because` is `transition`. */
  transition?: string;
  features: Feature[];
  /** The 1-based swarm run from which it was targeted. */
  from: number;
  /** The 1-based swarm run that first reached it, if one did. */
  reachedAt?: number;
}

/** Features a transition's event needs, beyond its rule's (`-PROGRESS_FAILED->` needs progress and a failing sink). */
function eventFeatures(transition: string): Feature[] {
  const event = /-([A-Z_]+)->/.exec(transition)?.[1] ?? '';
  const out: Feature[] = [];
  if (event.startsWith('PROGRESS')) out.push('send-status');
  if (event.endsWith('_FAILED')) out.push('sink-errors');
  if (event.startsWith('CANCEL')) out.push('cancels');
  if (event === 'FINAL_ERROR_ENTERED' || event === 'RETURNED_ERROR') out.push('provider-errors');
  if (event.startsWith('REF_')) out.push('releases');
  return out;
}

/** The fraction of the swarm's runs after which the steering looks at what is still unreached. */
const CHECKPOINTS = [0.25, 0.5, 0.75];
/** The odds of a targeted feature. */
const BOOSTED = 0.9;

/** What the swarm's runs reached so far, and the targets it steers to. */
export class Steering {
  readonly targets: SwarmTarget[] = [];
  private readonly exercised = new Set<string>();
  private readonly taken: boolean[];
  private readonly machine = compiledMachine();
  private runs = 0;
  private readonly at: number[];
  private odds: FeatureOdds = DEFAULT_ODDS;

  constructor(private readonly total: number) {
    this.taken = this.machine.transitions.map(() => false);
    this.at = CHECKPOINTS.map((f) => Math.max(1, Math.floor(total * f)));
  }

  /** The feature odds for the next run. */
  current(): FeatureOdds {
    return this.odds;
  }

  /** Folds in one swarm run: the rules it exercised and the transitions its monitor took. */
  observe(results: readonly RuleResult[], transitions: ArrayLike<number>): void {
    this.runs++;
    for (const r of results) if (r.verdict !== 'not exercised') this.exercised.add(r.rule);
    for (let i = 0; i < this.taken.length; i++) if (transitions[i]) this.taken[i] = true;
    for (const t of this.targets) {
      if (t.reachedAt !== undefined) continue;
      const reached = t.because === 'rule' ? this.exercised.has(t.rule) : this.taken[this.machine.transitions.findIndex((x) => x.id === t.transition)];
      if (reached) t.reachedAt = this.runs;
    }
    if (this.at.includes(this.runs) && this.runs < this.total) this.retarget();
  }

  private retarget(): void {
    const known = new Set(this.targets.map((t) => `${t.rule}|${t.transition ?? ''}`));
    const add = (t: Omit<SwarmTarget, 'from'>) => {
      const key = `${t.rule}|${t.transition ?? ''}`;
      if (known.has(key)) return;
      known.add(key);
      this.targets.push({ ...t, from: this.runs + 1 });
    };
    for (const [rule, features] of Object.entries(RULE_FEATURES)) {
      if (!this.exercised.has(rule)) add({ rule, because: 'rule', features: [...features] });
    }
    this.machine.transitions.forEach((t, i) => {
      const features = RULE_FEATURES[t.rule];
      if (!this.taken[i] && features) add({ rule: t.rule, because: 'transition', transition: t.id, features: [...new Set([...features, ...eventFeatures(t.id)])] });
    });
    const boost: Partial<Record<Feature, number>> = {};
    for (const t of this.targets) if (t.reachedAt === undefined) for (const f of t.features) boost[f] = BOOSTED;
    this.odds = { base: DEFAULT_ODDS.base, boost };
  }
}

/** One swarm run as planned: its seed, generated workload and strategy. */
export interface SwarmRun {
  seed: number;
  workload: Workload;
  strategy: Strategy;
  depth?: number;
  /** The strategy as the summary counts it: `random`, `pct:3`, `probabilistic`. */
  label: string;
}

/**
 * The swarm's runs in order: run i uses seed `seed + i`, a workload generated from it under the
 * steering's current odds, and the portfolio's slot i (or `strategy` for every run).
 * `observe` must be told each run's result before the next is planned.
 */
export class SwarmPlan {
  readonly steering: Steering;
  constructor(private readonly seed: number, total: number, private readonly strategy: (i: number, seed: number, w: Workload) => { strategy: Strategy; depth?: number; label: string } = portfolioRun) {
    this.steering = new Steering(total);
  }

  run(i: number): SwarmRun {
    const seed = this.seed + i;
    const { workload } = generateWorkload(seed, this.steering.current());
    return { seed, workload, ...this.strategy(i, seed, workload) };
  }

  observe(results: readonly RuleResult[], transitions: ArrayLike<number>): void {
    this.steering.observe(results, transitions);
  }
}

/** Run i's strategy from the portfolio, labelled for the summary. */
export function portfolioRun(i: number, seed: number, workload: Workload): { strategy: Strategy; depth?: number; label: string } {
  const { strategy, slot } = portfolioStrategy(i, seed, workload);
  return { strategy, depth: slot.depth, label: slot.depth !== undefined ? `${slot.name}:${slot.depth}` : slot.name };
}

export { DEFAULT_SWARM_RUNS } from './workload-generator.ts';
