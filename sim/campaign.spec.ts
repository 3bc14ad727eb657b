import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createStdioBroker } from '../brokers/stdio-broker.ts';
import { ReferenceBroker } from '../brokers/reference-broker.ts';
import { formatCampaign } from '../report/campaign-text.ts';
import { foldOptionsOf, mergeCampaign, recordOf, runCampaign, runMany, SWARM_SEGMENT, type Campaign } from './campaign.ts';
import { runOnce, type RunResult } from './run.ts';
import { suiteScenarios } from '../scenarios/suite.ts';
import { MUTANTS } from '../brokers/mutants/index.ts';
import { builtinWorkloads } from './workloads.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

describe('a campaign against a broker that keeps failing', () => {
  it('reports each failure, stops after three in a row, and is not conformant', () => {
    const command = 'node brokers/testdata/faulty-broker.mjs crash';
    const c = runMany({
      impl: `stdio:${command}`, factory: createStdioBroker(command, { cwd: root, stepTimeoutMs: 20_000 }),
      workloads: builtinWorkloads(), strategy: 'random', seed: 1, runs: 50,
    });
    expect(c.conformant).toBe(false);
    expect(c.runs).toBe(3);
    expect(c.brokerFailures.map((b) => b.reason)).toEqual(['crash', 'crash', 'crash']);
    expect(c.gaveUp).toMatch(/stopped after 3 runs in a row/);
    const text = formatCampaign(c);
    expect(text).toMatch(/broker failure \(crash\) in cancel-in-callback seed 1: .*exited with code 3/);
    expect(text).toMatch(/Verdict: NOT CONFORMANT \(0 must rules violated, 3 broker failures\)/);
  });
});

describe('a campaign cut by its time budget', () => {
  it('counts the runs stopped or never made as cut, and is not conclusive', () => {
    let now = 0;
    const workload = builtinWorkloads().find((w) => w.name === 'held-query-cancel')!;
    const c = runMany({
      impl: 'reference', factory: () => new ReferenceBroker(), workloads: [workload], strategy: 'random', seed: 1, runs: 10,
      // A clock that advances on every reading: the budget runs out after a few runs.
      clock: () => (now += 10), timeBudgetMs: 200,
    });
    expect(c.budgetExhausted).toBe(true);
    expect(c.conformant).toBe(true);
    expect(c.runs).toBeLessThan(10);
    expect(c.planned).toBe(10);
    expect(c.cut).toBe(10 - c.runs + (c.ends.stopped ?? 0));
    expect(c.conclusive).toBe(false);
    expect(formatCampaign(c)).toMatch(new RegExp(`Verdict: NOT CONCLUSIVE: ${c.cut} of 10 runs cut`));
  });
});

describe('a campaign split into shards', () => {
  const withoutWall = (c: Campaign) => JSON.stringify({ ...c, wall: undefined });
  const suite = suiteScenarios();
  it.each([
    ['the suite with a swarm of three segments, 3 shards', { scenarios: suite, workloads: [], strategy: 'portfolio' as const, runs: 0, swarm: 2 * SWARM_SEGMENT + 30 }, 3],
    ['a mutant on the built-in workloads, 4 shards', { workloads: builtinWorkloads(), strategy: 'random' as const, runs: 5, impl: 'mutant:planted-race' }, 4],
  ])('%s: the parts merged are the whole campaign', (_name, shape, n) => {
    const mutant = MUTANTS.find((m) => m.name === 'planted-race')!;
    const impl = (shape as { impl?: string }).impl;
    const o = { impl: 'reference', factory: () => new ReferenceBroker(), seed: 3, ...shape, ...(impl ? { factory: mutant.create } : {}) };
    const whole = runMany(o);
    const parts = Array.from({ length: n }, (_, k) => runCampaign(o, { k: k + 1, n }, true).part);
    expect(parts.every((p) => p.records.length > 0 && p.records.length < whole.runs)).toBe(true);
    // In any order: the merge folds the records in the campaign's order.
    const merged = mergeCampaign({ options: foldOptionsOf(o), parts: [...parts].reverse(), shrunk: [], wallMs: 0 });
    expect(withoutWall(merged)).toBe(withoutWall({ ...whole, trace: undefined }));
    if (impl) expect(whole.violations.length).toBeGreaterThan(0);
    // The parts hand over only the tokens a merge can show: most runs' are left out.
    const records = parts.flatMap((p) => p.records);
    const kept = records.filter((r) => r.token !== '').length;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(records.length / 2);
    // And only the findings it can show in full: per part, one run's per finding; the others'
    // are counted-only stubs, one per rule and run.
    for (const p of parts) {
      const full = new Map<string, string>();
      let stubs = 0;
      for (const r of p.records) {
        for (const [list, fs] of Object.entries(r.findings)) {
          const stubbed = fs.filter((f) => f.explanation === '').map((f) => f.rule);
          expect(new Set(stubbed).size).toBe(stubbed.length);
          for (const f of fs) {
            if (f.explanation === '') { stubs++; expect(f.events).toEqual([]); continue; }
            const k = `${list}|${f.rule}@${r.group}`;
            if (!full.has(k)) full.set(k, r.at.join(','));
            expect(full.get(k)).toBe(r.at.join(','));
          }
        }
      }
      expect(stubs).toBeGreaterThan(0);
      // Each piece of advice is listed once per part.
      const advice = p.records.flatMap((r) => r.advice);
      expect(new Set(advice).size).toBe(advice.length);
    }
  });

  it('the swarm is steered per segment: a run\'s workload depends only on the earlier runs of its segment', () => {
    const o = { impl: 'reference', factory: () => new ReferenceBroker(), workloads: [], strategy: 'portfolio' as const, seed: 1, runs: 0, swarm: 2 * SWARM_SEGMENT };
    const whole = runMany(o);
    // The second segment alone, as a shard that has only it, makes the same runs.
    const second = runCampaign(o, { k: 2, n: 2 }, true).part.records;
    expect(second.map((r) => r.at[1])).toEqual(Array.from({ length: SWARM_SEGMENT }, (_, i) => SWARM_SEGMENT + i));
    const targets = whole.suite!.targets.filter((t) => t.from > SWARM_SEGMENT);
    const merged = mergeCampaign({ options: foldOptionsOf(o), parts: [runCampaign(o, { k: 1, n: 2 }, true).part, runCampaign(o, { k: 2, n: 2 }, true).part], shrunk: [], wallMs: 0 });
    expect(merged.suite!.targets.filter((t) => t.from > SWARM_SEGMENT)).toEqual(targets);
  });
});

