import { describe, expect, it } from 'vitest';
import { ReferenceBroker } from '../brokers/reference-broker.ts';
import { Prng } from './prng.ts';
import { runOnce } from './run.ts';
import { drawFeatures, FEATURES, generateWorkload } from './workload-generator.ts';
import { parseWorkload } from './workloads.ts';

describe('the swarm workload generator', () => {
  it('makes workloads that validate against the schema and the workload checks, the same ones from the same seed', () => {
    for (let seed = 1; seed <= 400; seed++) {
      const { workload } = generateWorkload(seed);
      expect(() => parseWorkload(JSON.stringify(workload), `swarm seed ${seed}`)).not.toThrow();
      expect(generateWorkload(seed).workload).toEqual(workload);
    }
  });

  it('uses only the features it drew: without methods no ExecMethodAsync, without overlapping cancels at most one cancel per sink from other threads', () => {
    let sawMethod = 0;
    for (let seed = 1; seed <= 300; seed++) {
      const { workload, features } = generateWorkload(seed);
      const methods = workload.calls.filter((c) => c.op === 'ExecMethodAsync' && c.swsink === undefined).length;
      if (!features.includes('methods')) expect(methods).toBe(0);
      sawMethod += methods;
      if (!features.includes('overlapping-cancels')) {
        const bySink = new Map<string, number>();
        for (const a of workload.actions ?? []) if (a.kind === 'cancel' && !a.fromCallback && a.sink) bySink.set(a.sink, (bySink.get(a.sink) ?? 0) + 1);
        expect(Math.max(0, ...bySink.values())).toBeLessThanOrEqual(2);
      }
      if (!features.includes('several-services')) expect(workload.calls.every((c) => (c.services ?? 'svc1') === 'svc1')).toBe(true);
    }
    expect(sawMethod).toBeGreaterThan(0);
  });

  it('draws every feature in some runs and leaves it out in others; raised odds make a feature near certain', () => {
    const prng = new Prng(7);
    const counts = new Map<string, number>();
    for (let i = 0; i < 400; i++) for (const f of drawFeatures(prng)) counts.set(f, (counts.get(f) ?? 0) + 1);
    for (const f of FEATURES) {
      expect(counts.get(f) ?? 0, f).toBeGreaterThan(100);
      expect(counts.get(f) ?? 0, f).toBeLessThan(400);
    }
    const boosted = new Prng(7);
    let on = 0;
    for (let i = 0; i < 400; i++) if (drawFeatures(boosted, { base: 0.5, boost: { 'overlapping-cancels': 0.9 } }).includes('overlapping-cancels')) on++;
    expect(on).toBeGreaterThan(330);
  });

  it('makes the racy situations too: a cancel from a callback beside another with the same sink, several cancels beside held callbacks, a lost connection', () => {
    const seen = { callbackAndClient: 0, holdingAndTwoCancels: 0, transportLoss: 0 };
    for (let seed = 1; seed <= 300; seed++) {
      const w = generateWorkload(seed).workload;
      const cancels = (w.actions ?? []).filter((a) => a.kind === 'cancel');
      if (cancels.some((a) => a.fromCallback && cancels.some((b) => !b.fromCallback && b.sink === a.sink))) seen.callbackAndClient++;
      if (w.sinks.some((s) => s.behaviour === 'hold' || s.behaviour === 'hold-final') && cancels.length >= 2) seen.holdingAndTwoCancels++;
      if ((w.actions ?? []).some((a) => a.kind === 'transport-loss')) seen.transportLoss++;
    }
    for (const [what, n] of Object.entries(seen)) expect(n, what).toBeGreaterThan(5);
  });

  it('gives the reference broker nothing to violate or warn about', () => {
    const broker = new ReferenceBroker();
    for (let seed = 1; seed <= 400; seed++) {
      const r = runOnce({ impl: 'reference', broker, workload: generateWorkload(seed).workload, seed });
      expect([...r.judge.violations, ...r.judge.warnings].map((f) => `${f.rule}: ${f.explanation}`), `swarm seed ${seed}`).toEqual([]);
      expect(r.monitor, `swarm seed ${seed}`).toEqual([]);
      expect(r.end.reason).toBe('quiescent');
    }
  });
});
