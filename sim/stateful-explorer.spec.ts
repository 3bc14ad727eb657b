import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ReferenceBroker } from '../brokers/reference-broker.ts';
import { MUTANTS } from '../brokers/mutants/index.ts';
import { PlantedRaceBroker, plantedRaceWorkload } from '../brokers/mutants/planted-race.ts';
import { packagePath } from '../package-root.ts';
import { explore, exploreByReexecution, type Exploration } from './explorer.ts';
import { exploreWorkloads } from './explore-workloads.ts';
import { exploreStateful, shortestWitnesses } from './stateful-explorer.ts';
import { loadWorkload } from './workloads.ts';
import { decodeToken } from './replay-token.ts';
import { runOnce } from './run.ts';
import type { Workload } from './workload.ts';
import { World } from './world.ts';

/**
 * The stateful search against its oracle, the re-execution search: the same states, transitions
 * and violated rules, and every (mutant, configuration, rule) that re-execution reached, pinned in
 * sim/explore-pins.json by scripts/pin-explore-mutants.ts, still reached.
 */
const PINS = JSON.parse(readFileSync(packagePath('sim', 'explore-pins.json'), 'utf8')) as { mutant: string; workload: string; rules: string[]; complete: boolean }[];
const config = (name: string): Workload => exploreWorkloads().find((w) => w.name === name)!;
const rulesOf = (x: Exploration) => [...new Set(x.violations.map((v) => `${v.by}:${v.rule}`))].sort();

describe('stateful search against re-execution', () => {
  it.each(['explore-method-progress-wrapped', 'explore-three-calls-two-sinks'])('finds the same states and transitions on %s', (name) => {
    const a = exploreStateful({ impl: 'reference', broker: new ReferenceBroker(), workload: config(name) });
    const b = exploreByReexecution({ impl: 'reference', broker: new ReferenceBroker(), workload: config(name) });
    expect(a.mode).toBe('stateful');
    expect(b.mode).toBe('re-execution');
    expect({ states: a.states, transitions: a.transitions, complete: a.complete }).toEqual({ states: b.states, transitions: b.transitions, complete: b.complete });
    expect(a.conformant).toBe(true);
  });

  it('finds the planted race with the same counts, and its token replays to it', () => {
    const a = exploreStateful({ impl: 'planted-race', broker: new PlantedRaceBroker(), workload: plantedRaceWorkload });
    const b = exploreByReexecution({ impl: 'planted-race', broker: new PlantedRaceBroker(), workload: plantedRaceWorkload });
    expect({ states: a.states, transitions: a.transitions }).toEqual({ states: b.states, transitions: b.transitions });
    expect(rulesOf(a)).toEqual(rulesOf(b));
    const v = a.violations.find((x) => x.by === 'judge')!;
    const spec = decodeToken(v.token);
    const r = runOnce({
      impl: spec.impl, broker: new PlantedRaceBroker(), workload: spec.workload as Workload, seed: spec.seed,
      choices: spec.choices, strict: true, maxSteps: spec.maxSteps, strategy: { name: spec.strategy, choose: () => 0 },
    });
    expect(r.judge.violations.map((f) => f.rule)).toContain(v.rule);
    expect(r.steps).toBe(v.steps);
  });

  it('is what explore uses for a broker that can be saved and restored, unless re-execution is asked for', () => {
    const w = config('explore-method-progress-wrapped');
    expect(explore({ impl: 'reference', broker: new ReferenceBroker(), workload: w, maxStates: 10 }).mode).toBe('stateful');
    expect(explore({ impl: 'reference', broker: new ReferenceBroker(), workload: w, maxStates: 10, mode: 're-execution' }).mode).toBe('re-execution');
    expect(explore({ impl: 'reference', broker: new ReferenceBroker(), workload: w, maxStates: 10, onRun: () => {} }).mode).toBe('re-execution');
  });

  it('with hash compaction, finds the same violated rules and states its probability of an omission', () => {
    const full = exploreStateful({ impl: 'planted-race', broker: new PlantedRaceBroker(), workload: plantedRaceWorkload });
    const compact = exploreStateful({ impl: 'planted-race', broker: new PlantedRaceBroker(), workload: plantedRaceWorkload, bitstate: true });
    expect(rulesOf(compact)).toEqual(rulesOf(full));
    expect(compact.complete).toBe(true);
    expect(compact.states).toBeGreaterThanOrEqual(full.states);
    expect(compact.hashCompaction!.omission).toBeLessThan(1e-9);
    expect(compact.hashCompaction!.bytesPerState).toBeLessThanOrEqual(48);
    expect(full.hashCompaction).toBeUndefined();
  });

  it('with hash compaction, stores and expands each state once, without sleep sets', () => {
    // A sleep set would be part of the stored hash: a state met with two sleep sets would be stored twice.
    const w = config('explore-three-calls-two-sinks');
    const full = exploreStateful({ impl: 'reference', broker: new ReferenceBroker(), workload: w });
    const plain = exploreStateful({ impl: 'reference', broker: new ReferenceBroker(), workload: w, noReduction: true });
    const compact = exploreStateful({ impl: 'reference', broker: new ReferenceBroker(), workload: w, bitstate: true });
    expect(compact.complete).toBe(true);
    expect(compact.states).toBe(full.states);
    expect(compact.transitions).toBe(plain.transitions);
    expect(rulesOf(compact)).toEqual(rulesOf(full));
  });

  it('stops at the state bound and says the search is incomplete', () => {
    const x = exploreStateful({ impl: 'reference', broker: new ReferenceBroker(), workload: config('explore-shared-sink-cancel'), maxStates: 100 });
    expect(x.complete).toBe(false);
    expect(x.cut).toBe('max-states');
    const y = exploreStateful({ impl: 'reference', broker: new ReferenceBroker(), workload: config('explore-method-progress-wrapped'), maxSteps: 5 });
    expect(y.cut).toBe('max-steps');
  });
});

