/**
 * The work of the long commands, run in a worker thread (cli/interrupt.ts, cli/task-worker.mjs):
 * everything crosses the thread boundary as plain data (names, numbers, results), and the stop
 * flag is shared memory, polled between steps.
 */
import { ImplError, resolveImpl } from '../brokers/implementations.ts';
import { runMutantZoo, type ZooOptions, type ZooResult } from '../brokers/mutants/run-mutant-zoo.ts';
import { BrokerFailure, Interrupted, type BrokerFactory } from '../sim/broker-adapter.ts';
import { runMany, type Campaign, type CampaignOptions } from '../sim/campaign.ts';
import { explore, type Exploration } from '../sim/explorer.ts';
import { exploreWorkloads } from '../sim/explore-workloads.ts';
import { builtinWorkloads } from '../sim/workloads.ts';
import { decodeToken } from '../sim/replay-token.ts';
import type { RunResult } from '../sim/run.ts';
import { UsageError } from './usage-error.ts';
import { notStarted } from './impl.ts';
import { replayToken } from './replay-command.ts';
import { load } from './explore-command.ts';
import { runScenario } from '../scenarios/scenario.ts';
import { suiteScenarios } from '../scenarios/suite.ts';
import { scenarioOrUsage } from './scenario-command.ts';
import { parentPort } from 'node:worker_threads';

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
export interface RunTask extends Omit<CampaignOptions, 'factory' | 'workloads' | 'clock' | 'interrupted' | 'onRun'> {
  /** Workload names or files; none means every built-in workload (unless `suite`). */
  workloadNames: string[];
  /** Run the conformance suite: every scenario, then `swarm` runs on generated workloads. */
  suite?: boolean;
  stepTimeoutMs?: number;
  /** Post progress messages while running. */
  progress?: boolean;
}

/** `explore`: one exploration per workload, with the implementation and workloads by name. */
export interface ExploreTask {
  impl: string;
  workloadNames: string[];
  maxSteps?: number;
  maxStates?: number;
  watchdog?: number;
  timeBudgetMs?: number;
  /** Post progress messages while exploring. */
  progress?: boolean;
}

/** What `explore` hands back: the explorations finished (or cut), and whether a stop request cut them. */
export interface ExploreResult {
  results: Omit<Exploration, 'coverage'>[];
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
}

/** What `scenario` hands back: the run, unless a stop request came before it could start. */
export interface ScenarioTaskResult {
  run?: RunResult;
  interrupted: boolean;
}

/** `mutants`: the zoo's options (the built-in workloads). */
export type MutantsTask = Omit<ZooOptions, 'workloads' | 'interrupted'>;

/** The entry point of the worker: runs `task` with `payload`, polling `stop`. */
export async function runTask(task: string, payload: unknown, stop: Int32Array): Promise<unknown> {
  const interrupted = () => Atomics.load(stop, 0) !== 0;
  switch (task) {
    case 'run': {
      const p = payload as RunTask;
      const workloads = p.suite ? [] : p.workloadNames.length ? p.workloadNames.map(load) : builtinWorkloads();
      const scenarios = p.suite ? suiteScenarios() : undefined;
      const factory = await implFactory(p.impl, { stepTimeoutMs: p.stepTimeoutMs, interrupt: stop });
      const { workloadNames: _w, stepTimeoutMs: _s, progress: wanted, suite: _suite, ...options } = p;
      const post = progressPoster(wanted);
      const planned = p.strategy === 'exhaustive' ? undefined : p.runs * workloads.length + (scenarios?.length ?? 0) + (p.swarm ?? 0);
      const onRun = post ? (x: { runs: number; steps: number; violations: number }) => post({ ...x, planned }) : undefined;
      return runMany({ ...options, ...(scenarios ? { scenarios } : {}), factory: startChecked(factory), workloads, clock: () => performance.now(), interrupted, onRun }) satisfies Campaign;
    }
    case 'explore': {
      const p = payload as ExploreTask;
      const workloads = p.workloadNames.length ? p.workloadNames.map(load) : exploreWorkloads();
      const factory = await implFactory(p.impl, { interrupt: stop });
      const started = performance.now();
      const deadline = p.timeBudgetMs !== undefined ? started + p.timeBudgetMs : undefined;
      const shouldStop = () => interrupted() || (deadline !== undefined && performance.now() > deadline);
      const results: ExploreResult['results'] = [];
      let broker;
      try {
        broker = startChecked(factory)();
      } catch (err) {
        // Interrupted while the broker process was starting: nothing was explored.
        if (err instanceof Interrupted) return { results, wallMs: Math.round(performance.now() - started), interrupted: true } satisfies ExploreResult;
        throw err;
      }
      try {
          const post = progressPoster(p.progress);
        let runsBefore = 0;
        const violated = new Set<string>();
        for (const workload of workloads) {
          if (interrupted()) break;
          let runs = 0;
          const onRun = post ? (r: RunResult) => { runs++; for (const v of r.judge.violations) violated.add(v.rule); post({ runs: runsBefore + runs, steps: 0, violations: violated.size }); } : undefined;
          const { coverage: _coverage, ...r } = explore({ impl: p.impl, broker, workload, maxSteps: p.maxSteps, maxStates: p.maxStates, watchdog: p.watchdog, shouldStop, ...(onRun ? { onRun } : {}) });
          runsBefore += r.runs;
          results.push(r);
        }
      } finally {
        broker.close?.();
      }
      return { results, wallMs: Math.round(performance.now() - started), interrupted: interrupted() } satisfies ExploreResult;
    }
    case 'replay': {
      const { token, impl } = payload as { token: string; impl?: string };
      const factory = await implFactory(impl ?? decodeToken(token).impl, { interrupt: stop });
      try {
        return { run: replayToken(token, startChecked(factory), interrupted), interrupted: interrupted() } satisfies ReplayResult;
      } catch (err) {
        // Interrupted while the broker process was starting: nothing was run.
        if (err instanceof Interrupted) return { interrupted: true } satisfies ReplayResult;
        throw err;
      }
    }
    case 'scenario': {
      const p = payload as ScenarioTask;
      const factory = await implFactory(p.impl, { interrupt: stop });
      try {
        return { run: await runScenario(scenarioOrUsage(p.scenario), startChecked(factory), p.impl, interrupted), interrupted: interrupted() } satisfies ScenarioTaskResult;
      } catch (err) {
        if (err instanceof Interrupted) return { interrupted: true } satisfies ScenarioTaskResult;
        throw err;
      }
    }
    case 'mutants':
      return runMutantZoo({ ...(payload as MutantsTask), interrupted }) satisfies ZooResult;
    default:
      throw new Error(`unknown task ${JSON.stringify(task)}`);
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

