import { describe, expect, it } from 'vitest';
import { ReferenceBroker } from '../brokers/reference-broker.ts';
import { MUTANTS } from '../brokers/mutants/index.ts';
import { PlantedRaceBroker, plantedRaceWorkload } from '../brokers/mutants/planted-race.ts';
import { decodeToken } from './replay-token.ts';
import { explore } from './explorer.ts';
import { exploreWorkloads } from './explore-workloads.ts';
import { runOnce } from './run.ts';
import type { Workload } from './workload.ts';

/**
 * The pinned sizes of the built-in explore configurations. They are defined by the state key
 * (docs/exploration.md): a change to the world, the broker, the lifecycle machine or the key that
 * changes them must be deliberate. Check the new numbers, then update them here.
 */
const PINNED: Record<string, { states: number; transitions: number }> = {
  'explore-method-progress-wrapped': { states: 641, transitions: 1431 },
  'explore-shared-sink-cancel': { states: 8582, transitions: 24517 },
  'explore-three-calls-two-sinks': { states: 912, transitions: 2340 },
  'explore-two-overlapping-cancels': { states: 8661, transitions: 25063 },
};

const config = (name: string): Workload => exploreWorkloads().find((w) => w.name === name)!;

describe('exhaustive exploration', () => {
  const results = new Map(exploreWorkloads().map((w) => [w.name, explore({ impl: 'reference', broker: new ReferenceBroker(), workload: w })]));

  it('has exactly the pinned built-in configurations', () => {
    expect([...results.keys()]).toEqual(Object.keys(PINNED));
  });

  it.each(Object.keys(PINNED))('covers the whole state space of %s with the pinned counts', (name) => {
    const r = results.get(name)!;
    expect(r.complete).toBe(true);
    expect({ states: r.states, transitions: r.transitions },
      `${name}: the state space changed; if the change to the model or the state key is deliberate, update PINNED in sim/explorer.spec.ts`).toEqual(PINNED[name]);
  });

  it.each(Object.keys(PINNED))('proves the reference broker conformant on %s', (name) => {
    const r = results.get(name)!;
    expect(r.violations.map((v) => `${v.rule} (${v.by}): ${v.explanation}\n  wbemsim replay ${v.token}`)).toEqual([]);
    expect(r.conformant).toBe(true);
  });

  it('finds the same violated rules with and without the partial-order reduction', () => {
    const w = config('explore-three-calls-two-sinks');
    const broker = () => new PlantedRaceBroker();
    const reduced = explore({ impl: 'planted-race', broker: broker(), workload: w });
    const plain = explore({ impl: 'planted-race', broker: broker(), workload: w, noReduction: true });
    expect(reduced.states).toBe(plain.states);
    expect(reduced.transitions).toBeLessThan(plain.transitions);
    expect(reduced.violations.map((v) => v.rule).sort()).toEqual(plain.violations.map((v) => v.rule).sort());
  });

  it('stops at a bound and says the exploration is incomplete', () => {
    const r = explore({ impl: 'reference', broker: new ReferenceBroker(), workload: config('explore-shared-sink-cancel'), maxStates: 100 });
    expect(r.complete).toBe(false);
    expect(r.cut).toBe('max-states');
    const s = explore({ impl: 'reference', broker: new ReferenceBroker(), workload: config('explore-method-progress-wrapped'), maxSteps: 5 });
    expect(s.complete).toBe(false);
    expect(s.cut).toBe('max-steps');
  });

  it('under a step bound, re-execution goes on past the first bounded run and finds what the stateful search finds', () => {
    const m = MUTANTS.find((x) => x.name === 'double-final')!;
    const w = config('explore-three-calls-two-sinks');
    const rules = (x: { violations: { rule: string }[] }) => [...new Set(x.violations.map((v) => v.rule))].sort();
    const again = explore({ impl: 'mutant:double-final', broker: m.create(), workload: w, maxSteps: 14, mode: 're-execution' });
    const stateful = explore({ impl: 'mutant:double-final', broker: m.create(), workload: w, maxSteps: 14, mode: 'stateful' });
    expect(again.cut).toBe('max-steps');
    expect(again.runs).toBeGreaterThan(100);
    expect(rules(stateful)).toContain('FINAL-STATUS-ONCE');
    expect(rules(again)).toEqual(rules(stateful));
  });

  it.each([8, 14])('under a step bound of %i, both depth-first searches explore the same states and transitions', (maxSteps) => {
    // A state where a path was cut is not stored by either: its steps were not explored.
    for (const name of ['explore-three-calls-two-sinks', 'explore-method-progress-wrapped']) {
      const w = config(name);
      const again = explore({ impl: 'reference', broker: new ReferenceBroker(), workload: w, maxSteps, mode: 're-execution' });
      const stateful = explore({ impl: 'reference', broker: new ReferenceBroker(), workload: w, maxSteps, mode: 'stateful', noSymmetry: true });
      expect([again.states, again.transitions, again.cut]).toEqual([stateful.states, stateful.transitions, stateful.cut]);
      // Three-calls-two-sinks is cut by both bounds.
      if (name === 'explore-three-calls-two-sinks') expect(again.cut).toBe('max-steps');
    }
  });

  it('stops at the first violation also once a path was cut by the step bound', () => {
    const m = MUTANTS.find((x) => x.name === 'double-final')!;
    const w = config('explore-three-calls-two-sinks');
    for (const mode of ['re-execution', 'stateful'] as const) {
      const all = explore({ impl: 'mutant:double-final', broker: m.create(), workload: w, maxSteps: 14, mode });
      const first = explore({ impl: 'mutant:double-final', broker: m.create(), workload: w, maxSteps: 14, mode, stopAtFirstViolation: true });
      expect(all.ends.bound).toBeGreaterThan(0);
      // What ended the search is reported, not the bound met before it.
      expect(first.cut).toBe('first-violation');
      expect(first.ends.bound).toBeGreaterThan(0);
      expect(first.runs).toBeLessThan(all.runs / 2);
      expect(first.violations.length).toBeGreaterThan(0);
    }
  });

  it('judges a path cut by the step bound whole in every mode: a final status missing after the sink was released is a violation', () => {
    // The mutant releases the sink of a cancelled call without its final status: decided at once
    // by the run's end, even a run cut by the bound.
    const m = MUTANTS.find((x) => x.name === 'no-cancelled-final')!;
    const w = config('explore-three-calls-two-sinks');
    for (const mode of ['re-execution', 'stateful', 'breadth-first'] as const) {
      const x = explore({ impl: 'mutant:no-cancelled-final', broker: m.create(), workload: w, maxSteps: 10, mode });
      expect(x.cut).toBe('max-steps');
      expect(x.violations.map((v) => v.rule)).toEqual(['FINAL-STATUS-ONCE']);
      expect(x.ends.bound).toBeGreaterThan(0);
      // Its witness, replayed, is cut by the same bound and breaks the rule again.
      const again = runOnce({ impl: 'mutant:no-cancelled-final', broker: m.create(), workload: w, seed: 0, strategy: { name: 'exhaustive', choose: () => 0 }, choices: decodeToken(x.violations[0]!.token).choices, maxSteps: 10 });
      expect(again.end.reason).toBe('bound');
      expect(again.judge.violations.map((v) => v.rule)).toContain('FINAL-STATUS-ONCE');
    }
  });

  it.each(['re-execution', 'stateful', 'breadth-first'] as const)('is cut, not complete, when the table fills on its last branch (%s)', (mode) => {
    // The first state has one enabled step (the first call is issued): no branch is left when the
    // table of one state is full at the second.
    const r = explore({ impl: 'reference', broker: new ReferenceBroker(), workload: config('explore-method-progress-wrapped'), maxStates: 1, mode });
    expect(r.states).toBe(1);
    expect(r.complete).toBe(false);
    expect(r.cut).toBe('max-states');
  });
});

