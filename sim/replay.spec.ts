import { describe, expect, it } from 'vitest';
import { ReferenceBroker } from '../brokers/reference-broker.ts';
import { resolveImpl } from '../brokers/implementations.ts';
import { scaledWorkload } from '../bench/scaled-workload.ts';
import { SCENARIO_DIR } from '../scenarios/scenario.ts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { replay } from './replay.ts';
import { decodeToken, encodeToken, TokenError } from './replay-token.ts';
import { ReplayDivergence, runOnce } from './run.ts';
import { makeStrategy } from './strategies.ts';
import { RandomStrategy, type Step, type Strategy } from './strategy.ts';
import { Prng } from './prng.ts';
import { loadWorkload } from './workloads.ts';
import type { Workload } from './workload.ts';

const factory = () => new ReferenceBroker();
const text = (trace: unknown[] | undefined) => trace!.map((l) => JSON.stringify(l)).join('\n');

/** A random strategy that no token can remake (so every choice is listed), logging how many steps each choice had. */
function listedRandom(seed: number, widths: number[]): Strategy {
  const inner = new RandomStrategy(new Prng(seed));
  return { name: 'random', choose: (steps: readonly Step[]) => { widths.push(steps.length); return inner.choose(steps); } };
}

describe('replay tokens', () => {
  it('a 500-call workload gives a token under 4 KB on one line, which replays byte for byte', () => {
    // 500 calls of five operations on 25 sinks, at most eight open at once, and ten cancels.
    const ops = ['ExecQueryAsync', 'GetObjectAsync', 'PutInstanceAsync', 'DeleteInstanceAsync', 'CreateInstanceEnumAsync'] as const;
    const workload: Workload = {
      name: 'five-hundred-calls',
      sinks: Array.from({ length: 25 }, (_, i) => ({ id: `s${i}` })),
      calls: Array.from({ length: 500 }, (_, i) => ({
        id: `c${i}`, op: ops[i % 5]!, sink: `s${i % 25}`,
        ...(i % 5 === 0 || i % 5 === 4 ? { objects: 1 + (i % 3) } : {}),
        ...(i >= 8 ? { after: `c${i - 8}.final` } : {}),
      })),
      actions: Array.from({ length: 10 }, (_, i) => ({ kind: 'cancel' as const, id: `k${i}`, sink: `s${i * 2}`, after: `c${i * 50 + 3}` })),
    };
    const first = runOnce({ impl: 'reference', broker: factory(), workload, seed: 3, maxSteps: 100_000, keepTrace: true });
    expect(first.end.reason).toBe('quiescent');
    expect(first.steps).toBeGreaterThan(4000);
    expect(first.token.length).toBeLessThan(4096);
    expect(first.token).toMatch(/^wbs2\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    const again = replay(first.token, factory);
    expect(text(again.trace)).toBe(text(first.trace));
    expect(again.token).toBe(first.token);
  });

  it('a PCT run and a run from a given choice prefix replay byte for byte, with the same token', () => {
    const workload = loadWorkload('shared-sink-cancel');
    const pct = runOnce({ impl: 'reference', broker: factory(), workload, seed: 4, strategy: makeStrategy('pct', 4, 2, workload), depth: 2, keepTrace: true });
    expect(decodeToken(pct.token).choices).toEqual([]);
    const prefixed = runOnce({ impl: 'reference', broker: factory(), workload, seed: 4, choices: [5, 4, 3, 2, 1], keepTrace: true });
    expect(decodeToken(prefixed.token).choices).toHaveLength(5);
    for (const r of [pct, prefixed]) {
      const again = replay(r.token, factory);
      expect(text(again.trace)).toBe(text(r.trace));
      expect(again.token).toBe(r.token);
    }
  });

  it('a tampered choice list is reported as a divergence within the window of 64 steps where it went astray', () => {
    const workload = scaledWorkload(loadWorkload('mixed'), 32);
    const widths: number[] = [];
    const first = runOnce({ impl: 'reference', broker: factory(), workload, seed: 2, strategy: listedRandom(2, widths), maxSteps: 10_000 });
    const spec = decodeToken(first.token);
    expect(spec.choices).toHaveLength(first.steps);
    expect(first.steps).toBeGreaterThan(200);
    // Another step, still among the enabled ones: without the step identity it would replay silently.
    const at = widths.findIndex((n, i) => i >= 150 && n >= 2);
    expect(at).toBeLessThan(192);
    const choices = [...spec.choices];
    choices[at] = (choices[at]! + 1) % widths[at]!;
    const tampered = encodeToken({ ...spec, choices });
    expect(() => replay(tampered, factory)).toThrow(ReplayDivergence);
    expect(() => replay(tampered, factory)).toThrow('diverged between step 128 and 191: the steps taken are not the recorded ones');
    // The untampered token replays.
    expect(replay(first.token, factory).steps).toBe(first.steps);
  });

  it('a token cut or altered in transit is refused as a token, not replayed', () => {
    const r = runOnce({ impl: 'reference', broker: factory(), workload: loadWorkload('mixed'), seed: 1 });
    const [prefix, w, run] = r.token.split('.');
    expect(() => replay(`${prefix}.${w}.${run!.slice(0, -3)}`, factory)).toThrow(TokenError);
    expect(() => replay(`${prefix}.${w!.slice(0, -2)}.${run}`, factory)).toThrow(TokenError);
    expect(() => replay(`${prefix}.${w}`, factory)).toThrow(/not a replay token/);
    expect(() => replay(`${r.token}AAAA`, factory)).toThrow(/past its end|truncated|decompress/);
  });

  it('tokens of the first format (wbs1.) still decode and replay', async () => {
    // The token that pinned the scenario wine-cancel-with-unused-sink before tokens had a second
    // format: the same run as the scenario's pinned choices, made from seed 1.
    const scenario = { token: 'wbs1.eyJpbXBsIjoid2luZSIsIndvcmtsb2FkIjoiY2FuY2VsLXVudXNlZC1zaW5rIiwic3RyYXRlZ3kiOiJyYW5kb20iLCJzZWVkIjoxfQ.AAAAAAAAAAAAAAAAAAAA' };
    const spec = decodeToken(scenario.token);
    expect(spec).toMatchObject({ impl: 'wine', workload: 'cancel-unused-sink', strategy: 'random', seed: 1 });
    expect(spec.checks).toBeUndefined();
    const again = replay(scenario.token, await resolveImpl('wine'));
    expect(again.steps).toBe(spec.choices.length);
    // The scenario's golden trace, but for the seed its header names (a scenario runs from seed 0).
    const [head, ...golden] = readFileSync(join(SCENARIO_DIR, 'wine-cancel-with-unused-sink.trace.jsonl'), 'utf8').trimEnd().split('\n');
    const [againHead, ...lines] = text(again.trace).split('\n');
    expect(JSON.parse(againHead!)).toEqual({ ...JSON.parse(head!), seed: 1 });
    expect(lines).toEqual(golden);
  });
});
