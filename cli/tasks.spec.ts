/**
 * The workers of `run` and `explore` take the workloads and scenarios the main thread already read
 * and checked: a worker does not read a workload or scenario file again.
 */
import { describe, expect, it } from 'vitest';
import { runInWorker, taskEntry } from './worker.ts';
import { suiteScenarioData } from '../scenarios/suite.ts';
import { exploreWorkloads } from '../sim/explore-workloads.ts';
import { loadWorkload } from '../sim/workloads.ts';
import type { ExploreResult, ExploreTask, RunTask, RunTaskResult } from './tasks.ts';

describe('the tasks of run and explore in a worker', () => {
  it('run the suite\'s scenarios handed over, not the scenario files', async () => {
    const all = suiteScenarioData();
    const withClient = all.find((s) => s.client !== undefined)!;
    // Names no scenario file has: only a worker that uses what it was given knows them.
    const handed = [{ ...all[0]!, name: 'handed-over-1' }, { ...withClient, name: 'handed-over-2' }];
    const task = { impl: 'reference', workloadNames: [], workloads: [], suite: true, scenarios: handed, runs: 0, swarm: 0, seed: 1, strategy: 'portfolio', shrinkBudget: 0, keepTraceOf: 'shown' } satisfies RunTask;
    const r = await runInWorker<RunTaskResult>(taskEntry('tasks'), 'run', task);
    expect(r.campaign.suite?.scenarios).toBe(2);
    expect(r.campaign.runs).toBe(2);
  }, 60_000);

  it('run the workloads handed over, without reading them by name again', async () => {
    const mixed = loadWorkload('mixed');
    const task = { impl: 'reference', workloadNames: ['no-such-workload'], workloads: [mixed], runs: 3, seed: 1, strategy: 'random', shrinkBudget: 0 } satisfies RunTask;
    const r = await runInWorker<RunTaskResult>(taskEntry('tasks'), 'run', task);
    expect(r.campaign.runs).toBe(3);
  }, 60_000);

  it('explore the workloads handed over, without reading them by name again', async () => {
    const w = exploreWorkloads()[0]!;
    const task = { impl: 'reference', workloadNames: ['no-such-workload'], workloads: [w], maxStates: 50 } satisfies ExploreTask;
    const r = await runInWorker<ExploreResult>(taskEntry('tasks'), 'explore', task);
    expect(r.results.map((x) => x.workload)).toEqual([w.name]);
  }, 60_000);
});
