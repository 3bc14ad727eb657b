/**
 * Untrusted text is inert in a terminal: ids and names from workloads and traces, and a broker's
 * stderr, reach every text output with their control characters escaped, so that an id holding
 * `\x1b[2K` cannot erase the verdict line; JSON output stays JSON.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inert, inertLines } from '../report/inert.ts';
import { runCli } from './cli-test-helper.ts';

const scratch = mkdtempSync(join(tmpdir(), 'wbemsim-inert-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A control character a terminal acts on; newlines and tabs excepted. */
// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/**
 * The built-in three-queries workload with call ids and a name that hold terminal escapes (every
 * call's id, so that the shrunk witness holds one whichever calls it keeps).
 */
function evilWorkload(): string {
  const w = JSON.parse(readFileSync(new URL('../workloads/three-queries-one-sink.json', import.meta.url), 'utf8'));
  w.name = 'evil\u001b[31m-name';
  const evil = (id: string) => `c\u001b[2K\r${id.slice(1)}`;
  for (const c of w.calls) {
    c.id = evil(c.id);
    if (c.after) c.after = evil(c.after);
  }
  for (const a of w.actions ?? []) if (a.after) a.after = evil(a.after);
  const file = join(scratch, 'evil.json');
  writeFileSync(file, JSON.stringify(w));
  return file;
}

describe('inert text', () => {
  it('escapes escape sequences, carriage returns, C1 controls and bidirectional overrides', () => {
    expect(inert('a\u001b[2K\rb\u0007\u009b31m\u202eZ\n')).toBe('a\\x1b[2K\\rb\\x07\\x9b31m\\u202eZ\\n');
  });

  it('keeps newlines and tabs in a multi-line log, and nothing else', () => {
    expect(inertLines('line 1\tok\nline 2 \u001b[2K\r\n')).toBe('line 1\tok\nline 2 \\x1b[2K\\r\n');
  });

  it('leaves ordinary text alone', () => {
    const text = 'call c1 (ExecQueryAsync on sink s1) — « WBEM_E_CALL_CANCELLED » 0x80041032';
    expect(inert(text)).toBe(text);
  });
});

describe('every text output', () => {
  const workload = evilWorkload();
  const trace = join(scratch, 'evil.jsonl');

  it('run: ids and workload names from a workload are printed escaped', async () => {
    const r = await runCli('run', '--impl', 'mutant:planted-race', '--workload', workload, '--runs', '50', '--trace', trace);
    expect(r.code, r.err).toBe(1);
    expect(r.out).not.toMatch(RAW_CONTROL);
    expect(r.out).toContain('evil\\x1b[31m-name');
    expect(r.out).toMatch(/c\\x1b\[2K\\r\d/);
    expect(r.out).toMatch(/\nVerdict: NOT CONFORMANT/);
  }, 120_000);

  it('run --json stays JSON: the strings keep their characters, the output holds no raw control character', async () => {
    const r = await runCli('run', '--impl', 'mutant:planted-race', '--workload', workload, '--runs', '50', '--json');
    expect(r.out).not.toMatch(RAW_CONTROL);
    const json = JSON.parse(r.out);
    expect(json.workloads).toEqual(['evil\u001b[31m-name']);
    expect(JSON.stringify(json)).toMatch(/c\\u001b\[2K\\r\d/);
  }, 120_000);

  it('replay: a token that carries the workload inline prints its ids escaped', async () => {
    const run = await runCli('run', '--impl', 'mutant:planted-race', '--workload', workload, '--runs', '50', '--json');
    const token = JSON.parse(run.out).violations[0].replay as string;
    const r = await runCli('replay', token);
    expect(r.out).toContain('evil\\x1b[31m-name');
    expect(r.out).not.toMatch(RAW_CONTROL);
  }, 120_000);

  it('check: ids from a recorded trace are printed escaped', async () => {
    const r = await runCli('check', trace);
    expect(r.out).toMatch(/c\\x1b\[2K\\r\d/);
    expect(r.out).not.toMatch(RAW_CONTROL);
  }, 120_000);

  it('a broker\'s stderr in a run summary is escaped, and of a long log the last lines are shown', async () => {
    const r = await runCli('run', '--impl', 'stdio:node brokers/testdata/faulty-broker.mjs noisy-crash', '--workload', 'three-queries-one-sink', '--runs', '1');
    expect(r.code, r.err).toBe(1);
    expect(r.out).toContain('faulty broker: log line 200 \\x1b[2K\\rERASED');
    expect(r.out).not.toMatch(RAW_CONTROL);
    expect(r.out).toMatch(/\nVerdict: NOT CONFORMANT/);
  }, 120_000);

  it('an error message quoting a broker\'s stderr is escaped', async () => {
    const r = await runCli('run', '--impl', "stdio:printf 'dying \\033[2K\\rX\\n' >&2; exit 5", '--workload', 'three-queries-one-sink', '--runs', '1');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^wbemsim: the broker did not start: /);
    expect(r.err).toContain('dying \\x1b[2K\\rX');
    expect(r.err).not.toMatch(RAW_CONTROL);
  }, 120_000);
});
