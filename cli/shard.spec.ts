/**
 * `run --shard k/n` then `merge`, and `run --workers N`: the merged result is the unsharded run's,
 * byte for byte (JSON but its `wall`, text, exit code); mismatched shards are bad input.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCli } from './cli-test-helper.ts';

afterEach(() => vi.restoreAllMocks());

/** A result's JSON without its wall-clock field (and without what only a shard carries). */
function withoutWall(json: string): string {
  const { wall: _w, shard: _s, ...rest } = JSON.parse(json) as Record<string, unknown>;
  return JSON.stringify(rest, null, 2);
}

async function shardsThenMerge(args: string[], n: number, order: (files: string[]) => string[] = (f) => f) {
  const dir = mkdtempSync(join(tmpdir(), 'wbemsim-shard-'));
  const files: string[] = [];
  for (let k = 1; k <= n; k++) {
    const file = join(dir, `shard-${k}.json`);
    const r = await runCli('run', ...args, '--workers', '1', '--shard', `${k}/${n}`, '--out', file, '--quiet');
    expect(r.err).toBe('');
    files.push(file);
  }
  const json = await runCli('merge', ...order(files), '--json');
  const text = await runCli('merge', ...order(files));
  return { json, text, files, dir };
}

describe('run --shard k/n, then merge', () => {
  it.each([
    ['the conformance suite, --runs 20', ['--runs', '20']],
    ['--workload mixed --runs 12', ['--workload', 'mixed', '--runs', '12']],
    ['a mutant, --workload mixed --runs 40 (shrunk witnesses)', ['--impl', 'mutant:planted-race', '--workload', 'mixed', '--runs', '40']],
  ])('%s: 4 shards merged give the unsharded run\'s JSON, text and exit code', async (_name, args) => {
    const whole = await runCli('run', ...args, '--workers', '1', '--json', '--quiet');
    const wholeText = await runCli('run', ...args, '--workers', '1', '--quiet');
    const m = await shardsThenMerge(args, 4, (f) => [...f].reverse());
    expect(m.json.err).toBe('');
    expect(withoutWall(m.json.out)).toBe(withoutWall(whole.out));
    expect(m.json.code).toBe(whole.code);
    expect(m.text.out).toBe(wholeText.out);
    expect(m.text.code).toBe(wholeText.code);
    // Each shard made only its part of the runs.
    const runs = m.files.map((f) => (JSON.parse(readFileSync(f, 'utf8')) as { runs: number }).runs);
    expect(runs.every((r) => r > 0 && r < JSON.parse(whole.out).runs)).toBe(true);
    expect(runs.reduce((a, b) => a + b, 0)).toBe(JSON.parse(whole.out).runs);
    // A shard file holds one run record per line.
    for (const f of m.files) {
      const text = readFileSync(f, 'utf8');
      const records = (JSON.parse(text) as { shard: { part: { records: unknown[] } } }).shard.part.records;
      expect(text.split('\n').filter((l) => /^ +\{"at":\[/.test(l))).toHaveLength(records.length);
    }
  }, 300_000);

  it('a shard\'s text says it is one shard', async () => {
    const r = await runCli('run', '--workload', 'mixed', '--runs', '4', '--shard', '2/2', '--workers', '1', '--quiet');
    expect(r.out).toMatch(/^Shard 2\/2: the runs of this shard only/);
  });

  it('mismatched shards exit 2 with one line: a missing or repeated k, another campaign, another split', async () => {
    const { files, dir } = await shardsThenMerge(['--workload', 'mixed', '--runs', '6'], 3);
    const missing = await runCli('merge', files[0]!, files[2]!);
    expect(missing.code).toBe(2);
    expect(missing.err).toBe('wbemsim: shard 2/3 is missing\n');
    const twice = await runCli('merge', files[0]!, files[1]!, files[1]!, files[2]!);
    expect(twice.code).toBe(2);
    expect(twice.err).toMatch(/^wbemsim: shard 2\/3 is given twice \([^\n]+\)\n$/);
    const other = join(dir, 'other.json');
    await runCli('run', '--workload', 'mixed', '--runs', '6', '--seed', '9', '--shard', '2/3', '--workers', '1', '--out', other, '--quiet');
    const seed = await runCli('merge', files[0]!, other, files[2]!);
    expect(seed.code).toBe(2);
    expect(seed.err).toMatch(/^wbemsim: [^\n]*other\.json and [^\n]* are shards of different campaigns: seed 9 against 1\n$/);
    const split = join(dir, 'split.json');
    await runCli('run', '--workload', 'mixed', '--runs', '6', '--shard', '2/2', '--workers', '1', '--out', split, '--quiet');
    const n = await runCli('merge', files[0]!, split);
    expect(n.code).toBe(2);
    expect(n.err).toMatch(/different splits\n$/);
    const notShard = join(dir, 'plain.json');
    writeFileSync(notShard, '{"runs": 1}');
    const plain = await runCli('merge', notShard);
    expect(plain.code).toBe(2);
    expect(plain.err).toMatch(/is not the result of a shard/);
    const bad = await runCli('run', '--shard', '5/4');
    expect(bad.code).toBe(2);
    expect(bad.err).toBe('wbemsim: --shard must be k/n with 1 ≤ k ≤ n (e.g. 2/4), not 5/4\n');
  }, 300_000);
});

describe('run --workers N', () => {
  it.each([
    ['the conformance suite, --runs 20', ['--runs', '20']],
    ['a mutant on one workload (shrunk witnesses)', ['--impl', 'mutant:planted-race', '--workload', 'mixed', '--runs', '40']],
  ])('%s: --workers 2 prints what --workers 1 prints, byte for byte', async (_name, args) => {
    const one = await runCli('run', ...args, '--workers', '1', '--json', '--quiet');
    const two = await runCli('run', ...args, '--workers', '2', '--json', '--quiet');
    expect(withoutWall(two.out)).toBe(withoutWall(one.out));
    expect(two.code).toBe(one.code);
    const oneText = await runCli('run', ...args, '--workers', '1', '--quiet');
    const twoText = await runCli('run', ...args, '--workers', '2', '--quiet');
    expect(twoText.out).toBe(oneText.out);
  }, 300_000);

  it('--trace writes the shown run\'s trace with several workers too', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wbemsim-workers-'));
    const args = ['--impl', 'mutant:planted-race', '--workload', 'mixed', '--runs', '40', '--quiet'];
    await runCli('run', ...args, '--workers', '1', '--trace', join(dir, 'one.jsonl'));
    await runCli('run', ...args, '--workers', '2', '--trace', join(dir, 'two.jsonl'));
    expect(readFileSync(join(dir, 'two.jsonl'), 'utf8')).toBe(readFileSync(join(dir, 'one.jsonl'), 'utf8'));
  }, 300_000);
});
