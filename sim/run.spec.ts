import { describe, expect, it } from 'vitest';
import { ReferenceBroker } from '../brokers/reference-broker.ts';
import { decodeToken, encodeToken } from './replay-token.ts';
import { makeStrategy } from './strategies.ts';
import { defaultMaxSteps, runOnce } from './run.ts';
import type { Workload } from './workload.ts';
import { builtinWorkloads, loadWorkload } from './workloads.ts';

const traceText = (seed: number, workload = 'mixed') =>
  runOnce({ impl: 'reference', broker: new ReferenceBroker(), workload: loadWorkload(workload), seed, keepTrace: true })
    .trace!.map((l) => JSON.stringify(l)).join('\n');

describe('a run', () => {
  it('gives a byte-identical trace for the same seed', () => {
    for (const w of builtinWorkloads()) expect(traceText(42, w.name)).toBe(traceText(42, w.name));
  });

  it('gives different interleavings for different seeds', () => {
    const traces = new Set([1, 2, 3, 4, 5, 6, 7, 8].map((s) => traceText(s)));
    expect(traces.size).toBeGreaterThan(6);
  });

  it('starts with a header naming the broker, the seed and the workload, and ends with run.end', () => {
    const r = runOnce({ impl: 'reference', broker: new ReferenceBroker(), workload: loadWorkload('shared-sink-cancel'), seed: 3, keepTrace: true });
    expect(r.trace![0]).toMatchObject({ seq: 0, type: 'header', recorder: 'simulation', broker: { name: 'reference' }, seed: 3, workload: 'shared-sink-cancel', whiteBox: true });
    expect(r.trace!.at(-1)).toMatchObject({ type: 'run.end', reason: 'quiescent' });
    const seqs = r.trace!.map((l) => l.seq);
    expect(seqs).toEqual(seqs.map((_, i) => i));
  });

  it('replays from its token: the strategy remade from its seed gives the same trace', () => {
    const first = runOnce({ impl: 'reference', broker: new ReferenceBroker(), workload: loadWorkload('mixed'), seed: 9, keepTrace: true });
    const spec = decodeToken(first.token);
    expect(spec).toMatchObject({ impl: 'reference', workload: loadWorkload('mixed'), strategy: 'random', seed: 9, steps: first.steps, choices: [] });
    expect(spec.checks).toHaveLength(Math.ceil(first.steps / 64));
    const again = runOnce({
      impl: 'reference', broker: new ReferenceBroker(), workload: loadWorkload('mixed'), seed: 9, choices: spec.choices, strict: true,
      recorded: { steps: spec.steps!, checks: spec.checks }, strategy: makeStrategy('random', 9), keepTrace: true,
    });
    expect(JSON.stringify(again.trace)).toBe(JSON.stringify(first.trace));
    expect(again.token).toBe(first.token);
  });

  it('encodes large choices and rejects a malformed token', () => {
    const t = encodeToken({ impl: 'reference', workload: 'mixed', strategy: 'random', seed: 1, choices: [0, 1, 127, 128, 300, 70000] });
    expect(decodeToken(t).choices).toEqual([0, 1, 127, 128, 300, 70000]);
    expect(() => decodeToken('nonsense')).toThrow(/not a replay token/);
    expect(() => decodeToken('wbs1.!!!.AA')).toThrow(/spec/);
    expect(() => decodeToken(`${t}AAAA`)).toThrow(/past its end/);
  });

  it('the reference broker is conformant and the monitor accepts every trace of the built-in workloads', () => {
    for (const w of builtinWorkloads()) {
      for (let seed = 1; seed <= 40; seed++) {
        const r = runOnce({ impl: 'reference', broker: new ReferenceBroker(), workload: w, seed });
        expect(r.monitor, `${w.name} seed ${seed}`).toEqual([]);
        expect(r.judge.violations, `${w.name} seed ${seed}: ${r.token}`).toEqual([]);
        expect(r.end.reason).toBe('quiescent');
      }
    }
  });
});

describe('the default step bound', () => {
  it('is a formula of the workload\'s size', () => {
    const w = loadWorkload('mixed');
    const objects = w.calls.reduce((n, c) => n + (c.objects ?? 0), 0);
    const duration = w.calls.reduce((n, c) => n + (c.duration ?? 0), 0);
    expect(defaultMaxSteps(w)).toBe(2000 + 20 * (w.calls.length + (w.actions?.length ?? 0)) + 10 * objects + 2 * duration);
  });

  it('lets 500 concurrent calls run to their end', () => {
    // 500 queries on 500 sinks, all started before any completes, and a cancel of one of them.
    const workload: Workload = {
      name: 'five-hundred-calls',
      sinks: Array.from({ length: 500 }, (_, i) => ({ id: `s${i}` })),
      calls: Array.from({ length: 500 }, (_, i) => ({ id: `c${i}`, op: 'ExecQueryAsync' as const, sink: `s${i}`, objects: 2 })),
      actions: [{ kind: 'cancel', id: 'k1', sink: 's0', after: 'c0' }],
    };
    const r = runOnce({ impl: 'reference', broker: new ReferenceBroker(), workload, seed: 1 });
    expect(r.end.reason).toBe('quiescent');
    expect(r.steps).toBeLessThan(defaultMaxSteps(workload));
    expect(r.judge.conformant).toBe(true);
  });
});
