import { readFileSync } from 'node:fs';
import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ReferenceBroker } from '../brokers/reference-broker.ts';
import { MUTANTS } from '../brokers/mutants/index.ts';
import { WineModel } from '../brokers/wine-model.ts';
import { packagePath } from '../package-root.ts';
import { runCli } from '../cli/cli-test-helper.ts';
import type { Exploration } from './explorer.ts';
import { exploreWorkloads } from './explore-workloads.ts';
import { PorUnsound, SinkPersistentSets, type PorView } from './persistent-sets.ts';
import { stepOf } from './strategy.ts';
import { replaySpec } from './replay.ts';
import { decodeToken, encodeToken, TokenError } from './replay-token.ts';
import { exploreStateful } from './stateful-explorer.ts';
import { World } from './world.ts';
import type { Workload } from './workload.ts';

/**
 * `explore --por` (sim/persistent-sets.ts): providers untimed, then one sink's steps explored
 * alone where the other sinks' commute with them. Sound when the search with the persistent sets
 * finds what the search without them (providers untimed too) finds, for every broker that keeps
 * each step within its sink, and refuses, naming the step, a broker that does not.
 */
const PINS = JSON.parse(readFileSync(packagePath('sim', 'explore-pins.json'), 'utf8')) as { mutant: string; workload: string; rules: string[] }[];
const spin = (config: string): Workload => JSON.parse(readFileSync(packagePath('bench', 'spin', `wbemsim-equivalent-${config}.json`), 'utf8')) as Workload;
const threeCalls = exploreWorkloads().find((w) => w.name === 'explore-three-calls-two-sinks')!;
const rulesOf = (x: Exploration) => [...new Set(x.violations.map((v) => `${v.by}:${v.rule}`))].sort();

describe('untimed providers', () => {
  const query: Workload = { name: 'one-query', sinks: [{ id: 's1' }], calls: [{ id: 'c1', op: 'ExecQueryAsync', sink: 's1', objects: 3 }] };
  /** Takes the steps of `world` until a provider produced; whether it may produce again at once. */
  const produceTwice = (untimed: boolean): boolean => {
    const world = new World(query, new ReferenceBroker(), { watchdog: 50, ...(untimed ? { untimedProviders: true } : {}) });
    for (let i = 0; i < 50; i++) {
      const steps = world.enabled();
      const produce = steps.find((s) => s.kind === 'produce');
      if (produce) {
        world.take(produce);
        return world.enabled().some((s) => s.kind === 'produce');
      }
      if (steps.length === 0) world.advanceTo(world.nextTimer()!);
      else world.take(steps[0]!);
    }
    throw new Error('the provider never produced');
  };
  it('produce again at once, where a timed provider waits a tick', () => {
    expect(produceTwice(true)).toBe(true);
    expect(produceTwice(false)).toBe(false);
  });

  it('are recorded in a replay token, and a token with a bad value is refused', () => {
    const spec = { impl: 'reference', workload: query, strategy: 'exhaustive', seed: 0, choices: [0, 1], untimedProviders: true };
    expect(decodeToken(encodeToken(spec)).untimedProviders).toBe(true);
    expect(decodeToken(encodeToken({ ...spec, untimedProviders: undefined })).untimedProviders).toBeUndefined();
    // A run part whose header says untimedProviders: "yes" (varint length, header JSON, then no steps, choices or checks).
    const header = Buffer.from(JSON.stringify({ impl: 'reference', strategy: 'exhaustive', seed: 0, untimedProviders: 'yes' }));
    const run = deflateRawSync(Buffer.concat([Buffer.from([header.length]), header, Buffer.from([0, 0, 0])])).toString('base64url');
    const [prefix, workload] = encodeToken(spec).split('.');
    expect(() => decodeToken(`${prefix}.${workload}.${run}`)).toThrow(/its untimedProviders is not true/);
  });
});

