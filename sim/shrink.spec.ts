import { describe, expect, it } from 'vitest';
import { runMutantZoo } from '../brokers/mutants/run-mutant-zoo.ts';
import { findMutant } from '../brokers/mutants/index.ts';
import { replay } from './replay.ts';
import { decodeToken } from './replay-token.ts';
import { shrinkToken, smallerWorkloads, violates } from './shrink.ts';
import type { Workload } from './workload.ts';

/** The zoo's first catching run of a mutant: its rule and token. */
const catches = new Map<string, { rule: string; token: string }>();
function firstCatch(name: string): { rule: string; token: string } {
  const known = catches.get(name);
  if (known) return known;
  const m = runMutantZoo({ only: [name] }).mutants[0]!;
  const rule = m.caughtBy.find((r) => m.targets.includes(r));
  if (!rule || !m.replay) throw new Error(`${name} was not caught`);
  catches.set(name, { rule, token: m.replay });
  return catches.get(name)!;
}

describe('shrinking a failing run', () => {
  it('shrinks the planted race\'s long first witness to a short one on the same rule, and its token replays to that rule', () => {
    const { rule, token } = firstCatch('planted-race');
    const mutant = findMutant('planted-race');
    const s = shrinkToken(token, mutant.create(), rule)!;
    expect(s).toBeDefined();
    expect(s.report.rule).toBe(rule);
    expect(s.report.before.steps).toBeGreaterThan(60);
    expect(s.report.after.steps).toBeLessThan(s.report.before.steps / 1.5);
    expect(s.report.after.calls).toBeLessThan(s.report.before.calls);
    expect(s.report.exhausted).toBe(false);
    expect(violates(s.run, rule)).toBe(true);
    // The shrunk token carries the shrunk workload and every choice: a strict replay gives the same run.
    const again = replay(s.run.token, mutant.create);
    expect(again.steps).toBe(s.run.steps);
    expect(again.judge.violations.map((f) => f.rule)).toContain(rule);
    expect((decodeToken(s.run.token).workload as Workload).calls.length).toBe(s.report.after.calls);
  });

  it('drops the calls a race does not need even when their removal moves the race to another interleaving', () => {
    // The planted race needs two calls on one sink; its first witness makes eight. Removing a call
    // shifts the indices and the timing of the rest, so the old choices stop failing: the old
    // steps by their keys, and seeded random schedules, find the race again without the call.
    const { rule, token } = firstCatch('planted-race');
    const s = shrinkToken(token, findMutant('planted-race').create(), rule)!;
    expect(s.report.after.calls).toBe(2);
    expect(s.report.after.sinks).toBe(1);
    expect(s.report.after.steps).toBeLessThanOrEqual(20);
  });

  it('is deterministic: the same failing run shrinks to the same token', () => {
    const { rule, token } = firstCatch('double-final');
    const create = findMutant('double-final').create;
    const a = shrinkToken(token, create(), rule)!;
    const b = shrinkToken(token, create(), rule)!;
    expect(a.run.token).toBe(b.run.token);
    expect(a.report).toEqual(b.report);
    expect(a.report.after.steps).toBeLessThan(a.report.before.steps);
  });

  it('stops at its budget of runs and says so', () => {
    const { rule, token } = firstCatch('planted-race');
    const s = shrinkToken(token, findMutant('planted-race').create(), rule, { budget: 3 })!;
    expect(s.report.runs).toBe(3);
    expect(s.report.exhausted).toBe(true);
    expect(violates(s.run, rule)).toBe(true);
  });

  it('does not shrink a run that does not violate the rule', () => {
    const { token } = firstCatch('planted-race');
    expect(shrinkToken(token, findMutant('planted-race').create(), 'NO-SUCH-RULE')).toBeUndefined();
  });

  it('drops a call together with the waits on it', () => {
    const w: Workload = {
      name: 'w', sinks: [{ id: 's1' }, { id: 's2' }],
      calls: [{ id: 'c1', op: 'ExecQueryAsync', sink: 's1', objects: 4 }, { id: 'c2', op: 'ExecQueryAsync', sink: 's2', after: 'c1.final' }],
      actions: [{ kind: 'cancel', id: 'x1', sink: 's1', after: 'c1' }],
    };
    const without1 = smallerWorkloads(w).find((x) => x.calls.length === 1 && x.calls[0]!.id === 'c2')!;
    expect(without1.calls[0]!.after).toBeUndefined();
    expect(without1.actions![0]!.after).toBeUndefined();
    expect(smallerWorkloads(w).some((x) => x.calls[0]!.objects === 2)).toBe(true);
  });
});
