/**
 * The work of the long commands, run in a worker thread (cli/interrupt.ts, cli/task-worker.mjs):
 * everything crosses the thread boundary as plain data (names, numbers, the workloads and scenarios
 * the main thread already checked, results), and the stop flag is shared memory, polled between steps.
 */
import { ImplError, resolveImpl } from '../brokers/implementations.ts';
import type { MutantOutcome, ZooOptions, ZooResult } from '../brokers/mutants/run-mutant-zoo.ts';
import { BrokerFailure, Interrupted, type BrokerAdapter, type BrokerFactory } from '../sim/broker-adapter.ts';
import { plannedRuns, runCampaign, shrunkPieces, type Campaign, type CampaignOptions, type ShardPart, type ShardSpec, type ShrunkPiece } from '../sim/campaign.ts';
import type { ShrinkReport } from '../sim/shrink.ts';
import type { Exploration, ExploreMode } from '../sim/explorer.ts';
import { builtinWorkloads } from '../sim/workloads.ts';
import type { Workload } from '../sim/workload.ts';
import type { RunResult } from '../sim/run.ts';
import { UsageError } from './usage-error.ts';
import { PorUnsound } from '../sim/persistent-sets.ts';
import { EXPLORE_SPLIT_DEPTH } from './shard-file.ts';
import { SharedClaims } from '../sim/shared-claims.ts';
import { notStarted } from './impl.ts';
import { load } from './load-workload.ts';
import { suiteOf, suiteScenarios, type SuiteScenarioData } from '../scenarios/suite.ts';
import { parentPort } from 'node:worker_threads';
import { resolveClient } from '../clients/index.ts';

import type { Progress } from './progress.ts';

const PROGRESS_EVERY_MS = 250;

/** A progress reporter that posts to the main thread, throttled by the wall clock; undefined when not asked for. */
function progressPoster(wanted: boolean | undefined): ((p: Progress) => void) | undefined {
  if (!wanted || !parentPort) return undefined;
  const port = parentPort;
  let last = 0;
  return (p) => {
    const now = performance.now();
    if (now - last < PROGRESS_EVERY_MS) return;
    last = now;
    port.postMessage({ t: 'progress', progress: p });
  };
}

/** `run`: the campaign's options, with the implementation and workloads by name. */
export interface RunTask extends Omit<CampaignOptions, 'factory' | 'workloads' | 'scenarios' | 'clock' | 'interrupted' | 'onRun' | 'client'> {
  /** The `--client` value (clients/index.ts). */
  client?: string;
  /** Workload names or files; none means every built-in workload (unless `suite`). */
  workloadNames: string[];
  /** The workloads of `workloadNames`, already read and checked (by the main thread): then not read again. */
  workloads?: Workload[];
  /** The suite's scenarios, already read and checked (suiteScenarioData): then not read again. */
  scenarios?: SuiteScenarioData[];
  /** Run the conformance suite: every scenario, then `swarm` runs on generated workloads. */
  suite?: boolean;
  stepTimeoutMs?: number;
  /** Post progress messages while running. */
  progress?: boolean;
  /** Runs each violation's shrink may make; 0 shows the witnesses as found. */
  shrinkBudget?: number;
  /** Make only this part of the campaign, and hand back its runs' records for a merge. */
  shard?: ShardSpec;
}

/** What `run` hands back: the campaign (of the shard's part only, for a shard) and, for a shard, what a merge needs. */
export interface RunTaskResult {
  campaign: Campaign;
  part?: ShardPart;
  shrunk?: ShrunkPiece[];
}

