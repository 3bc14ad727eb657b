import { afterEach, describe, expect, it, vi } from 'vitest';
import { readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReferenceBroker } from '../brokers/reference-broker.ts';
import { runOnce } from '../sim/run.ts';
import { makeStrategy } from '../sim/strategies.ts';
import { builtinWorkloads } from '../sim/workloads.ts';
import { runCli } from './cli-test-helper.ts';
import { decodeToken, encodeToken } from '../sim/replay-token.ts';
import { checkConformance } from '../index.ts';
import { createBroker } from '../examples/library-use/my-broker.ts';

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

  it('exits 2 when the token no longer fits the run (divergence), naming the window of steps', async () => {
    const spec = decodeToken(original.token);
    const altered = encodeToken({ ...spec, checks: spec.checks!.map((h) => h ^ 1) });
    const r = await cli('replay', altered);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^wbemsim: replay token diverged between step 0 and \d+: the steps taken are not the recorded ones/);
    expect(r.err.trim().split('\n')).toHaveLength(1);
  });

  it('replays a token made from a library user\'s factory with --impl module:PATH', async () => {
    const mine = checkConformance(createBroker, { runs: 1, workloads: [workload] });
    const run = runOnce({ impl: 'module', broker: createBroker(), workload, seed: 5, keepTrace: true });
    expect(mine.conformant).toBe(true);
    const without = await cli('replay', run.token);
    expect(without.code).toBe(2);
    expect(without.err).toMatch(/--impl module:PATH/);
    const dir = mkdtempSync(join(tmpdir(), 'wbemsim-replay-'));
    const r = await cli('replay', run.token, '--impl', 'module:examples/library-use/my-broker.ts', '--trace', join(dir, 't.jsonl'));
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain(`replay: wbemsim replay ${run.token}`);
    expect(readFileSync(join(dir, 't.jsonl'), 'utf8')).toBe(run.trace!.map((l) => JSON.stringify(l)).join('\n') + '\n');
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
