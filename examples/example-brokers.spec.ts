/**
 * The two example brokers of examples/ pass the whole conformance suite through the stdio
 * protocol, as a user would run them (`wbemsim run --impl stdio:...`).
 */
import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { createStdioBroker } from '../brokers/stdio-broker.ts';
import { runMany } from '../sim/campaign.ts';
import { builtinWorkloads } from '../sim/workloads.ts';
import { formatCampaign } from '../report/campaign-text.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

describe.each([
  ['JavaScript', 'node examples/js-broker/broker.mjs'],
  ['Python', 'python3 examples/python-broker/broker.py'],
])('the %s example broker', (_, command) => {
  it('passes every built-in workload through the stdio protocol', () => {
    const c = runMany({
      impl: `stdio:${command}`, factory: createStdioBroker(command, { cwd: root, stepTimeoutMs: 20_000 }),
      workloads: builtinWorkloads(), strategy: 'random', seed: 1, runs: 8,
    });
    expect(c.conformant, formatCampaign(c)).toBe(true);
    expect(c.brokerFailures).toEqual([]);
    expect(c.runs).toBe(8 * builtinWorkloads().length);
    expect(c.ends.quiescent).toBe(c.runs);
  });
});