/** `explore`: one exploration per workload, with the implementation and workloads by name. */
export interface ExploreTask {
  impl: string;
  /** The `--client` value (clients/index.ts). */
  client?: string;
  workloadNames: string[];
  /** The workloads of `workloadNames`, already read and checked (by the main thread): then not read again. */
  workloads?: Workload[];
  maxSteps?: number;
  maxStates?: number;
  watchdog?: number;
  timeBudgetMs?: number;
  /** Post progress messages while exploring. */
  progress?: boolean;
  /** Stateful (depth-first), breadth-first or re-execution (default: stateful when the broker can be saved and restored). */
  mode?: ExploreMode;
  /** Hash compaction of the visited states (stateful search only). */
  bitstate?: boolean;
  /** Partial-order reduction (ExploreOptions.por). */
  por?: boolean;
  /**
   * Explore only this part: the stateful search splits each workload by state hash at
   * EXPLORE_SPLIT_DEPTH; the other searches split the workloads between the parts.
   */
  shard?: ShardSpec;
  /**
   * This thread is worker k of n of one exploration (`--workers`): the stateful search shares the
   * states claimed (`claims`, one table per workload: sim/shared-claims.ts); the other searches
   * split the workloads as part k of n of the shard.
   */
  team?: { k: number; n: number; claims: { slots: SharedArrayBuffer; count: SharedArrayBuffer }[] };
}

/**
 * The depth at which the worker threads of one stateful search split the states between them:
 * deeper than a shard's split (the workers meet again below it anyway, and share what they
 * claimed), so that each worker starts from more states and their parts come out closer in size
 * (on 2/2/1 at depth 4 one of two workers took 20% longer than the other; at depth 6, 0.4%).
 */
const TEAM_SPLIT_DEPTH = 6;

/** A nested shard as one: part k of n, then part j of m of that, is part (k - 1) + n (j - 1) + 1 of n m. */
export function flatShard(s: ShardSpec): { k: number; n: number } {
  if (!s.within) return { k: s.k, n: s.n };
  const w = flatShard(s.within);
  return { k: s.k + s.n * (w.k - 1), n: s.n * w.n };
}

/** What `explore` hands back: the explorations finished (or cut), and whether a stop request cut them. */
export interface ExploreResult {
  results: Omit<Exploration, 'coverage'>[];
  /** The lifecycle machine's state nodes (`region.state`) and transitions (ids) any exploration reached. */
  coverage: { reachedStates: string[]; reachedTransitions: string[] };
  wallMs: number;
  interrupted: boolean;
}

/** What `replay` hands back: the run, unless a stop request came before it could start. */
export interface ReplayResult {
  run?: RunResult;
  interrupted: boolean;
}

/** `scenario`: a scenario by name or file, run with an implementation. */
export interface ScenarioTask {
  scenario: string;
  impl: string;
  /** The `--client` value, instead of the scenario's own client. */
  client?: string;
}

/** What `scenario` hands back: the run, unless a stop request came before it could start. */
export interface ScenarioTaskResult {
  run?: RunResult;
  interrupted: boolean;
}

/** `mutants`: the zoo's options (the built-in workloads). */
export interface MutantsTask extends Omit<ZooOptions, 'workloads' | 'interrupted' | 'onRun'> {
  /** Post progress messages while running. */
  progress?: boolean;
  /** Runs each catching run's shrink may make; 0 shows the catching runs as found. */
  shrinkBudget?: number;
}

/** A mutant's outcome, its catching run shrunk when it was caught by a rule it targets. */
export type ShrunkMutantOutcome = MutantOutcome & { shrink?: ShrinkReport };
/** What `mutants` hands back. */
export type MutantsResult = Omit<ZooResult, 'mutants'> & { mutants: ShrunkMutantOutcome[] };

