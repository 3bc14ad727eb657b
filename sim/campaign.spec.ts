import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createStdioBroker } from '../brokers/stdio-broker.ts';
import { ReferenceBroker } from '../brokers/reference-broker.ts';
import { formatCampaign } from '../report/campaign-text.ts';
import { runMany } from './campaign.ts';
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
