import { describe, expect, it } from 'vitest';
import { ReferenceBroker } from '../brokers/reference-broker.ts';
import { runMany } from './campaign.ts';
import { builtinWorkloads } from './workloads.ts';

describe('model coverage of the default suite (built-in workloads, reference broker, random strategy)', () => {
  const c = runMany({ impl: 'reference', factory: () => new ReferenceBroker(), workloads: builtinWorkloads(), strategy: 'random', seed: 1, runs: 150 });

  it('reaches every state node of the lifecycle machine', () => {
    expect(c.coverage.unreachedStates).toEqual([]);
    expect(c.coverage.states).toBe(c.coverage.statesTotal);
  });

  it('reaches every transition of the lifecycle machine', () => {
    // workloads/failing-callbacks-cancel.json is there for the PROGRESS_FAILED transitions and failing callbacks overlapping a cancelled final.
    expect(c.coverage.unreachedTransitions).toEqual([]);
    expect(c.coverage.transitions).toBe(c.coverage.transitionsTotal);
  });

  it('lists the rules the suite never exercised, with the reason', () => {
    for (const r of c.rules.filter((x) => x.verdict === 'not exercised')) expect(r.reason, r.rule).toBeTruthy();
  });
});
