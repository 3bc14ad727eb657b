import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ReferenceBroker } from '../reference-broker.ts';
import { replayToken } from '../../cli/replay-command.ts';
import { explore } from '../../sim/explorer.ts';
import { runOnce, type RunResult } from '../../sim/run.ts';
import { makeStrategy } from '../../sim/strategies.ts';
import { checkSchedules } from '../../properties/property-run.ts';
import { scheduleArbitrary } from '../../properties/schedule-arbitrary.ts';
import { createPlantedRace, plantedRace, plantedRaceWorkload } from './planted-race.ts';

const SEED = Number(process.env.FC_SEED ?? 20240501);
const brokenBy = (r: RunResult) => [...new Set([...r.judge.violations.map((f) => f.rule), ...r.monitor.flatMap((x) => x.rules)])];

/** The first seed (from 1) whose run under `strategy` breaks a rule, within `limit` seeds. */
function firstFailingSeed(strategy: 'random' | 'pct', limit: number, depth = 3): RunResult | undefined {
  const broker = createPlantedRace();
  for (let seed = 1; seed <= limit; seed++) {
    const r = runOnce({ impl: 'mutant:planted-race', broker, workload: plantedRaceWorkload, seed, strategy: makeStrategy(strategy, seed, depth, plantedRaceWorkload), depth: strategy === 'pct' ? depth : undefined });
    if (brokenBy(r).length) return r;
  }
  return undefined;
}

describe('the planted race (mutant)', () => {
  it('describes itself for the mutant zoo', () => {
    expect(plantedRace).toMatchObject({ name: 'planted-race', targets: ['CANCELLED-STATUS'] });
    expect(plantedRace.create().info.name).toBe('planted-race');
  });

  it('behaves as the reference broker outside its window (the default order never hits it)', () => {
    const a = runOnce({ impl: 'x', broker: createPlantedRace(), workload: plantedRaceWorkload, seed: 0, strategy: { name: 'first', choose: () => 0 }, keepTrace: true });
    const b = runOnce({ impl: 'x', broker: new ReferenceBroker(), workload: plantedRaceWorkload, seed: 0, strategy: { name: 'first', choose: () => 0 }, keepTrace: true });
    expect(brokenBy(a)).toEqual([]);
    expect(JSON.stringify(a.trace!.slice(1))).toBe(JSON.stringify(b.trace!.slice(1)));
  });

  it('is found by the random strategy, breaking CANCELLED-STATUS only', () => {
    const r = firstFailingSeed('random', 500);
    expect(r, 'no random seed in 1..500 hit the window').toBeDefined();
    expect(brokenBy(r!)).toEqual(['CANCELLED-STATUS']);
  });

  it('is found by PCT', () => {
    const r = firstFailingSeed('pct', 500);
    expect(r, 'no PCT seed in 1..500 hit the window').toBeDefined();
    expect(brokenBy(r!)).toEqual(['CANCELLED-STATUS']);
  });

  it('is found by exhaustive exploration', () => {
    const r = explore({ impl: 'mutant:planted-race', broker: createPlantedRace(), workload: plantedRaceWorkload, stopAtFirstViolation: true });
    expect(r.violations.map((v) => v.rule)).toContain('CANCELLED-STATUS');
  });

  it('is found by fast-check and shrunk to a handful of steps, with a token that replays byte for byte', () => {
    const result = checkSchedules('mutant:planted-race', createPlantedRace, fc.tuple(fc.constant(plantedRaceWorkload), scheduleArbitrary(60)), { seed: SEED, numRuns: 2000 });
    expect(result.failed, 'fast-check did not find the planted race').toBe(true);
    // The report names the rule and the token.
    expect(result.message).toMatch(/property failed: CANCELLED-STATUS/);
    expect(result.message).toContain(`wbemsim replay ${result.run!.token}`);
    // Shrunk: a short choice list, and a short run.
    expect(result.choices!.length).toBeLessThanOrEqual(25);
    expect(result.run!.steps).toBeLessThanOrEqual(25);
    const again = replayToken(result.run!.token, createPlantedRace);
    expect(again.token).toBe(result.run!.token);
    expect(JSON.stringify(again.trace)).toBe(JSON.stringify(result.run!.trace));
    expect(brokenBy(again)).toEqual(['CANCELLED-STATUS']);
  });
});
