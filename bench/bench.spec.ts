/**
 * The bench's smoke test: `npm run bench -- --quick` runs and writes a well-formed results.json.
 * No figure is asserted (benchmarks never fail the suite; no timed assertions).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadWorkload } from '../sim/workloads.ts';
import { scaledWorkload } from './scaled-workload.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'wbemsim-bench-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('npm run bench', () => {
  it('runs on the tiny budget and writes a well-formed results.json to --out', () => {
    const out = join(dir, 'results.json');
    const stdout = execFileSync(process.execPath, ['bin/run-ts.mjs', 'bench/main.ts', '--quick', '--out', out], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
    for (let n = 1; n <= 8; n++) expect(stdout).toMatch(new RegExp(`^## ${n}\\. `, 'm'));
    const doc = JSON.parse(readFileSync(out, 'utf8'));
    expect(typeof doc.vsAlternative).toBe('number');
    expect(typeof doc.vsBare).toBe('number');
    expect(doc.vsAlternative).toBeGreaterThan(0);
    expect(doc.vsBare).toBeGreaterThan(0);
    expect(Object.keys(doc.tables).sort()).toEqual(['alternative', 'bare', 'exhaustive', 'mutants', 'scaling', 'shrink', 'stdio', 'throughput']);
    for (const t of Object.values(doc.tables) as { columns: string[]; rows: unknown[] }[]) {
      expect(t.columns.length).toBeGreaterThan(0);
      expect(t.rows.length).toBeGreaterThan(0);
    }
    expect(doc.machine).toMatchObject({ cores: expect.any(Number), cpu: expect.any(String), node: process.version });
    // the machine is described generically, never by its host name.
    expect(JSON.stringify(doc)).not.toContain(`"${hostname()}"`);
  });

  it('keeps the tables a run of some tables (--tables) did not measure, and the figures at the top', () => {
    const out = join(dir, 'partial.json');
    const before = { vsAlternative: 21, vsBare: 0.0004, tables: { throughput: { title: 'kept', columns: ['a'], rows: [[1]] } }, details: { kept: true } };
    writeFileSync(out, JSON.stringify(before));
    execFileSync(process.execPath, ['bin/run-ts.mjs', 'bench/main.ts', '--quick', '--tables', '4', '--out', out], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
    const doc = JSON.parse(readFileSync(out, 'utf8'));
    expect(Object.keys(doc.tables).sort()).toEqual(['exhaustive', 'throughput']);
    expect(doc.tables.throughput.title).toBe('kept');
    expect(doc.tables.exhaustive.columns).toContain('stored B/state');
    expect([doc.vsAlternative, doc.vsBare, doc.details.kept]).toEqual([21, 0.0004, true]);
    expect(doc.partialRun.tables).toEqual([4]);
  });

  it('rejects an unknown option with exit code 2', () => {
    let code = 0;
    try {
      execFileSync(process.execPath, ['bin/run-ts.mjs', 'bench/main.ts', '--nonsense'], { cwd: ROOT, encoding: 'utf8', stdio: 'pipe' });
    } catch (err) {
      code = (err as { status: number }).status;
    }
    expect(code).toBe(2);
  });
});

describe('scaledWorkload', () => {
  const mixed = loadWorkload('mixed');
  it('keeps the standard workload\'s shape: n/8 renamed copies above 8 calls', () => {
    const w = scaledWorkload(mixed, 64);
    expect(w.calls).toHaveLength(64);
    expect(w.sinks).toHaveLength(24);
    expect(w.actions).toHaveLength(16);
    expect(new Set(w.calls.map((c) => c.id)).size).toBe(64);
    expect(w.calls.find((c) => c.id === 'c4_3')).toMatchObject({ sink: 's3_3~stub', op: 'ExecNotificationQueryAsync' });
    expect(w.calls.find((c) => c.id === 'c8_2')).toMatchObject({ after: 'c1_2' });
  });
  it('takes the first calls below 8, with the sinks and cancels they use', () => {
    const w = scaledWorkload(mixed, 1);
    expect(w.calls.map((c) => c.id)).toEqual(['c1']);
    expect(w.sinks.map((s) => s.id)).toEqual(['s1']);
    expect(w.actions).toEqual([]);
  });
});
