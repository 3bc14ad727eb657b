import { describe, expect, it } from 'vitest';
import { defaultThreadOf, PctStrategy } from './pct-strategy.ts';
import { estimatedSteps, makeStrategy, threadsOf } from './strategies.ts';
import type { Step } from './strategy.ts';
import type { Workload } from './workload.ts';

const steps = (...specs: [string, string?][]): Step[] => specs.map(([key, call]) => (call ? { key, call } : { key }));

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

  it('puts a CancelAsyncCall and the broker\'s processing of it on one thread', () => {
    expect(defaultThreadOf({ key: 'broker:pc:k1' })).toBe(defaultThreadOf({ key: 'broker:cr:k1' }));
    expect(defaultThreadOf({ key: 'broker:pck:k1' })).toBe('cancel:k1');
    const w: Workload = { name: 'w', sinks: [{ id: 's1' }], calls: [{ id: 'c1', op: 'ExecQueryAsync', sink: 's1' }], actions: [{ kind: 'cancel', id: 'k1', sink: 's1' }] };
    expect(threadsOf(w)({ key: 'act:0' })).toBe('cancel:k1');
    expect(threadsOf(w)({ key: 'broker:ret:c1', call: 'c1' })).toBe('call:c1');
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
