import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ReferenceBroker } from '../brokers/reference-broker.ts';
import { runOnce } from '../sim/run.ts';
import { makeStrategy } from '../sim/strategies.ts';
import { builtinWorkloads } from '../sim/workloads.ts';
import type { Workload } from '../sim/workload.ts';
import { workloadArbitrary } from './workload-arbitrary.ts';

const SEED = Number(process.env.FC_SEED ?? 20240501);
const mixed = (): Workload => builtinWorkloads().find((w) => w.name === 'mixed')!;

const traceOf = (workload: Workload, seed: number, strategy: 'random' | 'pct' = 'random') =>
  JSON.stringify(runOnce({ impl: 'reference', broker: new ReferenceBroker(), workload, seed, strategy: makeStrategy(strategy, seed, 3, workload), keepTrace: true }).trace);

describe('property: a run is a pure function of its seed', () => {
  it('gives byte-identical trace JSON for the same seed (random and PCT, any workload)', () => {
    fc.assert(fc.property(workloadArbitrary(), fc.nat(), fc.constantFrom('random' as const, 'pct' as const), (w, seed, strategy) => {
      expect(traceOf(w, seed, strategy)).toBe(traceOf(w, seed, strategy));
    }), { seed: SEED, numRuns: 100 });
  });

  it('gives different interleavings for different seeds', () => {
    fc.assert(fc.property(fc.nat(), fc.nat(), (a, b) => {
      fc.pre(a !== b);
      expect(traceOf(mixed(), a)).not.toBe(traceOf(mixed(), b));
    }), { seed: SEED, numRuns: 100 });
  });
});
