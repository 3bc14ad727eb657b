/**
 * `explore --shard k/n` then `merge`, and `explore --workers N`: the parts split each workload's
 * states by hash; merged, they give the verdicts and violated rules of one exploration, with each
 * rule's canonical witness, and counts labelled as sums over the parts.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCli } from './cli-test-helper.ts';
import { compareWitnesses, mergeExplorations } from './explore-merge.ts';
import type { ExploreResult } from './tasks.ts';

afterEach(() => vi.restoreAllMocks());

const WORKLOADS = ['--workload', 'explore-three-calls-two-sinks', '--workload', 'explore-method-progress-wrapped'];

interface Explored { workload: string; complete: boolean; conformant: boolean; states: number; violations: { rule: string; by: string; steps: number; token: string }[] }

/** Per workload: complete, conformant, and the violated rules. */
const verdicts = (j: { conformant: boolean; explorations: Explored[] }) => ({
  conformant: j.conformant,
  workloads: j.explorations.map((x) => ({ workload: x.workload, complete: x.complete, conformant: x.conformant, rules: [...new Set(x.violations.map((v) => `${v.by}:${v.rule}`))].sort() })),
});

describe('explore --shard k/n, then merge', () => {
  it.each(['reference', 'mutant:double-final'])('%s: 3 shards merged give the verdicts and violated rules of one exploration', async (impl) => {
    const one = await runCli('explore', '--impl', impl, ...WORKLOADS, '--json', '--quiet');
    const dir = mkdtempSync(join(tmpdir(), 'wbemsim-explore-shard-'));
    const files = [1, 2, 3].map((k) => join(dir, `x${k}.json`));
    for (const [i, file] of files.entries()) {
      const r = await runCli('explore', '--impl', impl, ...WORKLOADS, '--shard', `${i + 1}/3`, '--out', file, '--quiet');
      expect(r.err).toBe('');
    }
    const merged = await runCli('merge', files[2]!, files[0]!, files[1]!, '--json');
    expect(merged.err).toBe('');
    expect(merged.code).toBe(one.code);
    const m = JSON.parse(merged.out);
    const o = JSON.parse(one.out);
    expect(verdicts(m)).toEqual(verdicts(o));
    expect(m).toMatchObject({ parts: 3, counts: 'per-shard sums' });
    // Each rule's witness is the canonical one of the shards' witnesses: merging in another order picks the same.
    const again = JSON.parse((await runCli('merge', files[1]!, files[2]!, files[0]!, '--json')).out);
    expect(again.explorations).toEqual(m.explorations);
    if (impl !== 'reference') expect(m.conformant).toBe(false);
    const text = await runCli('merge', ...files);
    expect(text.out).toMatch(/^wbemsim explore: merged from 3 parts; states, transitions, paths, runs and steps are per-shard sums/);
  }, 300_000);

  it('--workers 2 gives the verdicts and violated rules of --workers 1', async () => {
    const one = await runCli('explore', '--impl', 'mutant:double-final', ...WORKLOADS, '--json', '--quiet');
    const two = await runCli('explore', '--impl', 'mutant:double-final', ...WORKLOADS, '--workers', '2', '--json', '--quiet');
    const [o, t] = [JSON.parse(one.out), JSON.parse(two.out)];
    expect(verdicts(t)).toEqual(verdicts(o));
    expect(two.code).toBe(one.code);
    // The threads share the states they claim: the sum of their states is about the states of one
    // search (the levels above the split are counted by both), not nearly twice as many.
    for (const [i, x] of (t.explorations as (Explored & { sharedClaims?: { omission: number } })[]).entries()) {
      expect(x.sharedClaims?.omission).toBeLessThan(1e-9);
      expect(x.states).toBeGreaterThanOrEqual(o.explorations[i].states);
      expect(x.states).toBeLessThan(o.explorations[i].states * 1.1);
    }
    const text = await runCli('explore', '--impl', 'mutant:double-final', ...WORKLOADS, '--workers', '2', '--quiet');
    expect(t).toMatchObject({ parts: 2, counts: 'per-worker sums' });
    expect(text.out).toMatch(/^wbemsim explore: 2 worker threads; states, transitions, paths, runs and steps are sums over the workers/);
    expect(text.out).toMatch(/workers: the threads shared the states they explored by a 64-bit hash; estimated probability that a state was omitted: \d/);
  }, 300_000);
});

describe('the canonical witness', () => {
  it('is the shortest run, then the smaller choice list', () => {
    expect(compareWitnesses({ steps: 3, token: 'x' }, { steps: 4, token: 'a' })).toBeLessThan(0);
    expect(compareWitnesses({ steps: 4, token: 'b' }, { steps: 4, token: 'a' })).toBeGreaterThan(0);
  });
});

describe('the probability that shared claims omitted a state, merged', () => {
  const part = (omission: number): ExploreResult => ({
    results: [{ impl: 'reference', mode: 'stateful', workload: 'w', states: 10, transitions: 12, runs: 3, steps: 12, complete: true, sharedClaims: { omission }, conformant: true, violations: [], ends: { quiescent: 3 } }],
    coverage: { reachedStates: [], reachedTransitions: [] }, wallMs: 1, interrupted: false,
  });
  it('is the largest of the parts for the workers of one process (one table), the sum for shards (a table each)', () => {
    expect(mergeExplorations([part(1e-12), part(3e-12)], ['w'], 1, true).results[0]!.sharedClaims).toEqual({ omission: 3e-12 });
    expect(mergeExplorations([part(1e-12), part(3e-12)], ['w'], 1).results[0]!.sharedClaims!.omission).toBeCloseTo(4e-12, 20);
  });
});