/** The entry point of the worker: runs `task` with `payload`, polling `stop`. */
export async function runTask(task: string, payload: unknown, stop: Int32Array): Promise<unknown> {
  const interrupted = () => Atomics.load(stop, 0) !== 0;
  switch (task) {
    case 'run': {
      const p = payload as RunTask;
      const workloads = p.workloads ?? (p.suite ? [] : p.workloadNames.length ? p.workloadNames.map(load) : builtinWorkloads());
      const scenarios = p.suite ? (p.scenarios ? suiteOf(p.scenarios) : suiteScenarios()) : undefined;
      const factory = await implFactory(p.impl, { stepTimeoutMs: p.stepTimeoutMs, interrupt: stop });
      const { workloadNames: _w, workloads: _wl, scenarios: _sc, stepTimeoutMs: _s, progress: wanted, shrinkBudget, suite: _suite, client: _c, shard, ...options } = p;
      const post = progressPoster(wanted);
      const planned = p.strategy === 'exhaustive' ? undefined : plannedRuns({ ...p, workloads, scenarios }, shard);
      const onRun = post ? (x: { runs: number; steps: number; violations: number }) => post({ ...x, planned }) : undefined;
      const client = await resolveClient(p.client);
      const { campaign, part } = runCampaign({ ...options, ...(client ? { client } : {}), ...(scenarios ? { scenarios } : {}), factory: startChecked(factory), workloads, clock: () => performance.now(), interrupted, onRun }, shard, shard !== undefined);
      const done = (shrunk: Campaign): RunTaskResult => ({ campaign: shrunk, ...(shard ? { part, shrunk: shrunkPieces(campaign, shrunk) } : {}) });
      if (shrinkBudget === 0 || campaign.violations.length === 0 || campaign.interrupted || interrupted()) return done(campaign);
      // Every violation shown by its shrunk witness, one broker for all the shrinks; a broker that
      // no longer starts, or a stop request while it starts, leaves the witnesses as found.
      const { shrinkCampaign } = await import('../sim/shrink.ts');
      try {
        return done(useBroker(factory, (broker) => shrinkCampaign(campaign, broker, { budget: shrinkBudget, shouldStop: interrupted })));
      } catch (err) {
        if (err instanceof BrokerFailure || err instanceof Interrupted) return done(campaign);
        throw err;
      }
    }
    case 'explore': {
      const p = payload as ExploreTask;
      // What only this task needs is loaded here, so that the other tasks' workers load less.
      const [{ explore }, { canSnapshot }, { exploreWorkloads }, { compiledMachine }, { Coverage }] = await Promise.all([
        import('../sim/explorer.ts'), import('../sim/stateful-explorer.ts'), import('../sim/explore-workloads.ts'), import('../specs/compiled-machine.ts'), import('../specs/monitor.ts'),
      ]);
      const workloads = p.workloads ?? (p.workloadNames.length ? p.workloadNames.map(load) : exploreWorkloads());
      const client = await resolveClient(p.client);
      const started = performance.now();
      const deadline = p.timeBudgetMs !== undefined ? started + p.timeBudgetMs : undefined;
      const shouldStop = () => interrupted() || (deadline !== undefined && performance.now() > deadline);
      const results: ExploreResult['results'] = [];
      const m = compiledMachine();
      const reached = new Coverage(m.stateNodes.length, m.transitions.length);
      const done = (): ExploreResult => ({
        results, coverage: { reachedStates: m.stateNodes.filter((_, i) => reached.nodes[i]), reachedTransitions: m.transitions.filter((_, i) => reached.transitions[i]).map((t) => t.id) },
        wallMs: Math.round(performance.now() - started), interrupted: interrupted(),
      });
      return withImpl(p.impl, { interrupt: stop }, (factory) => useBroker(factory, (broker) => {
        const post = progressPoster(p.progress);
        // Counts of the workloads explored before the current one: the progress adds them up.
        let runsBefore = 0;
        let statesBefore = 0;
        const violated = new Set<string>();
        const part = p.shard ? flatShard(p.shard) : undefined;
        // The searches that do not share states split the workloads among a team's workers too.
        const teamPart = p.team ? flatShard({ ...(p.shard ?? { k: 1, n: 1 }), within: { k: p.team.k, n: p.team.n } }) : part;
        for (const [w, workload] of workloads.entries()) {
          if (interrupted()) break;
          let runs = 0;
          const mode = p.mode ?? (canSnapshot(broker) ? 'stateful' : 're-execution');
          // Without the stateful search a part explores whole workloads: every n-th.
          if (teamPart && mode !== 'stateful' && w % teamPart.n !== teamPart.k - 1) continue;
          if (p.bitstate && mode !== 'stateful') throw new UsageError('--bitstate needs the stateful search (a broker that can be saved and restored, and not --mode re-execution)');
          if (mode !== 're-execution' && !canSnapshot(broker)) throw new UsageError(`--mode ${mode}: ${p.impl} cannot be saved and restored (a broker offers snapshot and restore for that); use --mode re-execution`);
          // Re-execution hands over every run; the stateful and breadth-first searches report their counts now and then.
          const onRun = post && mode === 're-execution' ? (r: RunResult) => { runs++; for (const v of r.judge.violations) violated.add(v.rule); post({ runs: runsBefore + runs, steps: 0, violations: violated.size }); } : undefined;
          const onProgress = post && mode !== 're-execution' ? (x: { runs: number; states: number; violations: number }) => post({ runs: runsBefore + x.runs, steps: 0, states: statesBefore + x.states, violations: x.violations }) : undefined;
          let x: ReturnType<typeof explore>;
          try {
            x = explore({ impl: p.impl, broker, workload, mode, ...(client ? { client } : {}), ...(p.bitstate ? { bitstate: true } : {}), ...(p.por ? { por: true } : {}), ...(part && mode === 'stateful' ? { shard: { ...part, depth: EXPLORE_SPLIT_DEPTH } } : {}), ...(p.team && mode === 'stateful' ? { team: { claims: new SharedClaims(p.team.claims[w]!), k: p.team.k, n: p.team.n, depth: TEAM_SPLIT_DEPTH } } : {}), maxSteps: p.maxSteps, maxStates: p.maxStates, watchdog: p.watchdog, shouldStop, ...(onRun ? { onRun } : {}), ...(onProgress ? { onProgress } : {}) });
          } catch (err) {
            // A broker that acts outside a step's sink cannot be reduced: the user explores it without --por.
            if (err instanceof PorUnsound) throw new UsageError(err.message);
            throw err;
          }
          const { coverage: covered, ...r } = x;
          reached.merge(covered);
          runsBefore += r.runs;
          statesBefore += r.states;
          results.push(r);
        }
        return done() satisfies ExploreResult;
      }), () => ({ ...done(), interrupted: true }));
    }
    case 'replay': {
      const { token, impl } = payload as { token: string; impl?: string };
      const [{ decodeToken }, { replayToken }] = await Promise.all([import('../sim/replay-token.ts'), import('./replay-command.ts')]);
      return withImpl<ReplayResult>(impl ?? decodeToken(token).impl, { interrupt: stop },
        (factory) => ({ run: replayToken(token, factory, interrupted), interrupted: interrupted() }) satisfies ReplayResult,
        () => ({ interrupted: true }) satisfies ReplayResult);
    }
    case 'scenario': {
      const p = payload as ScenarioTask;
      const [{ runScenario }, { scenarioOrUsage }] = await Promise.all([import('../scenarios/scenario.ts'), import('./scenario-command.ts')]);
      return withImpl<ScenarioTaskResult>(p.impl, { interrupt: stop },
        async (factory) => ({ run: await runScenario(scenarioOrUsage(p.scenario), factory, p.impl, interrupted, await resolveClient(p.client)), interrupted: interrupted() }) satisfies ScenarioTaskResult,
        () => ({ interrupted: true }) satisfies ScenarioTaskResult);
    }
    case 'mutants': {
      const { progress: wanted, shrinkBudget, ...options } = payload as MutantsTask;
      const { runMutantZoo } = await import('../brokers/mutants/run-mutant-zoo.ts');
      const post = progressPoster(wanted);
      const onRun = post ? (p: { runs: number; mutantsDone: number; mutants: number; caught: number }) => post({ runs: p.runs, steps: 0, violations: 0, mutants: { done: p.mutantsDone, caught: p.caught, total: p.mutants } }) : undefined;
      const zoo = runMutantZoo({ ...options, interrupted, ...(onRun ? { onRun } : {}) });
      return { ...zoo, mutants: await shrinkMutants(zoo.mutants, shrinkBudget, stop) } satisfies MutantsResult;
    }
    default:
      throw new Error(`unknown task ${JSON.stringify(task)}`);
  }
}

