import { describe, expect, it } from 'vitest';
import { ReferenceBroker } from '../brokers/reference-broker.ts';
import { suiteScenarios } from '../scenarios/suite.ts';
import { runMany } from './campaign.ts';
import { PctStrategy } from './pct-strategy.ts';
import { ProbabilisticStrategy } from './strategies.ts';
import { RandomStrategy, stepOf } from './strategy.ts';
import { PORTFOLIO, portfolioRun, Steering, SwarmPlan } from './swarm.ts';
import { compiledMachine } from '../specs/compiled-machine.ts';
import type { RuleResult } from '../specs/check.ts';

describe('the strategy portfolio', () => {
  it('rotates random (every other run), PCT at depths 2, 3 and 5, and the probabilistic walk, one per run', () => {
    const plan = new SwarmPlan(1, 12);
    const labels = Array.from({ length: PORTFOLIO.length }, (_, i) => plan.run(i).label);
    expect(labels).toEqual(['random', 'pct:2', 'random', 'probabilistic', 'random', 'pct:3', 'random', 'pct:5']);
    const w = plan.run(0).workload;
    expect(portfolioRun(1, 5, w).strategy).toBeInstanceOf(PctStrategy);
    expect(portfolioRun(3, 5, w).strategy).toBeInstanceOf(ProbabilisticStrategy);
    expect(portfolioRun(8, 5, w).strategy).toBeInstanceOf(RandomStrategy);
  });

  it('the probabilistic walk stays on the thread that ran last unless it switches', () => {
    const s = new ProbabilisticStrategy(3, 0);
    const steps = [stepOf('broker', 'a', 'c1'), stepOf('broker', 'b', 'c2'), stepOf('broker', 'c', 'c2')];
    const first = s.choose(steps);
    const thread = steps[first]!.call;
    for (let i = 0; i < 20; i++) expect(steps[s.choose(steps)]!.call).toBe(thread);
  });
});

describe('the steering', () => {
  it('targets the rules and transitions no run reached at its checkpoints, raises their features, and marks them reached', () => {
    const steering = new Steering(8);
    const none = new Uint8Array(compiledMachine().transitions.length);
    steering.observe([], none);
    expect(steering.targets).toEqual([]);
    steering.observe([], none);
    expect(steering.targets.length).toBeGreaterThan(0);
    const overlap = steering.targets.find((t) => t.rule === 'FINAL-STATUS-ONCE' && t.because === 'rule')!;
    expect(overlap).toMatchObject({ features: ['cancels', 'overlapping-cancels'], from: 3 });
    expect(steering.current().boost?.['overlapping-cancels']).toBe(0.9);
    const held = { rule: 'FINAL-STATUS-ONCE', verdict: 'held' } as RuleResult;
    steering.observe([held], none);
    expect(overlap.reachedAt).toBe(3);
  });
});

describe('the default campaign: scenarios, then the swarm', () => {
  const suite = suiteScenarios();

  it('passes the reference broker, says what covered which rule, and is deterministic', () => {
    const make = () => runMany({ impl: 'reference', factory: () => new ReferenceBroker(), workloads: [], strategy: 'portfolio', seed: 1, runs: 0, scenarios: suite, swarm: 60 });
    const c = make();
    expect(c.conformant).toBe(true);
    expect(c.runs).toBe(suite.length + 60);
    expect(c.suite!.scenarios).toBe(suite.length);
    expect(c.suite!.swarmRuns).toBe(60);
    expect(c.suite!.byScenario).toContain('CANCEL-COVERS-SHARING-CALLS');
    const all = new Set([...c.suite!.byScenario, ...c.suite!.onlyByCampaign, ...c.suite!.notCovered]);
    expect(all.size).toBe(c.rules.length);
    expect(Object.values(c.suite!.strategies).reduce((a, b) => a + b, 0)).toBe(60);
    const again = make();
    expect({ ...again, wall: 0 }).toEqual({ ...c, wall: 0 });
  });
});
