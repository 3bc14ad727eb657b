/**
 * `wbemsim run` and its siblings at the edges: the trace written is the run the report shows, bad
 * output paths and bad numbers are bad usage found before any run, a cut run is not a pass, and a
 * broker command that cannot run is bad usage, not a failing broker.
 */
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './cli-test-helper.ts';

const dir = mkdtempSync(join(tmpdir(), 'wbemsim-run-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

/** One line on stderr, no stack trace. */
function expectOneLine(err: string): void {
  expect(err.trim().split('\n')).toHaveLength(1);
  expect(err).not.toMatch(/\bat .*\.(ts|js|mjs):\d+/);
}

describe('run --trace', () => {
  it('writes the run the report shows: the first violation\'s shortest witness, with its event numbers', async () => {
    const trace = join(dir, 'witness.jsonl');
    const r = await runCli('run', '--impl', 'mutant:planted-race', '--workload', 'three-queries-one-sink', '--runs', '60', '--trace', trace, '--json');
    expect(r.code).toBe(1);
    const j = JSON.parse(r.out);
    const shown = j.violations[0];
    expect(shown.runs).toBeGreaterThan(1);
    expect(j.traceOf.token).toBe(shown.replay);
    // The witness replayed on its own writes the same trace, byte for byte.
    const again = join(dir, 'replayed.jsonl');
    expect((await runCli('replay', shown.replay, '--trace', again)).code).toBe(1);
    expect(readFileSync(trace, 'utf8')).toBe(readFileSync(again, 'utf8'));
    const lines = readFileSync(trace, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    for (const seq of shown.events) expect(lines.some((l) => l.seq === seq)).toBe(true);
  });

  it('writes the shrunk witness: smaller than the run found, failing on the same rule, and its token replays it', async () => {
    const trace = join(dir, 'shrunk.jsonl');
    const r = await runCli('run', '--impl', 'mutant:planted-race', '--workload', 'mixed', '--runs', '40', '--trace', trace, '--json');
    expect(r.code).toBe(1);
    const shown = JSON.parse(r.out).violations[0];
    expect(shown.shrink.rule).toBe(shown.rule);
    expect(shown.shrink.after.steps).toBeLessThan(shown.shrink.before.steps);
    expect(shown.shrink.after.calls).toBeLessThan(shown.shrink.before.calls);
    expect(shown.steps).toBe(shown.shrink.after.steps);
    expect(shown.shrink.original).not.toBe(shown.replay);
    const replayed = await runCli('replay', shown.replay, '--json');
    expect(replayed.code).toBe(1);
    const j = JSON.parse(replayed.out);
    expect(j.steps).toBe(shown.steps);
    expect([...j.violations.map((f: { rule: string }) => f.rule)]).toContain(shown.rule);
    expect(readFileSync(trace, "utf8")).toContain(`"seq":${shown.events[0]},`);
    const text = await runCli('run', '--impl', 'mutant:planted-race', '--workload', 'mixed', '--runs', '40');
    expect(text.out).toMatch(/shrunk from \d+ steps, \d+ calls, \d+ actions?, \d+ objects? to \d+ steps/);
    const unshrunk = JSON.parse((await runCli('run', '--impl', 'mutant:planted-race', '--workload', 'mixed', '--runs', '40', '--shrink-budget', '0', '--json')).out).violations[0];
    expect(unshrunk.shrink).toBeUndefined();
    expect(unshrunk.replay).toBe(shown.shrink.original);
  });
});

describe('output paths are checked before any run', () => {
  it.each([
    ['run', ['run', '--workload', 'held-query-cancel', '--runs', '1']],
    ['replay', ['replay', 'wbs1.eyJpbXBsIjoicmVmZXJlbmNlIiwid29ya2xvYWQiOiJoZWxkLXF1ZXJ5LWNhbmNlbCIsInN0cmF0ZWd5IjoicmFuZG9tIiwic2VlZCI6MX0.']],
  ])('%s --trace into a folder that does not exist exits 2 with one line', async (_name, argv) => {
    const r = await runCli(...argv, '--trace', join(dir, 'no-such-folder', 't.jsonl'));
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/--trace: no folder/);
    expectOneLine(r.err);
  });

  it.each([['run', ['run', '--workload', 'held-query-cancel', '--runs', '1']]])('%s --trace naming a folder exits 2 before the runs', async (_name, argv) => {
    const r = await runCli(...argv, '--trace', dir);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/--trace: .* is a folder, not a file/);
    expectOneLine(r.err);
  });

  it('replay --trace naming a folder exits 2 before the run', async () => {
    const token = 'wbs1.eyJpbXBsIjoicmVmZXJlbmNlIiwid29ya2xvYWQiOiJoZWxkLXF1ZXJ5LWNhbmNlbCIsInN0cmF0ZWd5IjoicmFuZG9tIiwic2VlZCI6MX0.';
    const r = await runCli('replay', token, '--trace', dir);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/is a folder, not a file/);
    expectOneLine(r.err);
  });
});