/**
 * Each mutant caught by a rule it targets shown by its shrunk catching run: `replay` and
 * `evidence` become the shrunk run's, `shrink` gives the sizes. Nothing is shrunk after a stop
 * request, nor with a budget of 0.
 */
async function shrinkMutants(mutants: MutantOutcome[], budget: number | undefined, stop: Int32Array): Promise<ShrunkMutantOutcome[]> {
  const interrupted = () => Atomics.load(stop, 0) !== 0;
  const [{ decodeToken }, { shrinkToken }] = await Promise.all([import('../sim/replay-token.ts'), import('../sim/shrink.ts')]);
  const out: ShrunkMutantOutcome[] = [];
  for (const m of mutants) {
    const rule = m.caughtBy.find((r) => m.targets.includes(r));
    if (budget === 0 || interrupted() || !m.replay || !m.byTarget || m.suspect || !rule) { out.push(m); continue; }
    const factory = await implFactory(decodeToken(m.replay).impl, { interrupt: stop });
    const s = useBroker(factory, (broker) => shrinkToken(m.replay!, broker, rule, { budget, shouldStop: interrupted }));
    const f = s?.run.judge.violations.find((v) => v.rule === rule);
    out.push(s && f ? { ...m, replay: s.run.token, evidence: f.explanation, shrink: s.report } : m);
  }
  return out;
}