describe('a run record', () => {
  const counting = (r: RunResult) => {
    const c = { reads: 0, run: r };
    c.run = Object.create(r, { token: { get: () => { c.reads++; return r.token; } } }) as RunResult;
    return c;
  };

  it('of a clean run keeps no token: no report shows it', () => {
    const r = counting(runOnce({ impl: 'reference', broker: new ReferenceBroker(), workload: builtinWorkloads().find((w) => w.name === 'lengthy-method')!, seed: 3 }));
    expect(r.run.judge.violations.length + r.run.judge.warnings.length + r.run.judge.lint.length + r.run.judge.inconclusive.length).toBe(0);
    expect(r.run.end.reason).toBe('quiescent');
    const rec = recordOf(r.run, [0], 'w', 3, 'w', 'workload');
    expect(JSON.parse(JSON.stringify(rec)).token).toBe('');
    expect(r.reads).toBe(0);
  });

  it('of a run with a finding encodes its replay token only when read, in its place among the fields', () => {
    const r = runOnce({ impl: 'reference', broker: new ReferenceBroker(), workload: builtinWorkloads().find((w) => w.name === 'mixed')!, seed: 3 });
    expect(r.judge.warnings.length + r.judge.lint.length + r.judge.inconclusive.length).toBeGreaterThan(0);
    let reads = 0;
    const counted = Object.create(r, { token: { get: () => { reads++; return r.token; } } }) as RunResult;
    const rec = recordOf(counted, [0], 'w', 3, 'w', 'workload');
    expect(reads).toBe(0);
    const json = JSON.parse(JSON.stringify(rec)) as Record<string, unknown>;
    expect(reads).toBe(1);
    expect(json.token).toBe(r.token);
    expect(Object.keys(json).slice(Object.keys(json).indexOf('kind') + 1, Object.keys(json).indexOf('kind') + 3)).toEqual(['token', 'steps']);
  });
});

describe('folding findings', () => {
  it('makes no replay token for a finding a shorter run displaces, and the shown one\'s only when read', () => {
    const mutant = MUTANTS.find((m) => m.name === 'planted-race')!;
    const mixed = builtinWorkloads().find((w) => w.name === 'mixed')!;
    const violating = Array.from({ length: 40 }, (_, i) => runOnce({ impl: 'mutant:planted-race', broker: mutant.create(), workload: mixed, seed: i + 1 }))
      .filter((r) => r.judge.violations.length > 0);
    // A longer run first, then a shorter one with the same violation: the second displaces the first.
    const rule = violating[0]!.judge.violations[0]!.rule;
    const same = violating.filter((r) => r.judge.violations.some((v) => v.rule === rule));
    const long = same.reduce((a, b) => (b.steps > a.steps ? b : a));
    const short = same.reduce((a, b) => (b.steps < a.steps ? b : a));
    expect(short.steps).toBeLessThan(long.steps);
    const reads = new Map<string, number>();
    const records = [long, short].map((r, i) => {
      const rec = recordOf(r, [1, 0, i], 'mixed', r.seed, 'mixed', 'workload');
      const name = i === 0 ? 'long' : 'short';
      reads.set(name, 0);
      rec.findings.violations.forEach((f) => {
        const get = Object.getOwnPropertyDescriptor(f, 'replay')!.get!;
        Object.defineProperty(f, 'replay', { get: () => { reads.set(name, reads.get(name)! + 1); return get(); }, enumerable: true, configurable: true });
      });
      return rec;
    });
    const options = foldOptionsOf({ impl: 'mutant:planted-race', strategy: 'random', seed: 1, runs: 2, workloads: [mixed] });
    const merged = mergeCampaign({ options, parts: [{ records, explorations: [], budgetExhausted: false, interrupted: false, planned: 2 }], shrunk: [], wallMs: 0 });
    expect(reads.get('long')).toBe(0);
    expect(reads.get('short')).toBe(0);
    const shown = merged.violations.find((v) => v.rule === rule)!;
    expect(shown.steps).toBe(short.steps);
    expect(shown.runs).toBe(2);
    expect(shown.replay).toBe(short.token);
    expect(reads.get('long')).toBe(0);
    expect(reads.get('short')).toBe(1);
  });
});