describe('numeric options', () => {
  it.each(['4294967296', '9007199254740993', '1.5', '-1', 'abc', '1e3', '0x10', ''])('--seed %j exits 2 with one line', async (seed) => {
    const r = await runCli('run', '--workload', 'held-query-cancel', '--runs', '1', '--seed', seed);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/--seed takes a whole number from 0 to 4294967295/);
    expectOneLine(r.err);
  });

  it('takes the last seed the PRNG takes, but not a range of runs that goes past it', async () => {
    expect((await runCli('run', '--workload', 'held-query-cancel', '--runs', '1', '--seed', '4294967295')).code).toBe(0);
    const r = await runCli('run', '--workload', 'held-query-cancel', '--runs', '2', '--seed', '4294967295');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/goes past the last seed 4294967295/);
  });

  it.each([
    ['run', '--runs', '1.5'], ['run', '--depth', 'abc'], ['run', '--max-steps', '1e3'], ['run', '--watchdog', '0x10'],
    ['run', '--time-budget', '-1'], ['run', '--step-timeout', '2.0'], ['run', '--max-states', '9007199254740993'], ['run', '--runs', '0'],
    ['explore', '--max-states', '1.5'], ['explore', '--max-steps', '-3'], ['explore', '--watchdog', 'x'], ['explore', '--time-budget', '1.5'],
    ['mutants', '--runs', '1e2'], ['mutants', '--seed', '-1'], ['mutants', '--depth', '3.5'],
  ])('%s %s %j exits 2 with one line', async (command, option, value) => {
    const r = await runCli(command, option, value);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toContain(`${option} takes a whole number`);
    expectOneLine(r.err);
  });
});

describe('progress in logs', () => {
  it.each(['run', 'explore', 'mutants'])('%s --quiet --progress-every contradict each other: exit 2 with one line', async (command) => {
    const r = await runCli(command, '--quiet', '--progress-every', '5');
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/--progress-every.*--quiet|--quiet.*--progress-every/);
    expectOneLine(r.err);
  });

  /** The progress lines of a command run with --progress-every 1, and the seconds it took. */
  async function progressLines(...argv: string[]): Promise<{ lines: string[]; seconds: number; out: string }> {
    const t0 = performance.now();
    const r = await runCli(...argv, '--progress-every', '1', '--json');
    const seconds = (performance.now() - t0) / 1000;
    expect(r.code).toBe(0);
    // Lines of their own, off a terminal: nothing rewritten in place.
    expect(r.err).not.toContain('\r');
    return { lines: r.err.split('\n').filter((l) => l !== ''), seconds, out: r.out };
  }
  const statesOf = (line: string) => Number(/states (\d+) \(/.exec(line)![1]);

  it('explore: a line at most every second, its states adding up over the workloads', async () => {
    const { lines, seconds } = await progressLines('explore', '--workload', 'explore-shared-sink-cancel', '--workload', 'explore-two-overlapping-cancels');
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines.length).toBeLessThanOrEqual(Math.ceil(seconds));
    for (const l of lines) expect(l).toMatch(/^runs \d+, states \d+ \(\d+\/s\), \d+ rules? violated so far$/);
    const states = lines.map(statesOf);
    expect(states).toEqual([...states].sort((a, b) => a - b));
  }, 60_000);

  it('explore --mode breadth-first says its states too', async () => {
    const { lines } = await progressLines('explore', '--mode', 'breadth-first', '--workload', 'explore-shared-sink-cancel');
    expect(lines.length).toBeGreaterThanOrEqual(1);
    for (const l of lines) expect(statesOf(l)).toBeGreaterThan(0);
  }, 60_000);

  it('run and mutants: runs done, of those planned for run', async () => {
    const run = await progressLines('run', '--runs', '3000');
    expect(run.lines.length).toBeGreaterThanOrEqual(1);
    expect(run.lines.length).toBeLessThanOrEqual(Math.ceil(run.seconds));
    for (const l of run.lines) expect(l).toMatch(/^runs \d+\/\d+, \d+ runs\/s, \d+ rules? violated so far, about \d+s left$/);
    expect(JSON.parse(run.out).runs).toBeGreaterThan(3000);
    const mutants = await progressLines('mutants', '--only', 'leaks-sink', '--runs', '200');
    expect(mutants.lines.length).toBeGreaterThanOrEqual(1);
    for (const l of mutants.lines) expect(l).toMatch(/^runs \d+, \d+ runs\/s, 0 of 1 mutant done, 0 caught so far$/);
  }, 60_000);

  it('--progress-every takes a whole number of seconds, at least 1', async () => {
    const r = await runCli('explore', '--progress-every', '0');
    expect(r.code).toBe(2);
    expect(r.err).toContain('--progress-every takes a whole number');
    expectOneLine(r.err);
  });
});

