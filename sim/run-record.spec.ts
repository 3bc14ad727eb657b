/**
 * A campaign's run records outlive their runs: a shard or a worker keeps every record until the
 * merge. A record must hold what it lists and nothing else of the run (its world, broker, judge),
 * and its replay token must still be readable when a report shows it.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { ReferenceBroker } from '../brokers/reference-broker.ts';
import { recordOf, type RunRecord } from './campaign.ts';
import { runOnce } from './run.ts';
import { loadWorkload } from './workloads.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** A record of one run of `workload`, and weak references to the run and to its judge's result. */
function recordAndRefs(workload: string, keepTrace: boolean): { record: RunRecord; run: WeakRef<object>; judge: WeakRef<object>; token: string } {
  const r = runOnce({ impl: 'reference', broker: new ReferenceBroker(), workload: loadWorkload(workload), seed: 3, keepTrace });
  return { record: recordOf(r, [2, 0], workload, 3, workload, 'workload'), run: new WeakRef(r), judge: new WeakRef(r.judge), token: r.token };
}

/** Lets the current job end (a WeakRef keeps its target until then), then collects. */
async function collect(): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
  gc();
}

describe('a run record', () => {
  it('of a clean run keeps nothing of the run, and no token', async () => {
    const { record, run, judge } = recordAndRefs('sequential-queries', false);
    await collect();
    expect(run.deref()).toBeUndefined();
    expect(judge.deref()).toBeUndefined();
    expect(record.token).toBe('');
    expect(record.results.length).toBeGreaterThan(50);
  });

  it('of a run a report shows keeps its token readable, but not the run', async () => {
    const { record, run, judge, token } = recordAndRefs('shared-sink-cancel', true);
    await collect();
    expect(run.deref()).toBeUndefined();
    expect(judge.deref()).toBeUndefined();
    expect(record.traced).toBe(true);
    expect(record.token).toBe(token);
    expect(record.token).not.toBe('');
  });

  it('shares one object per rule outcome with every other record', () => {
    const a = recordAndRefs('sequential-queries', false).record;
    const b = recordAndRefs('sequential-queries', false).record;
    expect(b.results).toEqual(a.results);
    a.results.forEach((x, i) => expect(b.results[i]).toBe(x));
    expect(Object.isFrozen(a.results[0])).toBe(true);
  });
});
