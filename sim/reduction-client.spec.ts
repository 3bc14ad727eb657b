/**
 * The partial-order reduction under a client model: steps of two calls are independent only when
 * the calls really use different sinks. A model may pass one sink to calls the workload gives
 * distinct sinks; the relation must then see the one sink the steps share, or the reduction
 * prunes orders that reach states (and verdicts) no other order reaches.
 */
import { describe, expect, it } from 'vitest';
import { ReferenceBroker } from '../brokers/reference-broker.ts';
import { resolveImpl } from '../brokers/implementations.ts';
import type { ClientModel } from './client-api.ts';
import { explore, searchBounds, type Exploration } from './explorer.ts';
import type { Step } from './strategy.ts';
import { World } from './world.ts';
import { DEFAULT_WATCHDOG } from './run.ts';
import type { Workload } from './workload.ts';

/** Two queries the workload gives distinct sinks (s1, s2), with objects and no timers. */
const WORKLOAD: Workload = {
  version: 1, name: 'two-sinks', sinks: [{ id: 's1' }, { id: 's2' }],
  calls: [{ id: 'c1', op: 'ExecQueryAsync', sink: 's1', objects: 1 }, { id: 'c2', op: 'ExecQueryAsync', sink: 's2', objects: 1 }],
} as Workload;

/** A model that passes its one sink `m` to both calls, on two threads. */
const SHARED: ClientModel = {
  name: 'one-sink-for-all', title: 'one sink shared by every call', facts: [{ kind: 'derived', source: 'a test', what: 'one sink for two calls' }],
  workload: WORKLOAD,
  start(api) {
    api.createSink('m');
    api.spawn('t1', 'call', { call: 'c1' });
    api.spawn('t2', 'call', { call: 'c2' });
  },
  run(t, api) {
    if (t.cb) {
      if (t.cb.final) api.saw(t.cb.hResult === 0 ? 'success' : 'error', `final ${t.cb.hResult}`, t.cb.call);
      return api.returnFromCallback();
    }
    if (t.at === 'call') {
      api.callAsync({ call: t.vars.call as string, sink: 'm' });
      return api.goto('returned');
    }
    api.exit();
  },
} as ClientModel;

/** The same model with a sink per call, as the workload has it. */
const SEPARATE: ClientModel = {
  ...SHARED, name: 'one-sink-per-call',
  start(api) {
    api.createSink('s1');
    api.createSink('s2');
    api.spawn('t1', 'call', { call: 'c1', sink: 's1' });
    api.spawn('t2', 'call', { call: 'c2', sink: 's2' });
  },
  run(t, api) {
    if (!t.cb && t.at === 'call') {
      api.callAsync({ call: t.vars.call as string, sink: t.vars.sink as string });
      return api.goto('returned');
    }
    return SHARED.run(t, api);
  },
} as ClientModel;

function both(client: ClientModel, impl: string, broker: () => Parameters<typeof explore>[0]['broker']): [Exploration, Exploration] {
  const reduced = explore({ impl, broker: broker(), workload: WORKLOAD, client });
  const plain = explore({ impl, broker: broker(), workload: WORKLOAD, client, noReduction: true });
  return [reduced, plain];
}

const rules = (x: Exploration) => [...new Set(x.violations.map((v) => v.rule))].sort();

/**
 * Runs the model's world, always taking the first enabled step that is not a broker step of c1
 * or c2, until a broker step of each is enabled at once; returns the world and those two steps.
 */
function coEnabled(client: ClientModel): { world: World; a: Step; b: Step } {
  const world = new World(WORKLOAD, new ReferenceBroker(), { watchdog: DEFAULT_WATCHDOG, client });
  for (let i = 0; i < 200; i++) {
    let enabled = world.enabled();
    while (enabled.length === 0) {
      const t = world.nextTimer();
      if (t === undefined) throw new Error('the world ended before both calls had a broker step');
      world.advanceTo(t);
      enabled = world.enabled();
    }
    const a = enabled.find((s) => s.kind === 'broker' && s.call === 'c1');
    const b = enabled.find((s) => s.kind === 'broker' && s.call === 'c2');
    if (a && b) return { world, a, b };
    world.take(enabled.find((s) => !(s.kind === 'broker' && (s.call === 'c1' || s.call === 'c2'))) ?? enabled[0]!);
  }
  throw new Error('no state with a broker step of both calls');
}

describe('partial-order reduction with a client model', () => {
  it('relates the steps of two calls through the sink the model passed them, not the workload\'s', () => {
    const shared = coEnabled(SHARED);
    const sb = searchBounds({ impl: 'reference', broker: new ReferenceBroker(), workload: WORKLOAD, client: SHARED });
    sb.attach?.(shared.world);
    expect(sb.independent(shared.a, shared.b)).toBe(false);
    const separate = coEnabled(SEPARATE);
    const sep = searchBounds({ impl: 'reference', broker: new ReferenceBroker(), workload: WORKLOAD, client: SEPARATE });
    sep.attach?.(separate.world);
    expect(sep.independent(separate.a, separate.b)).toBe(true);
  });

  it('reaches every state, and the same violated rules, as the unreduced search when the model shares one sink', async () => {
    for (const impl of ['reference', 'mutant:planted-race']) {
      const factory = impl === 'reference' ? () => new ReferenceBroker() : await resolveImpl(impl);
      const [reduced, plain] = both(SHARED, impl, factory);
      expect(plain.complete, impl).toBe(true);
      expect(reduced.complete, impl).toBe(true);
      expect(reduced.states, impl).toBe(plain.states);
      expect(rules(reduced), impl).toEqual(rules(plain));
    }
  }, 120_000);

  it('still reduces when the model keeps the workload\'s distinct sinks', () => {
    const [reduced, plain] = both(SEPARATE, 'reference', () => new ReferenceBroker());
    expect(reduced.states).toBe(plain.states);
    expect(reduced.transitions).toBeLessThan(plain.transitions);
  }, 120_000);
});
