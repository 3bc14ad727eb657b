import { beforeAll, describe, expect, it } from 'vitest';
import { ImplError, resolveImpl } from '../registry.ts';
import { runOnce } from '../../sim/run.ts';
import { builtinWorkloads } from '../../sim/workloads.ts';
import { RULES } from '../../specs/rules.ts';
import { MUTANTS, RACE_MUTANTS } from './index.ts';
import { suiteScenarios } from '../../scenarios/suite.ts';
import { DEFAULT_SWARM_RUNS } from '../../sim/swarm.ts';
import { DEFAULT_ZOO_RUNS, runMutantZoo, zooScoreLine, type ZooResult } from './run-mutant-zoo.ts';

/** Broker- and scripting-party `must` rules that no mutant can break through the adapter API (docs/mutants.md). */
const NOT_COVERABLE = new Set(['CANCEL-AFTER-CLIENT-RELEASE']);

describe('the mutant zoo', () => {
  let zoo: ZooResult;
  // The whole zoo, the race mutants through the scenarios and the swarm campaign: minutes on a busy machine.
  beforeAll(() => {
    zoo = runMutantZoo();
  }, 900_000);

  it('has at least 20 mutants, at least 6 of them interleaving-specific, with unique names', () => {
    expect(MUTANTS.length).toBeGreaterThanOrEqual(20);
    expect(MUTANTS.filter((m) => m.interleaving).length).toBeGreaterThanOrEqual(6);
    expect(new Set(MUTANTS.map((m) => m.name)).size).toBe(MUTANTS.length);
  });

  it('targets only rule IDs of the catalogue', () => {
    const ids = new Set(RULES.map((r) => r.id));
    for (const m of MUTANTS) for (const t of m.targets) expect(ids.has(t), `${m.name} targets ${t}`).toBe(true);
  });

  it('has a mutant for every must rule a broker or the scripting layer can break', () => {
    const targeted = new Set(MUTANTS.flatMap((m) => m.targets));
    const missing = RULES.filter((r) => r.kind === 'must' && r.party !== 'client' && !targeted.has(r.id) && !NOT_COVERABLE.has(r.id)).map((r) => r.id);
    expect(missing).toEqual([]);
  });

  it.each(MUTANTS.map((m) => m.name))('kills %s with a rule it targets, within the default budget', (name) => {
    const m = zoo.mutants.find((x) => x.name === name)!;
    expect(m.killed, `${name} survived ${m.runsMade} runs`).toBe(true);
    expect(m.byTarget, `${name} caught only by ${m.caughtBy.join(', ')}`).toBe(true);
    expect(m.suspect, `${name} caught only by findings the reference broker gets too: ${m.evidence}`).toBe(false);
    expect(m.caughtBy.some((r) => m.targets.includes(r))).toBe(true);
    // The workloads' budget, then the conformance suite: every scenario and the swarm campaign.
    expect(m.runsToDetect).toBeLessThanOrEqual(DEFAULT_ZOO_RUNS * (builtinWorkloads().length + 1) + suiteScenarios().length + DEFAULT_SWARM_RUNS);
  });

  it('has at least 10 race mutants that the built-in workloads miss, one of them needing two overlapping cancels', () => {
    expect(RACE_MUTANTS.length).toBeGreaterThanOrEqual(10);
    expect(RACE_MUTANTS.map((m) => m.name)).toContain('overlapping-cancels-lose-call');
    for (const m of RACE_MUTANTS) {
      const caught = zoo.mutants.find((x) => x.name === m.name)!;
      // Caught after the workloads' whole budget: by a scenario or by the swarm campaign.
      expect(caught.runsToDetect!, `${m.name} was caught by the built-in workloads`).toBeGreaterThan(DEFAULT_ZOO_RUNS * builtinWorkloads().length);
      expect(caught.workload).toMatch(/^(scenario|swarm) /);
    }
  });

  it('scores every mutant and says so in one line', () => {
    expect(zoo.score).toEqual({ killed: MUTANTS.length, weak: 0, suspect: 0, total: MUTANTS.length });
    expect(zooScoreLine(zoo)).toBe(`mutant zoo: ${MUTANTS.length}/${MUTANTS.length} killed by their targeted rules`);
  });

  it('is deterministic: the same options give the same verdicts and replay tokens', () => {
    const only = ['double-final', 'late-callbacks', 'planted-race'];
    const again = runMutantZoo({ only });
    expect(again.mutants).toEqual(zoo.mutants.filter((m) => only.includes(m.name)));
  });

  it('finds the interleaving-specific faults only in some interleavings: other runs reach the targeted rule and keep it', () => {
    for (const m of MUTANTS.filter((x) => x.interleaving)) {
      const workloads = [...builtinWorkloads(), ...(m.workloads ?? [])];
      const broker = m.create();
      let kept: string | undefined;
      for (let seed = 1; seed <= 10 && !kept; seed++) {
        for (const workload of workloads) {
          const r = runOnce({ impl: `mutant:${m.name}`, broker, workload, seed });
          const verdicts = r.judge.results.filter((x) => m.targets.includes(x.rule)).map((x) => x.verdict);
          if (verdicts.includes('held') && !verdicts.includes('violated')) { kept = `${workload.name} seed ${seed}`; break; }
        }
      }
      expect(kept, `${m.name} broke its target whenever it reached it`).toBeDefined();
    }
  });
});

describe('--impl mutant:NAME', () => {
  it('resolves every mutant to a fresh adapter named after it', async () => {
    for (const m of MUTANTS) {
      const factory = await resolveImpl(`mutant:${m.name}`);
      const a = factory();
      expect(a).not.toBe(factory());
      expect(a.info.name).toContain(m.name);
    }
  });

  it('rejects an unknown name with the list of names', async () => {
    await expect(resolveImpl('mutant:no-such-thing')).rejects.toThrow(ImplError);
    await expect(resolveImpl('mutant:no-such-thing')).rejects.toThrow(/one of: blocking-return, .*planted-race/);
  });
});