describe('a race that needs two overlapping cancels', () => {
  it('is found on the configuration with two cancels of one sink, on its target rule, with a token that replays to it', () => {
    const m = MUTANTS.find((x) => x.name === 'overlapping-cancels-lose-call')!;
    const x = explore({ impl: `mutant:${m.name}`, broker: m.create(), workload: config('explore-two-overlapping-cancels') });
    expect(x.complete).toBe(true);
    const v = x.violations.find((f) => f.rule === 'FINAL-STATUS-ONCE')!;
    expect(v).toBeDefined();
    const spec = decodeToken(v.token);
    const r = runOnce({
      impl: spec.impl, broker: m.create(), workload: spec.workload as Workload, seed: spec.seed,
      choices: spec.choices, strict: true, maxSteps: spec.maxSteps, strategy: { name: spec.strategy, choose: () => 0 }, keepTrace: true,
    });
    expect(r.judge.violations.map((f) => f.rule)).toContain('FINAL-STATUS-ONCE');
    // The two cancels were in flight at once: each entered before the other returned.
    const at = (type: string, cancel: string) => r.trace!.findIndex((e) => e.type === type && (e as { cancel?: string }).cancel === cancel);
    expect(at('cancel.entered', 'k1')).toBeLessThan(at('cancel.returned', 'k2'));
    expect(at('cancel.entered', 'k2')).toBeLessThan(at('cancel.returned', 'k1'));
  });
});

describe('every mutant that re-execution reached is still reached', () => {
  // The two small configurations for every mutant; the larger one only where it alone finds a rule.
  const small = new Set(['explore-method-progress-wrapped', 'explore-three-calls-two-sinks']);
  const cases = PINS.filter((p) => small.has(p.workload) || p.rules.some((r) => !PINS.some((q) => q.mutant === p.mutant && small.has(q.workload) && q.rules.includes(r))));
  it('pins only mutants and configurations that exist', () => {
    for (const p of PINS) {
      expect(MUTANTS.some((m) => m.name === p.mutant), p.mutant).toBe(true);
      expect(exploreWorkloads().some((w) => w.name === p.workload), p.workload).toBe(true);
    }
  });
  it.each(cases.map((p) => [p.mutant, p.workload, p] as const))('mutant %s on %s', (_m, _w, p) => {
    const m = MUTANTS.find((x) => x.name === p.mutant)!;
    const x = exploreStateful({ impl: `mutant:${m.name}`, broker: m.create(), workload: config(p.workload) });
    expect(x.complete).toBe(p.complete);
    expect(rulesOf(x)).toEqual(p.rules);
  });
});

