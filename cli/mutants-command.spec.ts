import { describe, expect, it } from 'vitest';
import { runCommand } from './cli-test-helper.ts';
import { registerMutants } from './mutants-command.ts';
import { replay } from '../sim/replay.ts';
import { findMutant } from '../brokers/mutants/index.ts';

describe('wbemsim mutants', () => {
  it('prints the zoo table and the score, and exits 0 when every mutant is caught by a rule it targets', async () => {
    const r = await runCommand(registerMutants, ['mutants', '--only', 'double-final,unknown-sink-ok']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/mutant\s+targets\s+killed\s+caught by\s+runs/);
    expect(r.stdout).toMatch(/double-final \*\s+FINAL-STATUS-ONCE\s+yes\s+FINAL-STATUS-ONCE/);
    expect(r.stdout).toContain('mutant zoo: 2/2 killed by their targeted rules');
  });

  it('prints {mutants, score} with --json', async () => {
    const r = await runCommand(registerMutants, ['mutants', '--only', 'leaks-sink', '--json', '--runs', '5']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.mutants).toHaveLength(1);
    expect(out.mutants[0]).toMatchObject({ name: 'leaks-sink', targets: ['RELEASE-AFTER-FINAL'], killed: true, byTarget: true });
    expect(out.mutants[0].caughtBy).toContain('RELEASE-AFTER-FINAL');
    expect(out.mutants[0].runsToDetect).toBeGreaterThanOrEqual(1);
    expect(out.score).toMatchObject({ killed: 1, total: 1 });
  });

  it('shrinks each catching run: a shorter witness on the same targeted rule, whose token replays to it', async () => {
    const r = await runCommand(registerMutants, ['mutants', '--only', 'double-final', '--json']);
    expect(r.code).toBe(0);
    const m = JSON.parse(r.stdout).mutants[0];
    expect(m.shrink.rule).toBe('FINAL-STATUS-ONCE');
    expect(m.shrink.before.steps).toBeGreaterThan(40);
    expect(m.shrink.after.steps).toBeLessThan(m.shrink.before.steps / 2);
    expect(m.replay).not.toBe(m.shrink.original);
    const again = replay(m.replay, findMutant('double-final').create);
    expect(again.steps).toBe(m.shrink.after.steps);
    expect(again.judge.violations.map((f) => f.rule)).toContain('FINAL-STATUS-ONCE');
    const text = await runCommand(registerMutants, ['mutants', '--only', 'double-final']);
    expect(text.stdout).toMatch(new RegExp(`double-final \\*.*\\s${m.shrink.before.steps} -> ${m.shrink.after.steps}\n`));
    const unshrunk = JSON.parse((await runCommand(registerMutants, ['mutants', '--only', 'double-final', '--json', '--shrink-budget', '0'])).stdout).mutants[0];
    expect(unshrunk.shrink).toBeUndefined();
    expect(unshrunk.replay).toBe(m.shrink.original);
  });

  it('exits 1 when a mutant survives the budget, and says which', async () => {
    // One run per workload, and no scenarios or swarm after them, is too small a budget for this
    // one (SWbemSink.Cancel must find two operations outstanding).
    const r = await runCommand(registerMutants, ['mutants', '--only', 'swbem-cancel-only-first', '--runs', '1', '--swarm-runs', '0']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/Weaknesses:\n  swbem-cancel-only-first: not killed in \d+ runs/);
  });

  it('rejects an unknown mutant name with the list (exit 2)', async () => {
    const r = await runCommand(registerMutants, ['mutants', '--only', 'no-such-mutant']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown mutant\(s\) no-such-mutant \(one of: blocking-return, /);
  });
});
