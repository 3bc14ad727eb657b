/**
 * The attribution search's state follows what is open at once, not the trace's length: a black-box
 * recording of three queries on one sink, whose callbacks name no call, repeated with fresh ids
 * (a new shared sink per copy), leaves behind no sink, call or choice of the copies that ended,
 * beyond a fixed history, in the plan's read as in each judging read; and forgetting them changes
 * no verdict.
 */
import { describe, expect, it } from 'vitest';
import { ReferenceBroker } from '../brokers/reference-broker.ts';
import { runOnce } from '../sim/run.ts';
import { loadWorkload } from '../sim/workloads.ts';
import type { TraceEvent, TraceHeader, TraceLine } from '../trace/event.ts';
import { AttributionScan, Attributor, judgeAttributionsSync, type AttributionFootprint } from './attribution.ts';
import { createJudge } from './judge.ts';

const ID_FIELDS = new Set(['call', 'cb', 'sink', 'wraps', 'services', 'thread', 'cancel', 'calls', 'fromCallback']);
const WHITE_BOX_ONLY = /^(provider\.|annotation\.|marker\.|broker\.)/;
const COPIES = 400;
const HISTORY = 32;

/** The trace, and the index of the line that ends copy 199 and copy 399. */
function longTrace(): { lines: TraceLine[]; marks: number[] } {
  const r = runOnce({ impl: 'reference', broker: new ReferenceBroker(), workload: loadWorkload('three-queries-one-sink'), seed: 1, keepTrace: true });
  const [header, ...events] = r.trace!;
  const block = events.filter((e) => e.type !== 'run.end' && !WHITE_BOX_ONLY.test(e.type)).map((e) => {
    if (e.type !== 'indicate.entered' && e.type !== 'setstatus.entered') return e;
    const { call: _, ...rest } = e as TraceLine & { call?: string };
    return rest as TraceLine;
  });
  expect(block.some((e) => e.type === 'setstatus.entered')).toBe(true);
  const lines: TraceLine[] = [{ ...header!, whiteBox: false, recorder: 'hand' } as TraceLine];
  const marks: number[] = [];
  let seq = 0;
  for (let copy = 0; copy < COPIES; copy++) {
    const rename = (v: string) => v.replace(/\b([a-z]+\d+)(?=$|[#~:])/g, `$1_${copy}`);
    for (const e of block) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(e)) {
        out[k] = k === 'seq' ? ++seq : !ID_FIELDS.has(k) ? v : typeof v === 'string' ? rename(v) : Array.isArray(v) ? v.map((x) => (typeof x === 'string' ? rename(x) : x)) : v;
      }
      lines.push(out as unknown as TraceLine);
    }
    if (copy === COPIES / 2 - 1 || copy === COPIES - 1) marks.push(lines.length - 1);
  }
  lines.push({ seq: ++seq, type: 'run.end', reason: 'recording-end' } as TraceLine);
  return { lines, marks };
}

const total = (f: AttributionFootprint) => Object.values(f).reduce((a, b) => a + b, 0);

describe('the attribution search over a long unattributed shared-sink trace', () => {
  const { lines, marks } = longTrace();

  it('keeps no sink, call or choice of the copies that ended beyond its history, in the plan read and in a judging read', () => {
    const scan = new AttributionScan(undefined, HISTORY);
    for (const l of lines) scan.line(l);
    expect(scan.needsChoices()).toBe(true);
    const planSizes: AttributionFootprint[] = [];
    lines.forEach((l, i) => { scan.choices(l); if (marks.includes(i)) planSizes.push(scan.footprint()); });
    const plan = scan.plan();
    const a = new Attributor(plan, 0);
    const judge = createJudge({ attributionBound: a.bounded });
    judge.begin(lines[0] as TraceHeader);
    const passSizes: AttributionFootprint[] = [];
    lines.forEach((l, i) => { if (i > 0) judge.event(a.map(l as TraceEvent)); if (marks.includes(i)) passSizes.push(a.footprint()); });
    for (const sizes of [planSizes, passSizes]) {
      const [half, full] = sizes as [AttributionFootprint, AttributionFootprint];
      // Between a copy's end and the next copy nothing is open: every sink is in the history.
      expect(full.liveSinks).toBe(0);
      expect(full.historySinks).toBeLessThanOrEqual(HISTORY);
      expect(full.calls).toBeLessThanOrEqual(3 * HISTORY);
      expect(full.unreturned + full.running + full.lateClues + full.earlyBounded).toBe(0);
      expect(total(full)).toBe(total(half));
    }
    // Each copy's sink has more attributions than the search may judge: every one is bounded.
    expect(plan.count).toBe(1);
    expect(judge.footprint().sinks).toBeLessThanOrEqual(1);
  });

  it('gives the same verdicts with a short history as with the default one', () => {
    const scan = new AttributionScan(undefined, HISTORY);
    for (const l of lines) scan.line(l);
    for (const l of lines) scan.choices(l);
    const plan = scan.plan();
    const a = new Attributor(plan, 0);
    const judge = createJudge({ attributionBound: a.bounded });
    judge.begin(lines[0] as TraceHeader);
    for (const l of lines.slice(1)) judge.event(a.map(l as TraceEvent));
    const short = judge.finish();
    const full = judgeAttributionsSync(lines);
    expect(short).toEqual(full);
    expect(full.inconclusive.length).toBeGreaterThan(0);
    expect(full.results.some((r) => r.verdict === 'inconclusive' && /^inconclusive \(attribution bound\)/.test(r.reason ?? ''))).toBe(true);
  });
});
