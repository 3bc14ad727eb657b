import { describe, expect, it } from 'vitest';
import type { BrokerFactory } from '../sim/broker-adapter.ts';
import { ReferenceBroker } from '../brokers/reference-broker.ts';
import { runMany } from '../sim/campaign.ts';
import { builtinWorkloads } from '../sim/workloads.ts';
import { MUTANTS } from '../brokers/mutants/index.ts';
import { campaignJson, formatCampaign } from './campaign-text.ts';

const campaign = (factory: BrokerFactory = () => new ReferenceBroker(), impl = 'reference') =>
  runMany({ impl, factory, workloads: builtinWorkloads(), strategy: 'random', seed: 5, runs: 6 });

describe('the campaign report', () => {
  it('is byte-identical for the same seed and options, but for the separate wall-clock field', () => {
    const a = campaign();
    const b = campaign();
    expect(formatCampaign(a)).toBe(formatCampaign(b));
    const strip = (c: typeof a) => JSON.stringify({ ...campaignJson(c), wall: undefined });
    expect(strip(a)).toBe(strip(b));
    expect(formatCampaign(a)).not.toMatch(/\bms\b/);
  });

  it('says what ran and the verdict, and names each violation with its rule, its source and a replay command', () => {
    const mutant = MUTANTS.find((m) => m.name === 'double-final')!;
    const c = campaign(mutant.create, 'mutant:double-final');
    const text = formatCampaign(c);
    expect(text).toMatch(/^wbemsim run: mutant:double-final over 17 workloads/);
    expect(text).toMatch(/VIOLATED FINAL-STATUS-ONCE/);
    expect(text).toMatch(/replay: wbemsim replay wbs2\./);
    expect(text).toMatch(/Verdict: NOT CONFORMANT/);
    expect(formatCampaign(campaign())).toMatch(/Verdict: CONFORMANT \(no must rule violated in 102 runs\)/);
  });

  it('counts rules violated apart from findings, folds the rules not exercised to a count, and explains p and d', () => {
    const mutant = MUTANTS.find((m) => m.name === 'double-final')!;
    const c = campaign(mutant.create, 'mutant:double-final');
    const rules = new Set(c.violations.map((f) => f.rule)).size;
    const workloads = new Set(c.violations.map((f) => f.workload)).size;
    // The pin: one rule found in several workloads, so rules and findings differ.
    expect(c.violations.length).toBeGreaterThan(rules);
    const text = formatCampaign(c);
    expect(text).toContain(`Violations: ${rules} rules violated, in ${workloads} workloads (${c.violations.length} findings):`);
    expect(text).toContain(`NOT CONFORMANT (${rules} must rules violated, in ${workloads} workloads)`);
    const unexercised = c.rules.filter((r) => r.verdict === 'not exercised').map((r) => r.rule);
    expect(unexercised.length).toBeGreaterThan(0);
    expect(text).toContain(`Not exercised by these workloads: ${unexercised.length} rules (--verbose names them)`);
    expect(formatCampaign(c, { verbose: true })).toContain(`Not exercised by these workloads: ${unexercised.join(', ')}`);
    expect(text).toContain('p = the moment the broker processed the cancel; d = the moment it called the final status');
  });

  it('lists a rule-level inconclusive verdict even when it came with no finding', () => {
    const c = campaign();
    c.rules = [...c.rules, { rule: 'CANCEL-DOES-NOT-WAIT-FOR-CLIENT', kind: 'must', party: 'broker', verdict: 'inconclusive', counts: { inconclusive: 1 }, reason: 'the cancel returned after the watchdog let a held callback go' }];
    expect(formatCampaign(c)).toContain('inconclusive CANCEL-DOES-NOT-WAIT-FOR-CLIENT: the cancel returned after the watchdog let a held callback go');
  });
});
