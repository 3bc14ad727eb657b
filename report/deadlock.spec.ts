import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../cli/cli-test-helper.ts';
import { html, md } from './escape.ts';
import { resultProblem } from './read-result.ts';
import { deadlockLines } from './deadlock.ts';

afterEach(() => vi.restoreAllMocks());
const dir = mkdtempSync(join(tmpdir(), 'wbemsim-deadlock-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** AutoIt's example against the Wine model: SWbemSink.Cancel from inside OnCompleted never returns. */
const ARGS = ['run', '--impl', 'wine', '--client', 'autoit', '--workload', 'held-query-cancel', '--runs', '3'];
const CYCLE = 'client thread sink:c1#3f → waits on the return of SWbemSink.Cancel on autoit.sink → held by the broker, which waits for callback sink:c1#3f to return: a cycle, the thread waits for itself';
const FLAG = 'client thread main → waits on the done flag OnCompleted sets → held by nobody: the condition can no longer become true';

describe("a deadlock's cycle in run's summary", () => {
  it('splits a deadlock detail into its items', () => {
    expect(deadlockLines('a never returned; client thread t → waits on x → held by nobody')).toEqual(['a never returned', 'client thread t → waits on x → held by nobody']);
    expect(deadlockLines(undefined)).toEqual([]);
  });

  it('prints thread → waits on → held by in the text, --json and the report', async () => {
    const text = await runCli(...ARGS);
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/run ends: deadlock 3\n {4}deadlock in held-query-cancel \(3 runs; first at seed 1\):\n/);
    expect(text.out).toContain(`      ${CYCLE}\n`);
    expect(text.out).toContain(`      ${FLAG}\n`);

    const json = JSON.parse((await runCli(...ARGS, '--json')).out) as { deadlocks: { workload: string; seed: number; runs: number; replay: string; cycle: string[] }[] };
    expect(json.deadlocks).toHaveLength(1);
    expect(json.deadlocks[0]).toMatchObject({ workload: 'held-query-cancel', seed: 1, runs: 3 });
    expect(json.deadlocks[0]!.cycle).toContain(CYCLE);
    expect(json.deadlocks[0]!.cycle).toContain(FLAG);
    // The token replays the run that deadlocked, with the same detail.
    const replay = await runCli('replay', json.deadlocks[0]!.replay);
    expect(replay.out).toContain(CYCLE);

    const out = join(dir, 'report');
    expect((await runCli(...ARGS, '--report', out)).code).toBe(0);
    const result = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8'));
    expect(resultProblem(result)).toBeUndefined();
    expect(result.deadlocks).toEqual(json.deadlocks);
    const page = readFileSync(join(out, 'index.html'), 'utf8');
    expect(page).toContain(`<li>${html(CYCLE)}</li>`);
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toContain(`  - ${md(CYCLE)}`);
  });

  it('says nothing of deadlocks when no run deadlocked', async () => {
    const r = await runCli('run', '--impl', 'reference', '--client', 'autoit', '--workload', 'held-query-cancel', '--runs', '2', '--json');
    expect(JSON.parse(r.out).deadlocks).toBeUndefined();
  });
});

describe("a deadlock's cycle in explore's summary", () => {
  const EXPLORE = ['explore', '--impl', 'wine', '--client', 'autoit', '--workload', 'held-query-cancel'];

  it.each(['stateful', 'breadth-first', 're-execution'])('%s: counts the deadlocked paths and prints the first one\'s cycle and token', async (mode) => {
    const text = await runCli(...EXPLORE, '--mode', mode);
    expect(text.out).toMatch(/ {2}deadlock: \d+ of \d+ (paths|runs) ended with nothing able to move while something still waited; the first \(\d+ steps\):\n/);
    expect(text.out).toContain(`    ${CYCLE}\n`);
    const json = JSON.parse((await runCli(...EXPLORE, '--mode', mode, '--json')).out) as { explorations: { ends: Record<string, number>; deadlock?: { detail: string; token: string } }[] };
    const x = json.explorations[0]!;
    expect(x.ends.deadlock).toBeGreaterThan(0);
    expect(deadlockLines(x.deadlock!.detail)).toContain(CYCLE);
    const replay = await runCli('replay', x.deadlock!.token);
    expect(replay.out).toContain(CYCLE);
  });

  it('says nothing of deadlocks where no path ended in one', async () => {
    const text = await runCli('explore', '--impl', 'reference', '--client', 'autoit-fixed', '--workload', 'held-query-cancel');
    expect(text.out).not.toContain('deadlock');
  });
});
