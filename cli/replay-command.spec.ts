import { afterEach, describe, expect, it, vi } from 'vitest';
import { readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReferenceBroker } from '../brokers/reference-broker.ts';
import { runOnce } from '../sim/run.ts';
import { makeStrategy } from '../sim/strategies.ts';
import { builtinWorkloads } from '../sim/workloads.ts';
import { runCli } from './cli-test-helper.ts';

const cli = runCli;

afterEach(() => vi.restoreAllMocks());

describe('wbemsim replay', () => {
  const workload = builtinWorkloads().find((w) => w.name === 'shared-sink-cancel')!;
  const original = runOnce({ impl: 'reference', broker: new ReferenceBroker(), workload, seed: 9, strategy: makeStrategy('pct', 9, 2, workload), depth: 2, keepTrace: true });

  it('reproduces a run\'s trace byte for byte and prints the same verdict', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wbemsim-replay-'));
    const r = await cli('replay', original.token, '--trace', join(dir, 't.jsonl'));
    expect(r.code).toBe(original.judge.conformant ? 0 : 1);
    expect(r.out).toContain(original.token);
    expect(readFileSync(join(dir, 't.jsonl'), 'utf8')).toBe(original.trace!.map((l) => JSON.stringify(l)).join('\n') + '\n');
  });

  it('prints a machine-readable verdict with --json', async () => {
    const r = await cli('replay', original.token, '--json');
    const j = JSON.parse(r.out);
    expect(j.token).toBe(original.token);
    expect(j.violations.map((f: { rule: string }) => f.rule)).toEqual(original.judge.violations.map((f) => f.rule));
  });

  it('exits 2 with one clear line on a malformed token', async () => {
    const r = await cli('replay', 'wbs1.not-a-token');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^wbemsim: not a replay token/);
  });

  it('exits 2 when the token no longer fits the run (divergence)', async () => {
    const truncated = original.token.slice(0, original.token.lastIndexOf('.') + 1) + 'AAAA';
    const r = await cli('replay', truncated);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/replay token diverges/);
  });
});

describe('wbemsim replay of a run cut by its step bound', () => {
  it('says NOT CONCLUSIVE and exits 1, or 0 with --allow-cut', async () => {
    const workload = builtinWorkloads().find((w) => w.name === 'held-query-cancel')!;
    const cut = runOnce({ impl: 'reference', broker: new ReferenceBroker(), workload, seed: 1, maxSteps: 3 });
    expect(cut.end.reason).toBe('bound');
    const r = await cli('replay', cut.token);
    expect(r.code).toBe(1);
    expect(r.out).toContain('Verdict: NOT CONCLUSIVE: 1 of 1 run cut');
    const allowed = await cli('replay', cut.token, '--allow-cut', '--json');
    expect(allowed.code).toBe(0);
    expect(JSON.parse(allowed.out)).toMatchObject({ conformant: true, conclusive: false, cut: 1 });
  });
});
