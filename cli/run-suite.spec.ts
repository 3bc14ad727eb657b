/**
 * `wbemsim run` with no workload is the conformance suite: every scenario, then the swarm
 * campaign, with a summary of what covered which rule.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCli } from './cli-test-helper.ts';
import { suiteScenarios } from '../scenarios/suite.ts';

afterEach(() => vi.restoreAllMocks());

describe('run without --workload', () => {
  it('runs every scenario, then the swarm campaign under the portfolio, and says what covered which rule', async () => {
    const r = await runCli('run', '--runs', '16');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(new RegExp(`^wbemsim run: reference, the conformance suite: ${suiteScenarios().length} scenarios, then a swarm campaign of 16 generated workloads \\(seeds 1\\.\\.16\\), strategy portfolio`));
    expect(r.out).toMatch(/swarm strategies: random 8, pct:2 2, probabilistic 2, pct:3 2, pct:5 2/);
    expect(r.out).toMatch(/rules covered by a scenario: \d+; only by the swarm campaign: \d+/);
    expect(r.out).toMatch(/Verdict: CONFORMANT \(no must rule violated in \d+ runs\)/);
  });

  it('--json carries the suite summary; --strategy random runs the swarm under one strategy', async () => {
    const r = await runCli('run', '--runs', '4', '--strategy', 'random', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.strategy).toBe('random');
    expect(j.runs).toBe(suiteScenarios().length + 4);
    expect(j.suite).toMatchObject({ scenarios: suiteScenarios().length, swarmRuns: 4, strategies: { random: 4 } });
    expect(j.suite.byScenario).toContain('CANCELLED-STATUS');
  });

  it('with --workload, runs that workload as before', async () => {
    const r = await runCli('run', '--workload', 'held-query-cancel', '--runs', '3', '--json');
    const j = JSON.parse(r.out);
    expect(j.runs).toBe(3);
    expect(j.strategy).toBe('random');
    expect(j.suite).toBeUndefined();
  });
});