describe('which workloads the persistent sets apply to', () => {
  it('those with calls on two sinks or more, fast sinks and no client action but cancels', () => {
    expect(SinkPersistentSets.refusal(spin('2-2-1'))).toBeUndefined();
    expect(SinkPersistentSets.refusal(threeCalls)).toBeUndefined();
    expect(SinkPersistentSets.refusal({ ...threeCalls, calls: threeCalls.calls.map((c) => ({ ...c, sink: 's1' })) })).toBe('its calls all use one sink');
    expect(SinkPersistentSets.refusal({ ...threeCalls, sinks: [{ id: 's1' }, { id: 's2', behaviour: 'slow' }] })).toMatch(/^sink s2 is slow: only fast sinks/);
    expect(SinkPersistentSets.refusal({ ...threeCalls, actions: [{ kind: 'release-sink', sink: 's1' }] })).toMatch(/release-sink action/);
    expect(SinkPersistentSets.refusal({ ...threeCalls, actions: [{ kind: 'cancel', id: 'k1', sink: null }] })).toBe('cancel k1 has no sink');
  });

  it('says why in the result, and is then the plain search, timed providers included', () => {
    const w = exploreWorkloads().find((x) => x.name === 'explore-shared-sink-cancel')!;
    const x = exploreStateful({ impl: 'reference', broker: new ReferenceBroker(), workload: w, por: true });
    const plain = exploreStateful({ impl: 'reference', broker: new ReferenceBroker(), workload: w });
    expect(x.por).toEqual({ refusal: 'its calls all use one sink' });
    expect({ states: x.states, transitions: x.transitions, complete: x.complete }).toEqual({ states: plain.states, transitions: plain.transitions, complete: true });
    expect(x.violations.every((v) => decodeToken(v.token).untimedProviders === undefined)).toBe(true);
  });
});

describe('the persistent set chosen at a state', () => {
  // c1 on s1; c2 and c3 on s2, c3 once c1 returned; a cancel of s1 still to come.
  const w: Workload = {
    name: 'two-sinks-waiting', sinks: [{ id: 's1' }, { id: 's2' }],
    calls: [{ id: 'c1', op: 'ExecQueryAsync', sink: 's1' }, { id: 'c2', op: 'DeleteInstanceAsync', sink: 's2' }, { id: 'c3', op: 'DeleteInstanceAsync', sink: 's2', after: 'c1' }],
    actions: [{ kind: 'cancel', id: 'k1', sink: 's1' }],
  };
  const sets = SinkPersistentSets.of(w)!;
  const view = (o: { waits?: { call: string; on: string }[]; pending?: string[]; running?: string[]; finals?: string[]; open?: boolean } = {}): PorView => ({
    pendingCancels: () => o.pending ?? [], runningCancels: () => o.running ?? [], isFinalCallback: (cb) => (o.finals ?? []).includes(cb),
    waits: () => o.waits ?? [], hasOpenCall: () => o.open === true,
  });
  const ret1 = stepOf('broker', 'ret:c1', 'c1');
  const ind2 = stepOf('broker', 'ind:c2', 'c2');
  const fin2 = stepOf('return', 'cb7', 'c2');
  const act = stepOf('act', '0', undefined, 'k1');
  const produce2 = stepOf('produce', 'c2', 'c2');

  it('is one sink\'s steps, the fewest, when nothing joins the sinks', () => {
    expect(sets.choose(view(), [ret1, ind2, stepOf('produce', 'c1', 'c1')])).toEqual(new Set([1]));
  });
  it('is every step while a call of one sink waits for a call of the other (its return will enable it)', () => {
    expect(sets.choose(view({ waits: [{ call: 'c3', on: 'c1' }] }), [ret1, ind2])).toBeUndefined();
  });
  it('depends on the state, not on the order of the enabled steps: ties go to the sink named first', () => {
    expect(sets.choose(view(), [ret1, ind2])).toEqual(new Set([0]));
    expect(sets.choose(view(), [ind2, ret1])).toEqual(new Set([1]));
  });
  it('leaves out a sink whose enabled steps include a cancel\'s, the smaller one', () => {
    expect(sets.choose(view({ pending: ['k1'] }), [act, ind2, produce2])).toEqual(new Set([1, 2]));
  });
  it('leaves out a sink with a final status coming back while another sink\'s cancel is still to come or running', () => {
    const steps = [ret1, stepOf('produce', 'c1', 'c1'), fin2];
    expect(sets.choose(view({ pending: ['k1'], finals: ['cb7'] }), steps)).toEqual(new Set([0, 1]));
    expect(sets.choose(view({ running: ['k1'], finals: ['cb7'] }), steps)).toEqual(new Set([0, 1]));
    expect(sets.choose(view({ finals: ['cb7'] }), steps)).toEqual(new Set([2]));
  });
  it('is checked against each step taken: a release of a sink with its call open while another sink\'s cancel is to come, a cancel\'s event in another step', () => {
    const release = [{ type: 'sink.release' as const, sink: 's2', count: 1, by: 'broker' as const }];
    expect(() => sets.check(ind2, false, release, view({ pending: ['k1'], open: true }), 'b')).toThrow(/step broker:ind:c2 released a reference to sink s2 while a call made with it had not ended/);
    expect(() => sets.check(ind2, true, release, view({ pending: ['k1'], open: true }), 'b')).not.toThrow();
    expect(() => sets.check(ind2, false, release, view({ open: true }), 'b')).not.toThrow();
    expect(() => sets.check(ind2, false, release, view({ pending: ['k1'] }), 'b')).not.toThrow();
    expect(() => sets.check(ind2, false, [{ type: 'cancel.returned', cancel: 'k1', hr: 0 }], view(), 'b')).toThrow(/acted on cancel k1 of sink s1/);
    expect(() => sets.check(ret1, false, [{ type: 'cancel.returned', cancel: 'k1', hr: 0 }], view(), 'b')).toThrow(/acted for cancel k1 without naming it/);
    expect(() => sets.check(act, false, [{ type: 'cancel.returned', cancel: 'k1', hr: 0 }], view(), 'b')).not.toThrow();
  });
});