describe('breadth-first search for the shortest witness', () => {
  const mutants = ['no-addref', 'indicate-after-final', 'unknown-sink-ok', 'cancelled-final-ok', 'double-final'];
  it.each(['cancel-unused-sink', 'held-query-cancel'])('finds on %s every rule the depth-first search finds, with a witness no longer, that breaks it when replayed', (name) => {
    const workload = loadWorkload(name);
    for (const m of mutants) {
      const make = MUTANTS.find((x) => x.name === m)!.create;
      const dfs = exploreStateful({ impl: `mutant:${m}`, broker: make(), workload });
      const bfs = shortestWitnesses({ impl: `mutant:${m}`, broker: make(), workload });
      expect(dfs.complete && bfs.complete, m).toBe(true);
      const rules = (xs: { rule: string; by: string }[]) => [...new Set(xs.map((x) => `${x.by}:${x.rule}`))].sort();
      expect(rules(bfs.witnesses), m).toEqual(rules(dfs.violations));
      for (const w of bfs.witnesses) {
        const d = dfs.violations.find((v) => v.rule === w.rule && v.by === w.by)!;
        expect(w.steps, `${m} ${w.rule}`).toBeLessThanOrEqual(d.steps);
        expect(w.choices.length).toBe(w.steps);
        const again = runOnce({ impl: 'x', broker: make(), workload, seed: 0, choices: w.choices, strategy: { name: 'first', choose: () => 0 } });
        expect(again.judge.violations.some((v) => v.rule === w.rule) || again.monitor.some((x) => x.rules.includes(w.rule)), `${m} ${w.rule}`).toBe(true);
      }
    }
  });
  it('says how many steps a search cut by its state bound covered whole: exactly the levels the bound let it finish', () => {
    const workload = loadWorkload('held-query-cancel');
    const make = MUTANTS.find((x) => x.name === 'cancelled-final-ok')!.create;
    const search = (maxStates?: number, maxSteps?: number) =>
      shortestWitnesses({ impl: 'mutant:cancelled-final-ok', broker: make(), workload, ...(maxStates ? { maxStates } : {}), ...(maxSteps ? { maxSteps } : {}) }, new Set(['CANCELLED-STATUS']));
    const whole = search();
    const shortest = whole.witnesses.find((w) => w.rule === 'CANCELLED-STATUS')!.steps;
    expect(whole.exhaustedSteps).toBe(shortest);
    for (const maxStates of [5, 10, 20]) {
      const cut = search(maxStates);
      expect(cut.complete, `${maxStates}`).toBe(false);
      expect(cut.exhaustedSteps, `${maxStates}`).toBeLessThan(shortest);
      // The runs of that many steps reach no more states than the bound; one step further, they do.
      expect(search(undefined, cut.exhaustedSteps).states, `${maxStates}`).toBeLessThanOrEqual(maxStates);
      expect(search(undefined, cut.exhaustedSteps + 1).states, `${maxStates}`).toBeGreaterThan(maxStates);
    }
  });
});

describe('the world saved for stateful search', () => {
  it('keeps the events not yet taken as copies, which the caller may number and freeze', () => {
    const world = new World(config('explore-three-calls-two-sinks'), new ReferenceBroker(), { watchdog: 50 });
    world.take(world.enabled()[0]!);
    const pending = world.events.map((e) => ({ ...e }));
    expect(pending.length).toBeGreaterThan(0);
    const saved = world.save();
    for (const [i, e] of world.events.entries()) Object.freeze(Object.assign(e, { seq: i + 1 }));
    world.events.length = 0;
    for (let round = 0; round < 2; round++) {
      world.restore(saved);
      expect(world.events).toEqual(pending);
      world.events.length = 0;
    }
  });
});
