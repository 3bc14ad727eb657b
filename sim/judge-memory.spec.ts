/**
 * The judge's live state follows what is open at once, not the trace's length: a run of the
 * reference broker repeated with fresh ids (wrapped sinks, several IWbemServices objects, cancels)
 * leaves no record behind of the copies that ended.
 */
import { describe, expect, it } from 'vitest';
import { ReferenceBroker } from '../brokers/reference-broker.ts';
import { createJudge } from '../specs/judge.ts';
import type { TraceEvent, TraceHeader } from '../trace/event.ts';
import { runOnce } from './run.ts';
import { loadWorkload } from './workloads.ts';

const ID_FIELDS = new Set(['call', 'cb', 'sink', 'wraps', 'services', 'thread', 'cancel', 'calls', 'fromCallback']);

describe('the judge over a long run of repeated work', () => {
  it('keeps no sink, services object or call of the copies that ended (wrapped sinks included)', () => {
    const workload = loadWorkload('mixed');
    expect(workload.sinks.some((s) => s.wrapped)).toBe(true);
    const r = runOnce({ impl: 'reference', broker: new ReferenceBroker(), workload: { ...workload, calls: workload.calls.map((c, i) => ({ ...c, services: `svc${i % 2}` })) }, seed: 1, keepTrace: true });
    const [header, ...events] = r.trace!;
    const block = events.filter((e) => e.type !== 'run.end');
    const judge = createJudge();
    judge.begin(header as TraceHeader);
    let seq = 0;
    const sizes: number[] = [];
    for (let copy = 0; copy < 300; copy++) {
      const rename = (v: string) => v.replace(/\b([a-z]+\d+)(?=$|[#~:])/g, `$1_${copy}`);
      for (const e of block) {
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(e)) {
          out[k] = k === 'seq' ? ++seq : !ID_FIELDS.has(k) ? v : typeof v === 'string' ? rename(v) : Array.isArray(v) ? v.map((x) => (typeof x === 'string' ? rename(x) : x)) : v;
        }
        judge.event(out as unknown as TraceEvent);
      }
      if (copy === 99 || copy === 299) { const f = judge.footprint(); sizes.push(f.sinks + f.services + f.calls + f.cancels); }
    }
    const f = judge.footprint();
    expect(f.calls).toBeLessThanOrEqual(workload.calls.length);
    expect(f.sinks).toBeLessThanOrEqual(8);
    expect(f.services).toBeLessThanOrEqual(2);
    expect(sizes[1]).toBe(sizes[0]);
  });
});
