import { describe, expect, it } from 'vitest';
import { defaultThreadOf, PctStrategy } from './pct-strategy.ts';
import { estimatedSteps, makeStrategy } from './strategies.ts';
import { stepOf, type Step } from './strategy.ts';
import type { Workload } from './workload.ts';
import { World } from './world.ts';
import { DEFAULT_WATCHDOG } from './run.ts';
import { ReferenceBroker } from '../brokers/reference-broker.ts';

const steps = (...specs: [string, string?][]): Step[] => specs.map(([id, call]) => stepOf('broker', id, call));

describe('PctStrategy', () => {
  it('with depth 1 runs the highest-priority thread while it is enabled (no change point)', () => {
    const enabled = steps(['a1', 'A'], ['b1', 'B']);
    const pct = new PctStrategy(7, 1, 50);
    const first = enabled[pct.choose(enabled)]!.call;
    for (let i = 0; i < 20; i++) expect(enabled[pct.choose(enabled)]!.call).toBe(first);
  });

  it('lowers the running thread at a change point (depth 2: exactly one switch within the horizon)', () => {
    for (let seed = 0; seed < 20; seed++) {
      const enabled = steps(['a', 'A'], ['b', 'B']);
      const pct = new PctStrategy(seed, 2, 10);
      const picks = Array.from({ length: 12 }, () => enabled[pct.choose(enabled)]!.call);
      const switches = picks.filter((c, i) => i > 0 && c !== picks[i - 1]).length;
      expect(switches, `seed ${seed}: ${picks.join('')}`).toBe(1);
    }
  });

  it('explores every step of the running thread, not only its first (the broker\'s freedoms)', () => {
    const enabled = steps(['broker:ind:c1:1', 'c1'], ['broker:ind:c1:all', 'c1']);
    const seen = new Set<number>();
    for (let seed = 0; seed < 20; seed++) seen.add(new PctStrategy(seed, 3, 10).choose(enabled));
    expect([...seen].sort()).toEqual([0, 1]);
  });

  it('is a pure function of its seed', () => {
    const enabled = steps(['a', 'A'], ['b', 'B'], ['c', 'C'], ['k', undefined]);
    const run = () => { const p = new PctStrategy(42, 3, 8); return Array.from({ length: 10 }, () => p.choose(enabled)); };
    expect(run()).toEqual(run());
  });

  it('puts a CancelAsyncCall and the broker\'s processing of it on one thread, by what the steps say', () => {
    const w: Workload = { name: 'w', sinks: [{ id: 's1' }], calls: [{ id: 'c1', op: 'ExecQueryAsync', sink: 's1' }], actions: [{ kind: 'cancel', id: 'k1', sink: 's1' }] };
    const world = new World(w, new ReferenceBroker(), { watchdog: DEFAULT_WATCHDOG });
    world.take(world.enabled().find((s) => s.kind === 'call')!);
    const act = world.enabled().find((s) => s.kind === 'act')!;
    expect(act.cancel).toBe('k1');
    expect(defaultThreadOf(act)).toBe('cancel:k1');
    world.take(act);
    const processing = world.enabled().filter((s) => s.kind === 'broker' && s.call === undefined);
    expect(processing.map((s) => s.id)).toContain('pc:k1');
    for (const s of processing) expect(defaultThreadOf(s)).toBe('cancel:k1');
    expect(defaultThreadOf(world.enabled().find((s) => s.id === 'ret:c1')!)).toBe('call:c1');
    // Any broker's cancel steps, whatever their names; a name alone makes no cancel step.
    expect(defaultThreadOf(stepOf('broker', 'finish-cancel-7', undefined, 'k7'))).toBe('cancel:k7');
    expect(defaultThreadOf(stepOf('broker', 'cr:k1'))).toBe('broker:cr:k1');
  });

  it('takes its horizon from the workload\'s estimated length', () => {
    const w: Workload = { name: 'w', sinks: [{ id: 's1' }], calls: [{ id: 'c1', op: 'ExecQueryAsync', sink: 's1', objects: 2 }] };
    const pct = makeStrategy('pct', 1, 3, w) as PctStrategy;
    expect(pct.horizon).toBe(estimatedSteps(w));
    expect(pct.depth).toBe(3);
  });

  it('rejects a depth below 1', () => {
    expect(() => new PctStrategy(1, 0)).toThrow(/depth/);
  });
});
