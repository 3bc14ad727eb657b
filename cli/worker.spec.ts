/**
 * The one worker helper: a task runs in a worker thread, its result comes back, a UsageError
 * thrown there is a UsageError here (exit 2), and progress messages reach the listener; a worker
 * started ahead takes the next task of its module.
 */
import { describe, expect, it } from 'vitest';
import { once } from 'node:events';
import { dropAhead, runInWorker, startAhead, taskEntry, workers } from './worker.ts';
import { UsageError } from './usage-error.ts';
import type { JudgeResult } from '../specs/judge.ts';
import type { Progress } from './progress.ts';

describe('runInWorker', () => {
  it('runs check\'s task in a worker with a bounded heap and hands back its result', async () => {
    const r = await runInWorker<JudgeResult>(taskEntry('check-task'), 'check', { path: 'specs/testdata/legal-lost-race-after-cancel-returned.jsonl' }, { resourceLimits: { maxOldGenerationSizeMb: 64 } });
    expect(r.violations).toEqual([]);
    expect(r.events).toBeGreaterThan(0);
  }, 60_000);

  it('throws a usage error of the task as a UsageError, and a bug as an Error', async () => {
    await expect(runInWorker(taskEntry('check-task'), 'check', { path: 'no/such/file.jsonl' })).rejects.toBeInstanceOf(UsageError);
    const bug = runInWorker(taskEntry('check-task'), 'no-such-task', {});
    await expect(bug).rejects.toThrow(/unknown task "no-such-task"/);
    await expect(bug).rejects.not.toBeInstanceOf(UsageError);
  }, 60_000);

  it('passes the progress a task posts to the listener (the mutants task, through the same helper)', async () => {
    const seen: Progress[] = [];
    const r = await runInWorker<{ runs: number }>(taskEntry('tasks'), 'mutants', { only: ['leaks-sink'], runs: 30, progress: true, shrinkBudget: 0 }, { onProgress: (p) => seen.push(p) });
    expect((r as unknown as { mutants: unknown[] }).mutants).toHaveLength(1);
    // Posts are throttled to a few a second: a zoo run of a few seconds posts at least one.
    expect(seen.length).toBeGreaterThan(0);
    expect(seen[0]!.mutants?.total).toBe(1);
  }, 60_000);

  it('hands the next task of a module to the worker started ahead for it', async () => {
    const w = startAhead(taskEntry('check-task'));
    const r = runInWorker<JudgeResult>(taskEntry('check-task'), 'check', { path: 'specs/testdata/legal-lost-race-after-cancel-returned.jsonl' });
    expect(workers.has(w)).toBe(true);
    expect((await r).violations).toEqual([]);
  }, 60_000);

  it('does not hand a task with a bounded heap to it, and ends it when no task came', async () => {
    const w = startAhead(taskEntry('check-task'));
    const r = runInWorker<JudgeResult>(taskEntry('check-task'), 'check', { path: 'specs/testdata/legal-lost-race-after-cancel-returned.jsonl' }, { resourceLimits: { maxOldGenerationSizeMb: 64 } });
    expect(workers.has(w)).toBe(false);
    expect((await r).violations).toEqual([]);
    const exited = once(w, 'exit');
    dropAhead();
    await exited;
  }, 60_000);

  it('ends the worker started ahead for another module when one is started for a new module', async () => {
    const first = startAhead(taskEntry('check-task'));
    const exited = once(first, 'exit');
    const second = startAhead(taskEntry('tasks'));
    expect(second).not.toBe(first);
    await exited;
    dropAhead();
  }, 60_000);

  it('reports the failure of a module that does not load, whether the worker started ahead or not', async () => {
    const missing = new URL('./no-such-task-module.mjs', import.meta.url).href;
    startAhead(missing);
    await expect(runInWorker(missing, 'check', {})).rejects.toThrow(/no-such-task-module/);
    await expect(runInWorker(missing, 'check', {})).rejects.toThrow(/no-such-task-module/);
  }, 60_000);
});
