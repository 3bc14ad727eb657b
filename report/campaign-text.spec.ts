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
});
