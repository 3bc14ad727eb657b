import { describe, expect, it } from 'vitest';
import { MUTANTS } from '../brokers/mutants/index.ts';
import { exploreWorkloads } from '../sim/explore-workloads.ts';
import { checkKey } from './check-key.ts';

const workload = exploreWorkloads().find((w) => w.name === 'explore-three-calls-two-sinks')!;
const mutant = MUTANTS.find((m) => m.name === 'lying-annotations')!;

describe('npm run check:key', () => {
  it('finds paths that meet at one key yet break different must rules later, under a key that leaves out the judge and the monitor', () => {
    const r = checkKey(workload, mutant.name, mutant.create, 40, (p) => p.world);
    expect(r.disagreements.length).toBeGreaterThan(0);
    for (const d of r.disagreements) {
      expect(d.error).toBeUndefined();
      expect([...d.onlyFirst, ...d.onlySecond].length).toBeGreaterThan(0);
      expect(d.first).not.toEqual(d.second);
    }
  });

  it('finds none under the search\'s own key, on the same runs', () => {
    const r = checkKey(workload, mutant.name, mutant.create, 40);
    expect(r.pairs).toBeGreaterThan(0);
    expect(r.disagreements).toEqual([]);
  });
});
