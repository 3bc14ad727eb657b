/**
 * RELEASE-PROMPTLY is about the broker's quiescence: a conformant broker that releases its sink
 * reference in a step of its own after the final status is never warned, however the client's
 * steps interleave with that release; a broker that idles while holding it (Wine) is.
 */
import { describe, expect, it } from 'vitest';
import { runMany } from '../sim/campaign.ts';
import { builtinWorkloads } from '../sim/workloads.ts';
import { DeferredReleaseBroker } from './testdata/deferred-release-broker.ts';
import { WineModel } from './wine-model.ts';

describe('RELEASE-PROMPTLY', () => {
  it('does not warn a broker whose release is still an enabled step when the client moves on', () => {
    const c = runMany({ impl: 'deferred-release', factory: () => new DeferredReleaseBroker(), workloads: builtinWorkloads(), strategy: 'random', seed: 1, runs: 30 });
    expect(c.violations.map((f) => f.rule)).toEqual([]);
    expect(c.warnings.filter((f) => f.rule === 'RELEASE-PROMPTLY')).toEqual([]);
    expect(c.inconclusive.filter((f) => f.rule === 'RELEASE-PROMPTLY')).toEqual([]);
    expect(c.rules.find((r) => r.rule === 'RELEASE-PROMPTLY')?.counts.held ?? 0).toBeGreaterThan(0);
  });

  it('warns a broker that goes idle while it keeps the reference of an ended call (Wine)', () => {
    const c = runMany({ impl: 'wine', factory: () => new WineModel(), workloads: builtinWorkloads().filter((w) => w.name === 'sequential-queries'), strategy: 'random', seed: 1, runs: 10 });
    expect(c.warnings.map((f) => f.rule)).toContain('RELEASE-PROMPTLY');
  });
});