describe('a run cut by a bound is not a pass', () => {
  it('--max-steps that cuts every run: NOT CONCLUSIVE, exit 1; exit 0 with --allow-cut', async () => {
    const r = await runCli('run', '--workload', 'held-query-cancel', '--runs', '5', '--max-steps', '3');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/Verdict: NOT CONCLUSIVE: 5 of 5 runs cut/);
    const allowed = await runCli('run', '--workload', 'held-query-cancel', '--runs', '5', '--max-steps', '3', '--allow-cut', '--json');
    expect(allowed.code).toBe(0);
    expect(JSON.parse(allowed.out)).toMatchObject({ conformant: true, conclusive: false, runs: 5, planned: 5, cut: 5, incomplete: 0 });
  });

  it('a run of the default bound ends every built-in run, and says nothing was cut', async () => {
    const r = await runCli('run', '--workload', 'mixed', '--runs', '20', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ conformant: true, conclusive: true, cut: 0 });
  });

  it('explore that hits --max-states is incomplete: NOT CONCLUSIVE, exit 1; exit 0 with --allow-cut', async () => {
    const r = await runCli('explore', '--workload', 'explore-shared-sink-cancel', '--max-states', '5');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/Verdict: NOT CONCLUSIVE: 1 of 1 exploration incomplete/);
    const allowed = await runCli('explore', '--workload', 'explore-shared-sink-cancel', '--max-states', '5', '--allow-cut', '--json');
    expect(allowed.code).toBe(0);
    expect(JSON.parse(allowed.out)).toMatchObject({ conformant: true, complete: false, conclusive: false, incomplete: 1 });
  });

  it('run --strategy exhaustive that hits --max-states is incomplete too', async () => {
    const r = await runCli('run', '--strategy', 'exhaustive', '--workload', 'explore-shared-sink-cancel', '--max-states', '5', '--json');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out)).toMatchObject({ conformant: true, conclusive: false, incomplete: 1 });
  });
});

describe('a stdio: broker that cannot run is bad usage', () => {
  const noExec = join(dir, 'not-executable.sh');
  writeFileSync(noExec, '#!/bin/sh\nexit 0\n');
  chmodSync(noExec, 0o644);

  it.each([
    ['a path that does not exist', `stdio:${join(dir, 'no-such-broker')} --flag`, /no such file/],
    ['a name not on PATH', 'stdio:wbemsim-no-such-command-anywhere --flag', /no command "wbemsim-no-such-command-anywhere" on PATH/],
    ['a file without execute permission', `stdio:${noExec}`, /cannot be executed \(no execute permission/],
    ['a command that exits before its hello', 'stdio:FOO=1 sh -c "echo broken >&2; exit 3"', /the broker did not start: .*exited with code 3.*broken/],
  ])('%s: exit 2 with one line, for run and explore', async (_what, impl, message) => {
    for (const command of ['run', 'explore']) {
      const r = await runCli(command, '--impl', impl, '--workload', 'held-query-cancel');
      expect(r.code).toBe(2);
      expect(r.out).toBe('');
      expect(r.err).toMatch(message);
      expectOneLine(r.err);
    }
  });

  it('a broker that can run still runs: the example broker through node on PATH, with an assignment first', async () => {
    const r = await runCli('run', '--impl', 'stdio:BROKER_DEBUG= node examples/js-broker/broker.mjs', '--workload', 'held-query-cancel', '--runs', '2');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Verdict: CONFORMANT/);
  });
});

describe('a workload file that does not validate', () => {
  it('exits 2 naming the misspelled field, instead of running without the cancels', async () => {
    const file = join(dir, 'typo.json');
    writeFileSync(file, JSON.stringify({
      name: 'typo', sinks: [{ id: 's1', behaviour: 'hold' }], calls: [{ id: 'c1', op: 'ExecQueryAsync', sink: 's1', objects: 2 }],
      actoins: [{ kind: 'cancel', id: 'k1', sink: 's1', after: 'c1' }],
    }));
    for (const command of ['run', 'explore']) {
      const r = await runCli(command, '--workload', file);
      expect(r.code).toBe(2);
      expect(r.out).toBe('');
      expect(r.err).toMatch(/unknown field "actoins" \(did you mean "actions"\?\)/);
      expectOneLine(r.err);
    }
  });
});