describe('the planted race under exhaustive exploration', () => {
  const r = explore({ impl: 'planted-race', broker: new PlantedRaceBroker(), workload: plantedRaceWorkload });

  it('finds CANCELLED-STATUS broken, and nothing else', () => {
    expect(r.complete).toBe(true);
    expect(r.conformant).toBe(false);
    expect([...new Set(r.violations.map((v) => v.rule))]).toEqual(['CANCELLED-STATUS']);
  });

  it('gives a token that replays to the same verdict, byte for byte', () => {
    const v = r.violations.find((x) => x.by === 'judge')!;
    const spec = decodeToken(v.token);
    expect(spec.strategy).toBe('exhaustive');
    const run = () => runOnce({
      impl: spec.impl, broker: new PlantedRaceBroker(), workload: spec.workload as Workload, seed: spec.seed,
      choices: spec.choices, strict: true, maxSteps: spec.maxSteps, keepTrace: true, strategy: { name: spec.strategy, choose: () => 0 },
    });
    const a = run();
    const b = run();
    expect(a.token).toBe(v.token);
    expect(a.judge.violations.map((f) => f.rule)).toEqual(['CANCELLED-STATUS']);
    expect(JSON.stringify(a.trace)).toBe(JSON.stringify(b.trace));
    expect(a.steps).toBe(v.steps);
  });
});
