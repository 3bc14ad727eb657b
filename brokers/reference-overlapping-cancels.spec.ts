/**
 * Two CancelAsyncCall with one sink in flight at once: the second finds the calls the first
 * covered still waiting for their cancelled final status, and its annotation lists them too
 * (CANCEL-COVERS-SHARING-CALLS asks each call pending on the sink to be listed, or to have its
 * final status called before the cancel was processed).
 */
import { describe, expect, it } from 'vitest';
import { runOnce } from '../sim/run.ts';
import type { Workload } from '../sim/workload.ts';
import { ReferenceBroker } from './reference-broker.ts';

const overlapping: Workload = {
  name: 'overlapping-cancels',
  sinks: [{ id: 's1', behaviour: 'slow', delay: 2 }],
  calls: [
    { id: 'c1', op: 'ExecQueryAsync', sink: 's1', objects: 3 },
    { id: 'c2', op: 'DeleteInstanceAsync', sink: 's1', after: 'c1' },
  ],
  actions: [
    { kind: 'cancel', id: 'k1', sink: 's1', after: 'c1' },
    { kind: 'cancel', id: 'k2', sink: 's1', after: 'c1' },
    { kind: 'cancel', id: 'k3', sink: 's1', after: 'c1' },
  ],
};

describe('the reference broker under overlapping cancels', () => {
  it('violates nothing, and a later cancel lists the calls an earlier one left waiting for their final status', () => {
    const broker = new ReferenceBroker();
    let listedAgain = 0;
    for (let seed = 1; seed <= 150; seed++) {
      const r = runOnce({ impl: 'reference', broker, workload: overlapping, seed, keepTrace: true });
      expect(r.judge.violations.map((f) => `${f.rule}: ${f.explanation}`), `seed ${seed}`).toEqual([]);
      const listed = r.trace!.filter((e) => e.type === 'annotation.cancel-processed').map((e) => (e as { calls: string[] }).calls);
      if (listed.length > 1 && listed.slice(1).some((calls) => calls.some((c) => listed[0]!.includes(c)))) listedAgain++;
    }
    expect(listedAgain).toBeGreaterThan(0);
  });
});
