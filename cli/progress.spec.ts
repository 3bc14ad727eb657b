/**
 * The progress line: on a terminal, or as lines of their own with --progress-every, never with
 * --quiet, on stderr, and it changes nothing in the result.
 */
import { describe, expect, it } from 'vitest';
import { ProgressLine, progressText, type Progress } from './progress.ts';
import { progressOfWorkers } from './run-workers.ts';
import { runMany } from '../sim/campaign.ts';
import { resolveImpl } from '../brokers/implementations.ts';
import { builtinWorkloads } from '../sim/workloads.ts';
import { runMutantZoo } from '../brokers/mutants/run-mutant-zoo.ts';

function sink(isTTY: boolean) {
  const writes: string[] = [];
  return { isTTY, writes, write: (s: string) => writes.push(s) };
}

describe('the progress line', () => {
  it('says runs done of planned, the rate, the rules violated so far, and the time left', () => {
    expect(progressText({ runs: 50, planned: 200, steps: 0, violations: 1 }, 5000)).toBe('runs 50/200, 10 runs/s, 1 rule violated so far, about 15s left');
    expect(progressText({ runs: 3, steps: 0, violations: 2, states: 40 }, 2000, 60_000)).toBe('runs 3, states 40 (20/s), 2 rules violated so far, 58s left of the budget');
  });

  it('says for mutants how many are done and caught', () => {
    expect(progressText({ runs: 300, steps: 0, violations: 0, mutants: { done: 4, caught: 3, total: 33 } }, 3000)).toBe('runs 300, 100 runs/s, 4 of 33 mutants done, 3 caught so far');
  });

  it('changes nothing in the mutant zoo it watches, and hears of every run', () => {
    const seen: { runs: number; mutantsDone: number }[] = [];
    const a = runMutantZoo({ only: ['leaks-sink'], runs: 3 });
    const b = runMutantZoo({ only: ['leaks-sink'], runs: 3, onRun: (p) => seen.push(p) });
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    // Three rounds of the reference baseline over every workload, then the mutant's runs to its catch.
    expect(seen.map((p) => p.runs)).toEqual(Array.from({ length: seen.length }, (_, i) => i + 1));
    expect(seen.length).toBe(3 * a.options.workloads.length + a.mutants[0]!.runsMade);
  });

  it('is shown on an interactive terminal only, and never with --quiet', () => {
    let now = 0;
    const clock = () => now;
    const tty = sink(true);
    const line = new ProgressLine(tty, { clock });
    now = 1000;
    line.listener!({ runs: 10, planned: 20, steps: 0, violations: 0 });
    line.done();
    expect(tty.writes).toEqual(['\r\x1b[2Kruns 10/20, 10 runs/s, 0 rules violated so far, about 1s left', '\r\x1b[2K']);
    for (const [isTTY, quiet] of [[false, false], [true, true], [false, true]] as const) {
      const out = sink(isTTY);
      const l = new ProgressLine(out, { quiet, clock });
      expect(l.listener).toBeUndefined();
      l.update({ runs: 1, steps: 0, violations: 0 });
      l.done();
      expect(out.writes).toEqual([]);
    }
  });

  it('with --progress-every, writes a line of its own at most that often, terminal or not, and leaves it there', () => {
    for (const isTTY of [false, true]) {
      let now = 0;
      const out = sink(isTTY);
      const line = new ProgressLine(out, { everyMs: 10_000, clock: () => now });
      const listen = line.listener!;
      for (const [t, runs] of [[4000, 1], [10_000, 2], [15_000, 3], [19_999, 4], [20_000, 5], [45_000, 6]] as const) {
        now = t;
        listen({ runs, steps: 0, violations: 0, states: runs * 100 });
      }
      line.done();
      expect(out.writes).toEqual([
        'runs 2, states 200 (20/s), 0 rules violated so far\n',
        'runs 5, states 500 (25/s), 0 rules violated so far\n',
        'runs 6, states 600 (13/s), 0 rules violated so far\n',
      ]);
    }
    const quiet = sink(false);
    expect(new ProgressLine(quiet, { quiet: true, everyMs: 1000 }).listener).toBeUndefined();
  });

  it('of several workers adds up their runs, steps, planned runs and states', () => {
    const seen: Progress[] = [];
    const of = progressOfWorkers(2, (p) => seen.push(p));
    of(0)!({ runs: 10, steps: 100, violations: 1, states: 40 });
    of(1)!({ runs: 5, steps: 50, violations: 2, states: 25 });
    of(0)!({ runs: 12, steps: 120, violations: 1, states: 48 });
    expect(seen).toEqual([
      { runs: 10, steps: 100, violations: 1, states: 40 },
      { runs: 15, steps: 150, violations: 2, states: 65 },
      { runs: 17, steps: 170, violations: 2, states: 73 },
    ]);
    const runs: Progress[] = [];
    const ofRuns = progressOfWorkers(2, (p) => runs.push(p));
    ofRuns(0)!({ runs: 3, planned: 10, steps: 30, violations: 0 });
    ofRuns(1)!({ runs: 4, planned: 11, steps: 40, violations: 0 });
    expect(runs).toEqual([{ runs: 3, steps: 30, violations: 0 }, { runs: 7, planned: 21, steps: 70, violations: 0 }]);
    expect(progressOfWorkers(2, undefined)(0)).toBeUndefined();
  });

  it('changes nothing in the campaign it watches', async () => {
    const factory = await resolveImpl('mutant:planted-race');
    const workloads = builtinWorkloads().filter((w) => w.name === 'three-queries-one-sink');
    const seen: number[] = [];
    const a = runMany({ impl: 'mutant:planted-race', factory, workloads, strategy: 'random', seed: 1, runs: 15 });
    const b = runMany({ impl: 'mutant:planted-race', factory, workloads, strategy: 'random', seed: 1, runs: 15, onRun: (p) => seen.push(p.runs) });
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    expect(seen).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
  });
});