describe('the persistent sets', () => {
  it('cut the states of the Spin 2/2/1 equivalent, with the same verdict', () => {
    const por = exploreStateful({ impl: 'reference', broker: new ReferenceBroker(), workload: spin('2-2-1'), por: true, maxStates: 100_000 });
    const all = exploreStateful({ impl: 'reference', broker: new ReferenceBroker(), workload: spin('2-2-1'), por: true, noPersistentSets: true, maxStates: 100_000 });
    expect(por.complete && all.complete).toBe(true);
    expect(por.conformant && all.conformant).toBe(true);
    expect(por.states * 2).toBeLessThan(all.states);
    expect(por.por).toEqual({ reduced: expect.any(Number) });
    expect((por.por as { reduced: number }).reduced).toBeGreaterThan(0);
    expect(all.por).toEqual({ reduced: 0 });
  }, 120_000);

  // Three mutants break what the reduction takes of a broker; the search says so and stops.
  const REFUSED: Record<string, RegExp> = {
    'cancels-whole-services': /step broker:pc:k1 processed call c3 of sink s2/,
    'releases-before-final': /step broker:fin:c3 released a reference to sink s2 while a call made with it had not ended and a cancel of sink s1 was to come or running/,
    'release-after-cancel-returns': /acted on call c2 of sink s1/,
  };
  it('find the same violated rules as without them under the reference broker, the Wine model and every mutant of the zoo, or refuse the broker', () => {
    const brokers = [{ name: 'reference', create: () => new ReferenceBroker() as ReferenceBroker | WineModel }, { name: 'wine', create: () => new WineModel() }, ...MUTANTS];
    let cut = 0;
    for (const m of brokers) {
      const all = exploreStateful({ impl: m.name, broker: m.create(), workload: threeCalls, por: true, noPersistentSets: true });
      if (REFUSED[m.name]) {
        expect(() => exploreStateful({ impl: m.name, broker: m.create(), workload: threeCalls, por: true }), m.name).toThrow(REFUSED[m.name]!);
        expect(() => exploreStateful({ impl: m.name, broker: m.create(), workload: threeCalls, por: true }), m.name).toThrow(PorUnsound);
        continue;
      }
      const por = exploreStateful({ impl: m.name, broker: m.create(), workload: threeCalls, por: true });
      expect({ broker: m.name, rules: rulesOf(por), complete: por.complete }).toEqual({ broker: m.name, rules: rulesOf(all), complete: all.complete });
      expect(por.states, m.name).toBeLessThanOrEqual(all.states);
      if (por.states < all.states) cut++;
      // What the timed search reached on this configuration (sim/explore-pins.json) is still reached.
      const pin = PINS.find((p) => p.mutant === m.name && p.workload === threeCalls.name);
      if (pin) expect(rulesOf(por).map((r) => r.replace(/^\w+:/, '')), m.name).toEqual(expect.arrayContaining(pin.rules.map((r) => r.replace(/^\w+:/, ''))));
    }
    expect(cut).toBeGreaterThan(brokers.length / 2);
  }, 600_000);

  it.each(['double-final', 'indicate-after-final', 'cancelled-final-ok'])('find the same violated rules on the Spin 2/2/1 equivalent as without them under mutant %s', (name) => {
    const m = MUTANTS.find((x) => x.name === name)!;
    const por = exploreStateful({ impl: name, broker: m.create(), workload: spin('2-2-1'), por: true, maxStates: 100_000 });
    const all = exploreStateful({ impl: name, broker: m.create(), workload: spin('2-2-1'), por: true, noPersistentSets: true, maxStates: 100_000 });
    expect(por.complete && all.complete).toBe(true);
    expect(por.violations.length).toBeGreaterThan(0);
    expect(rulesOf(por)).toEqual(rulesOf(all));
    expect(por.states).toBeLessThan(all.states);
  }, 120_000);

  it('with hash compaction, find the same violated rules as without them', () => {
    const m = MUTANTS.find((x) => x.name === 'double-final')!;
    const por = exploreStateful({ impl: m.name, broker: m.create(), workload: threeCalls, por: true, bitstate: true });
    const all = exploreStateful({ impl: m.name, broker: m.create(), workload: threeCalls, por: true, noPersistentSets: true });
    expect(por.complete).toBe(true);
    expect(por.violations.length).toBeGreaterThan(0);
    expect(rulesOf(por)).toEqual(rulesOf(all));
  });

  it('give witnesses whose tokens replay with untimed providers to the rule they break', () => {
    const m = MUTANTS.find((x) => x.name === 'no-addref')!;
    const x = exploreStateful({ impl: `mutant:${m.name}`, broker: m.create(), workload: threeCalls, por: true });
    expect(x.violations.length).toBeGreaterThan(0);
    for (const v of x.violations) {
      const spec = decodeToken(v.token);
      expect(spec.untimedProviders).toBe(true);
      const r = replaySpec(spec, spec.workload as Workload, m.create(), false);
      const broken = v.by === 'judge' ? r.judge.violations.map((f) => f.rule) : r.monitor.flatMap((f) => f.rules);
      expect(broken, v.rule).toContain(v.rule);
    }
  });
});

describe('explore --por', () => {
  it('prints what the reduction did, and exits 2 with the reason for a broker it cannot reduce', async () => {
    const file = packagePath('bench', 'spin', 'wbemsim-equivalent-2-2-1.json');
    const ok = await runCli('explore', '--por', '--workload', file);
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/partial-order reduction: providers untimed; one sink's steps explored alone where the others' commute with them \(\d+ expansions\)/);
    const bad = await runCli('explore', '--por', '--workload', 'explore-three-calls-two-sinks', '--impl', 'mutant:release-after-cancel-returns');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--por: broker .*acted on call c2 of sink s1; .*explore this broker without --por/);
  }, 120_000);
});