/**
 * The implementation `impl`, resolved, handed to `body` as a factory whose first broker must start
 * (startChecked). A stop request that came while a broker process was starting (Interrupted)
 * gives `whenInterrupted()` instead: nothing was run. The one place the tasks start brokers.
 */
async function withImpl<R>(impl: string, options: { stepTimeoutMs?: number; interrupt: Int32Array }, body: (factory: BrokerFactory) => R | Promise<R>, whenInterrupted: () => R): Promise<R> {
  const factory = startChecked(await implFactory(impl, options));
  try {
    return await body(factory);
  } catch (err) {
    if (err instanceof Interrupted) return whenInterrupted();
    throw err;
  }
}

/** One broker from `factory` for the length of `body`, closed after it. */
function useBroker<R>(factory: BrokerFactory, body: (broker: BrokerAdapter) => R): R {
  const broker = factory();
  try {
    return body(broker);
  } finally {
    broker.close?.();
  }
}

async function implFactory(impl: string, options: { stepTimeoutMs?: number; interrupt: Int32Array }): Promise<BrokerFactory> {
  try {
    return await resolveImpl(impl, options);
  } catch (err) {
    if (err instanceof ImplError || err instanceof BrokerFailure) throw new UsageError(err.message);
    throw err;
  }
}

/**
 * The first broker a factory makes must start: a process that dies or fails before a valid hello
 * is bad input (exit 2, "the broker did not start", with its stderr's last lines), and nothing is
 * judged. Later failures to start, after a crash, are failures of a run like any other.
 */
function startChecked(factory: BrokerFactory): BrokerFactory {
  let first = true;
  return () => {
    if (!first) return factory();
    first = false;
    try {
      return factory();
    } catch (err) {
      if (err instanceof BrokerFailure) throw notStarted(err);
      throw err;
    }
  };
}

