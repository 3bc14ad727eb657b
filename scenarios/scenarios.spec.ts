import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { goldenPath, parseScenario, runScenario, scenarios, ScenarioError, traceText, verdicts } from './scenario.ts';
import { RULES } from '../specs/rules.ts';

const all = scenarios();

describe.each(all.map((s) => [s.name, s] as const))('scenario %s', (_, s) => {
  it('replays to its golden trace, byte for byte (npm run scenarios:update refreshes it deliberately)', async () => {
    const r = await runScenario(s);
    expect(existsSync(goldenPath(s)), `${goldenPath(s)} is missing: run npm run scenarios:update`).toBe(true);
    expect(traceText(r)).toBe(readFileSync(goldenPath(s), 'utf8'));
  });

  it('exercises every rule it lists, and gives exactly the verdicts it expects', async () => {
    const r = await runScenario(s);
    const got = verdicts(r);
    for (const rule of s.rules) expect(got[rule], `${rule} is listed as exercised`).not.toBe('not exercised');
    expect(Object.fromEntries(Object.keys(s.expected).map((rule) => [rule, got[rule]]))).toEqual(s.expected);
    // Nothing violated or left inconclusive that the scenario does not name.
    const unexpected = Object.entries(got).filter(([rule, v]) => (v === 'violated' || v === 'inconclusive') && !(rule in s.expected));
    expect(unexpected).toEqual([]);
    expect(r.end.reason).not.toBe('bound');
  });
});

describe('the suite', () => {
  it('has at least 24 scenarios, each with a title, rules, a source and an implementation', () => {
    expect(all.length).toBeGreaterThanOrEqual(24);
    for (const s of all) {
      expect(s.title.length).toBeGreaterThan(0);
      expect(s.rules.length).toBeGreaterThan(0);
      expect(s.source.length).toBeGreaterThan(0);
    }
  });

  it('exercises every rule of the catalogue, each from its own implementation and client', async () => {
    // The client rules that judge what a client does with its results (the final HRESULT,
    // progress taken for the end, the objects kept) are exercised by client-model scenarios.
    const exercised = new Set<string>();
    for (const s of all) {
      const got = verdicts(await runScenario(s));
      for (const [rule, v] of Object.entries(got)) if (v !== 'not exercised') exercised.add(rule);
    }
    expect(RULES.map((r) => r.id).filter((id) => !exercised.has(id))).toEqual([]);
    // And each is listed by a scenario that exercises it, as `wbemsim scenario --list` shows.
    const listed = new Set(all.flatMap((s) => s.rules));
    expect(RULES.map((r) => r.id).filter((id) => !listed.has(id))).toEqual([]);
  });

  it('refuses a scenario that names an unknown rule, lacks a field, or lists a rule it expects not exercised', () => {
    const ok = { title: 't', rules: ['CANCELLED-STATUS'], source: 's', impl: 'reference', workload: 'held-query-cancel', expected: { 'CANCELLED-STATUS': 'held' } };
    expect(() => parseScenario(JSON.stringify(ok), 'ok')).not.toThrow();
    expect(() => parseScenario(JSON.stringify({ ...ok, rules: ['CANCELED-STATUS'] }), 'x')).toThrow(/unknown rule "CANCELED-STATUS" \(did you mean CANCELLED-STATUS\?\)/);
    expect(() => parseScenario(JSON.stringify({ ...ok, title: undefined }), 'x')).toThrow(ScenarioError);
    expect(() => parseScenario(JSON.stringify({ ...ok, seed: 3 }), 'x')).toThrow(/additional properties "seed"/);
    expect(() => parseScenario(JSON.stringify({ ...ok, expected: { 'CANCELLED-STATUS': 'not exercised' } }), 'x')).toThrow(/listed as exercised/);
    expect(() => parseScenario(JSON.stringify({ ...ok, workload: 'no-such-workload' }), 'x')).toThrow(/no built-in workload/);
    expect(() => parseScenario(JSON.stringify({ ...ok, workload: { name: 'w', sinks: [], calls: [] } }), 'x')).toThrow(/nothing to run/);
  });
});
