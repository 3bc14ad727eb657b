import { afterEach, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './cli-test-helper.ts';
import { goldenPath, loadScenario, scenarios } from '../scenarios/scenario.ts';
import { RULES } from '../specs/rules.ts';

afterEach(() => vi.restoreAllMocks());

describe('wbemsim scenario', () => {
  it('--list shows every scenario with its title, rules and source, and the rules no scenario exercises', async () => {
    const r = await runCli('scenario', '--list');
    expect(r.code).toBe(0);
    for (const s of scenarios()) {
      expect(r.out).toContain(`${s.name}  `);
      expect(r.out).toContain(s.title);
      expect(r.out).toContain(`rules: ${s.rules.join(', ')}`);
      expect(r.out).toContain(`source: ${s.source}`);
    }
    expect(r.out).toMatch(/\d+ scenarios exercise \d+ of the \d+ rules/);
  });

  it('--list --json gives each scenario and the rules not exercised', async () => {
    const r = await runCli('scenario', '--list', '--json');
    const j = JSON.parse(r.out);
    expect(j.scenarios.map((s: { name: string }) => s.name)).toEqual(scenarios().map((s) => s.name));
    const listed = new Set(scenarios().flatMap((s) => s.rules));
    expect(j.rulesNotExercised).toEqual(RULES.map((x) => x.id).filter((id) => !listed.has(id)));
    expect(j.scenarios[0]).toHaveProperty('source');
  });

  it('runs a scenario: the timeline, the verdicts of its rules, the verdict, exit 0 when conformant and as expected', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wbemsim-scenario-'));
    const r = await runCli('scenario', 'cancel-lengthy-query-mid-stream', '--trace', join(dir, 't.jsonl'));
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/k1: CancelAsyncCall\(s1\) entered/);
    expect(r.out).toMatch(/SetStatus\(final, WBEM_E_CALL_CANCELLED\)/);
    expect(r.out).toMatch(/CANCELLED-STATUS\s+held/);
    expect(r.out).toContain('Verdict: CONFORMANT');
    expect(r.out).toContain('As expected');
    expect(readFileSync(join(dir, 't.jsonl'), 'utf8')).toBe(readFileSync(goldenPath(loadScenario('cancel-lengthy-query-mid-stream')), 'utf8'));
  });

  it('marks the events a violation cites and exits 1 for a non-conformant implementation', async () => {
    const r = await runCli('scenario', 'wine-cancel-waits-for-held-indicate');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^! .*<- .*CANCEL-DOES-NOT-WAIT-FOR-CLIENT/m);
    expect(r.out).toContain('Verdict: NOT CONFORMANT');
    expect(r.out).toContain('As expected');
  });

  it('--impl runs the same scenario with another implementation, without comparing the expectations', async () => {
    const r = await runCli('scenario', 'cancel-unknown-sink', '--impl', 'wine', '--json');
    expect(r.code).toBe(1);
    const j = JSON.parse(r.out);
    expect(j.impl).toBe('wine');
    expect(j.verdicts['CANCEL-UNKNOWN-SINK-ERROR']).toBe('violated');
    expect(j).not.toHaveProperty('asExpected');
  });

  it('exits 1 when a scenario file of one\'s own does not give the verdicts it expects', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wbemsim-scenario-'));
    const file = join(dir, 'wrong.json');
    writeFileSync(file, JSON.stringify({ title: 't', rules: ['CANCELLED-STATUS'], source: 's', impl: 'reference', workload: 'held-query-cancel', expected: { 'CANCELLED-STATUS': 'violated' } }));
    const r = await runCli('scenario', file, '--json');
    expect(r.code).toBe(1);
    const j = JSON.parse(r.out);
    expect(j.asExpected).toBe(false);
    expect(j.mismatches).toEqual(['CANCELLED-STATUS: expected violated, got held']);
  });

  it('exits 2 with one line for an unknown scenario, a bad file, or no name', async () => {
    let r = await runCli('scenario', 'cancel-twise');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^wbemsim: no scenario named "cancel-twise" \(did you mean cancel-twice\?\)/);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    const dir = mkdtempSync(join(tmpdir(), 'wbemsim-scenario-'));
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ title: 't', rules: ['NO-SUCH-RULE'], source: 's', impl: 'reference', workload: 'held-query-cancel', expected: { 'NO-SUCH-RULE': 'held' } }));
    r = await runCli('scenario', join(dir, 'bad.json'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/unknown rule "NO-SUCH-RULE"/);
    r = await runCli('scenario');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/give a scenario name, or --list/);
    r = await runCli('scenario', 'cancel-twice', '--impl', 'mutant:no-such');
    expect(r.code).toBe(2);
  });
});
