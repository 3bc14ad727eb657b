/**
 * The race mutants the built-in workloads miss: the conformance suite's swarm campaign finds them
 * on its own (a scenario pins each race too; here the swarm runs without them), and a failing
 * run's token carries its generated workload inline and replays it.
 */
import { describe, expect, it } from 'vitest';
import { runMany } from '../../sim/campaign.ts';
import { decodeToken } from '../../sim/replay-token.ts';
import { replay } from '../../sim/replay.ts';
import { findMutant } from './index.ts';

describe('a race mutant under the swarm campaign', () => {
  it('finds a race the built-in workloads miss, and its token carries the generated workload and replays it', () => {
    const m = findMutant('wrapped-cancel-keeps-result');
    const c = runMany({ impl: `mutant:${m.name}`, factory: m.create, workloads: [], strategy: 'portfolio', seed: 1, runs: 0, scenarios: [], swarm: 100 });
    const v = c.violations.find((f) => f.rule === 'CANCELLED-STATUS')!;
    expect(v.workload).toMatch(/^swarm-\d+$/);
    const spec = decodeToken(v.replay!);
    expect(typeof spec.workload).toBe('object');
    const again = replay(v.replay!, m.create);
    expect(again.judge.violations.map((f) => f.rule)).toContain('CANCELLED-STATUS');
  });
});
