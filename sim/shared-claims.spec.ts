import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MUTANTS } from '../brokers/mutants/index.ts';
import { ReferenceBroker } from '../brokers/reference-broker.ts';
import { packagePath } from '../package-root.ts';
import type { BrokerAdapter } from './broker-adapter.ts';
import type { Exploration } from './explorer.ts';
import { exploreWorkloads } from './explore-workloads.ts';
import { SharedClaims } from './shared-claims.ts';
import { exploreStateful } from './stateful-explorer.ts';
import type { Workload } from './workload.ts';

const PINS = JSON.parse(readFileSync(packagePath('sim', 'explore-pins.json'), 'utf8')) as { mutant: string; workload: string; rules: string[]; complete: boolean }[];
const config = (name: string): Workload => exploreWorkloads().find((w) => w.name === name)!;
const rulesOf = (xs: Exploration[]) => [...new Set(xs.flatMap((x) => x.violations.map((v) => `${v.by}:${v.rule}`)))].sort();
const DEPTH = 4;

describe('the shared claims table', () => {
  it('claims a key once, for whichever worker asks first', () => {
    const a = SharedClaims.create(100);
    const b = new SharedClaims(a.buffers());
    expect(a.claim('s1')).toBe('claimed');
    expect(b.claim('s1')).toBe('taken');
    expect(a.claim('s1')).toBe('taken');
    expect(b.claim('s2')).toBe('claimed');
    expect(a.size).toBe(2);
    expect(b.size).toBe(2);
  });

  it('says full once three quarters of its slots are claimed, and never loses a claim before', () => {
    const t = SharedClaims.create(10);
    const slots = t.bytes / 8;
    const answers = Array.from({ length: (slots * 3) / 4 + 1 }, (_, i) => t.claim(`state ${i}`));
    expect(answers.slice(0, -1).every((a) => a === 'claimed')).toBe(true);
    expect(answers.at(-1)).toBe('full');
    expect(Array.from({ length: 100 }, (_, i) => t.claim(`state ${i}`)).every((a) => a === 'taken')).toBe(true);
  });
});

/**
 * Two workers of one search, run one after the other on one table (the threads' timing decides
 * which claims a state first; these two orders are its extremes): together they find what one
 * search finds, and each state below the split is expanded by one of them only.
 */
function team(make: () => BrokerAdapter, impl: string, workload: Workload, order: [number, number]): Exploration[] {
  const claims = SharedClaims.create(20_000);
  return order.map((k) => exploreStateful({ impl, broker: make(), workload, team: { claims, k, n: 2, depth: DEPTH } }));
}

describe('workers that share their claims', () => {
  it.each([[1, 2], [2, 1]] as [number, number][])('find the states of one search on the reference broker, each below the split once (order %i, %i)', (a, b) => {
    const w = config('explore-three-calls-two-sinks');
    const one = exploreStateful({ impl: 'reference', broker: new ReferenceBroker(), workload: w, bitstate: true });
    const [first, second] = team(() => new ReferenceBroker(), 'reference', w, [a, b]);
    expect(first!.complete && second!.complete).toBe(true);
    // The first, alone, explores everything (its own split states, then the other's).
    expect(first!.states).toBe(one.states);
    expect(first!.transitions).toBe(one.transitions);
    // The second finds every state below the split claimed: it keeps the levels above only.
    expect(second!.states).toBeLessThan(one.states / 10);
    expect(first!.sharedClaims!.omission).toBeLessThan(1e-9);
  });

  const cases = PINS.filter((p) => p.workload === 'explore-three-calls-two-sinks' && p.rules.length > 0);
  it.each(cases.map((p) => [p.mutant, p] as const))('find the violated rules of one search: mutant %s', (_m, p) => {
    const m = MUTANTS.find((x) => x.name === p.mutant)!;
    for (const order of [[1, 2], [2, 1]] as [number, number][]) {
      const xs = team(() => m.create(), `mutant:${m.name}`, config(p.workload), order);
      expect(rulesOf(xs)).toEqual(p.rules);
    }
  });
});
