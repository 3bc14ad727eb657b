/**
 * Ctrl-C and SIGTERM, for real: the `wbemsim` command runs as a child process, gets the signal
 * in the middle of its work, and must exit 130 or 143 within a second and a half, after printing
 * a summary marked partial, with every process it started gone.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeToken } from '../sim/replay-token.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'wbemsim-interrupt-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits (up to 30 s: loading the harness is slow on a busy machine) until `file` has content. */
async function waitForFile(file: string): Promise<string> {
  for (let i = 0; i < 300; i++) {
    if (existsSync(file)) {
      const text = readFileSync(file, 'utf8');
      if (text.endsWith('\n')) return text;
    }
    await sleep(100);
  }
  throw new Error(`${file} never appeared`);
}

/** The state and process group of a process, from /proc; undefined once it is gone. */
function procStat(pid: number): { state: string; pgrp: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: state!, pgrp: Number(pgrp) };
  } catch {
    return undefined;
  }
}

/** Processes of the group that still run (a zombie has ended; only its parent has not looked yet). */
function runningInGroup(pgid: number): number[] {
  return readdirSync('/proc').filter((n) => /^\d+$/.test(n)).map(Number).filter((pid) => {
    const s = procStat(pid);
    return s !== undefined && s.pgrp === pgid && s.state !== 'Z';
  });
}

/** Writes a legal white-box trace of `pairs` × 2 queries, each indicated once and completed (about 14 events a pair). */
async function writeLongTrace(path: string, pairs: number): Promise<void> {
  const out = createWriteStream(path);
  let seq = 0;
  let buf = JSON.stringify({ seq: 0, type: 'header', format: 'wbemsim-trace', version: 1, recorder: 'simulation', broker: { name: 'gen', version: '1' }, inProcess: true, whiteBox: true }) + '\n';
  const put = async (e: Record<string, unknown>) => {
    buf += JSON.stringify({ seq: ++seq, ...e }) + '\n';
    if (buf.length > 1 << 16) { if (!out.write(buf)) await once(out, 'drain'); buf = ''; }
  };
  for (let i = 0; i < pairs * 2; i += 2) {
    for (const j of [i, i + 1]) {
      await put({ type: 'call.entered', call: `q${j}`, op: 'ExecQueryAsync', services: 'svc', sink: `s${j}`, flags: 0 });
      await put({ type: 'sink.addref', sink: `s${j}`, count: 2, by: 'broker' });
      await put({ type: 'call.returned', call: `q${j}`, hr: 0 });
    }
    for (const j of [i, i + 1]) {
      await put({ type: 'indicate.entered', cb: `q${j}.i`, call: `q${j}`, sink: `s${j}`, count: 3 });
      await put({ type: 'indicate.returned', cb: `q${j}.i`, ret: 0 });
      await put({ type: 'setstatus.entered', cb: `q${j}.f`, call: `q${j}`, sink: `s${j}`, lFlags: 0, hResult: 0, errorObject: false });
      await put({ type: 'setstatus.returned', cb: `q${j}.f`, ret: 0 });
      await put({ type: 'sink.release', sink: `s${j}`, count: 1, by: 'broker' });
    }
  }
  await put({ type: 'run.end', reason: 'quiescent' });
  out.end(buf);
  await once(out, 'finish');
}

interface Cli {
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; at: number }>;
  pid: number;
}

function startCli(args: string[], env: Record<string, string> = {}): Cli {
  const child = spawn(process.execPath, ['bin/wbemsim.mjs', ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => { stdout += String(d); });
  child.stderr.on('data', (d) => { stderr += String(d); });
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; at: number }>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, at: performance.now() }));
  });
  return { done, pid: child.pid! };
}

/** Sends `sig` and returns how the command ended and how long after the signal. */
async function interrupt(cli: Cli, sig: NodeJS.Signals) {
  const sent = performance.now();
  process.kill(cli.pid, sig);
  const r = await Promise.race([cli.done, sleep(10_000).then(() => undefined)]);
  if (!r) {
    process.kill(cli.pid, 'SIGKILL');
    throw new Error(`no exit within 10 s of ${sig}`);
  }
  return { ...r, ms: r.at - sent };
}

describe('an interrupted command', () => {
  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('running a stdio broker that never answers stops on %s, exits %i, prints a partial summary and ends the broker\'s process group', async (sig, code) => {
    const pidFile = join(scratch, `slow-${sig}.pids`);
    const cli = startCli(['run', '--impl', `stdio:node brokers/testdata/slow-broker.mjs ${pidFile}`, '--step-timeout', '600000', '--workload', 'three-queries-one-sink', '--workers', '1']);
    const [broker, sleeper] = (await waitForFile(pidFile)).trim().split(' ').map(Number) as [number, number];
    const pgid = procStat(broker)!.pgrp;
    expect(procStat(sleeper)!.pgrp).toBe(pgid);
    const r = await interrupt(cli, sig);
    expect(r.code, r.stderr).toBe(code);
    expect(r.ms).toBeLessThan(1500);
    expect(r.stdout).toMatch(/PARTIAL: interrupted after 0 finished runs/);
    expect(r.stdout).toMatch(/Verdict \(PARTIAL, interrupted\)/);
    expect(r.stderr).toBe('');
    // Killed before the command exited: a moment for the kernel to finish, no more.
    for (let i = 0; i < 20 && runningInGroup(pgid).length > 0; i++) await sleep(50);
    expect(runningInGroup(pgid)).toEqual([]);
    for (const pid of [broker, sleeper]) expect(procStat(pid)?.state ?? 'gone').toMatch(/^(gone|Z)$/);
  }, 60_000);

  it('running --workers 2 with a stdio broker that never answers stops on SIGINT, ends both workers\' brokers and prints the merged partial summary', async () => {
    const dir = mkdtempSync(join(scratch, 'workers-'));
    // Each worker starts its own broker; the shell's pid names each one's file.
    const cli = startCli(['run', '--impl', `stdio:node brokers/testdata/slow-broker.mjs ${dir}/$$.pids`, '--step-timeout', '600000', '--workload', 'three-queries-one-sink', '--workers', '2']);
    let files: string[] = [];
    for (let i = 0; i < 300 && files.length < 2; i++) { await sleep(100); files = readdirSync(dir); }
    expect(files).toHaveLength(2);
    const pids = await Promise.all(files.map(async (f) => (await waitForFile(join(dir, f))).trim().split(' ').map(Number) as [number, number]));
    const groups = pids.map(([broker]) => procStat(broker)!.pgrp);
    expect(new Set(groups).size).toBe(2);
    const r = await interrupt(cli, 'SIGINT');
    expect(r.code, r.stderr).toBe(130);
    expect(r.ms).toBeLessThan(1500);
    expect(r.stdout).toMatch(/PARTIAL: interrupted after 0 finished runs/);
    expect(r.stdout).toMatch(/Verdict \(PARTIAL, interrupted\)/);
    expect(r.stderr).toBe('');
    for (let i = 0; i < 20 && groups.some((g) => runningInGroup(g).length > 0); i++) await sleep(50);
    for (const g of groups) expect(runningInGroup(g)).toEqual([]);
  }, 60_000);

  it('running an in-process campaign on --workers 2 stops on SIGINT with the runs both workers finished, merged', async () => {
    const ready = join(scratch, 'workers.ready');
    const cli = startCli(['run', '--impl', 'module:brokers/testdata/ready-reference-broker.ts', '--runs', '1000000', '--workload', 'three-queries-one-sink', '--workers', '2', '--json'], { WBEMSIM_TEST_READY_FILE: ready });
    await waitForFile(ready);
    // Both workers under way (each writes the file when it starts its broker), then some runs.
    await sleep(3000);
    const r = await interrupt(cli, 'SIGINT');
    expect(r.code, r.stderr).toBe(130);
    expect(r.ms).toBeLessThan(1500);
    const json = JSON.parse(r.stdout);
    expect(json).toMatchObject({ partial: true, interrupted: true });
    expect(json.runs).toBeGreaterThan(0);
  }, 60_000);

  it('running an in-process campaign of many runs stops on SIGINT with the runs finished so far', async () => {
    const ready = join(scratch, 'run.ready');
    const cli = startCli(['run', '--impl', 'module:brokers/testdata/ready-reference-broker.ts', '--runs', '1000000', '--workload', 'three-queries-one-sink', '--workers', '1'], { WBEMSIM_TEST_READY_FILE: ready });
    await waitForFile(ready);
    await sleep(500);
    const r = await interrupt(cli, 'SIGINT');
    expect(r.code, r.stderr).toBe(130);
    expect(r.ms).toBeLessThan(1500);
    const finished = Number(/PARTIAL: interrupted after (\d+) finished runs?/.exec(r.stdout)?.[1]);
    expect(finished).toBeGreaterThan(0);
    expect(finished).toBeLessThan(1_000_000);
    expect(r.stdout).toContain(`runs ${finished}, steps`);
    expect(r.stdout).toMatch(/Verdict \(PARTIAL, interrupted\): CONFORMANT/);
  }, 60_000);

  it('running --json says partial in the JSON, which stays JSON', async () => {
    const ready = join(scratch, 'json.ready');
    const cli = startCli(['run', '--impl', 'module:brokers/testdata/ready-reference-broker.ts', '--runs', '1000000', '--workload', 'three-queries-one-sink', '--json', '--workers', '1'], { WBEMSIM_TEST_READY_FILE: ready });
    await waitForFile(ready);
    await sleep(300);
    const r = await interrupt(cli, 'SIGTERM');
    expect(r.code, r.stderr).toBe(143);
    const json = JSON.parse(r.stdout);
    expect(json).toMatchObject({ partial: true, interrupted: true });
    expect(json.runs).toBeGreaterThan(0);
  }, 60_000);

  it('exploring stops on SIGINT and SIGTERM alike, with the part explored', async () => {
    for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
      const ready = join(scratch, `explore-${sig}.ready`);
      const cli = startCli(['explore', '--impl', 'module:brokers/testdata/ready-reference-broker.ts', '--max-states', '100000000'], { WBEMSIM_TEST_READY_FILE: ready });
      await waitForFile(ready);
      await sleep(300);
      const r = await interrupt(cli, sig);
      expect(r.code, r.stderr).toBe(code);
      expect(r.ms).toBeLessThan(1500);
      expect(r.stdout).toMatch(/^wbemsim explore: PARTIAL: interrupted/);
      expect(r.stdout).toMatch(/complete: no \(cut by stopped\)/);
      expect(r.stdout).toMatch(/verdict \(PARTIAL, interrupted\)/);
    }
  }, 60_000);

  it('running the mutant zoo stops on SIGINT and lists the mutants it finished', async () => {
    // A budget that keeps the zoo busy for minutes, whatever the machine's speed.
    const cli = startCli(['mutants', '--runs', '100000']);
    // No hook tells when the zoo has started: give the harness time to load, then interrupt.
    await sleep(6000);
    const r = await interrupt(cli, 'SIGINT');
    expect(r.code, r.stderr).toBe(130);
    expect(r.ms).toBeLessThan(1500);
    expect(r.stdout).toMatch(/^wbemsim mutants: PARTIAL: interrupted; only the \d+ mutants finished are listed and scored/);
    expect(r.stdout).toMatch(/mutant zoo: \d+\/\d+ killed/);
  }, 60_000);

  it('checking a long trace stops on SIGTERM and judges the events read so far, marked partial', async () => {
    const trace = join(scratch, 'long.jsonl');
    // About 2.8 million events: far more than a loaded machine reads in the seconds below.
    await writeLongTrace(trace, 200_000);
    const cli = startCli(['check', trace]);
    await sleep(6000);
    const r = await interrupt(cli, 'SIGTERM');
    expect(r.code, r.stderr).toBe(143);
    expect(r.ms).toBeLessThan(1500);
    const events = Number(/^PARTIAL: interrupted after (\d+) events/.exec(r.stdout)?.[1]);
    expect(events).toBeGreaterThan(0);
    expect(events).toBeLessThan(2_800_000);
    expect(r.stdout).toMatch(new RegExp(`: ${events} events; 0 rules violated, `));
    expect(r.stdout).toMatch(/\nVerdict \(PARTIAL, interrupted\): CONFORMANT/);
  }, 120_000);

  it('replaying a token of a stdio broker that never answers stops on SIGINT, marked partial, the broker gone', async () => {
    const pidFile = join(scratch, 'replay.pids');
    const token = encodeToken({
      impl: `stdio:node brokers/testdata/slow-broker.mjs ${pidFile}`, workload: 'three-queries-one-sink', strategy: 'random', seed: 1,
      choices: Array.from({ length: 40 }, () => 0),
    });
    const cli = startCli(['replay', token]);
    const [broker, sleeper] = (await waitForFile(pidFile)).trim().split(' ').map(Number) as [number, number];
    const pgid = procStat(broker)!.pgrp;
    const r = await interrupt(cli, 'SIGINT');
    expect(r.code, r.stderr).toBe(130);
    expect(r.ms).toBeLessThan(1500);
    expect(r.stdout).toMatch(/^PARTIAL: interrupted after \d+ of the token's steps/);
    expect(r.stdout).toMatch(/run ended stopped \(interrupted\)/);
    for (let i = 0; i < 20 && runningInGroup(pgid).length > 0; i++) await sleep(50);
    expect(runningInGroup(pgid)).toEqual([]);
    expect(procStat(sleeper)?.state ?? 'gone').toMatch(/^(gone|Z)$/);
  }, 60_000);

  it('whose work does not stop (a module broker in a busy loop) is ended after the grace period, exit 130, with a line saying so', async () => {
    const ready = join(scratch, 'stuck.ready');
    const cli = startCli(['run', '--impl', 'module:brokers/testdata/stuck-broker.ts', '--workload', 'three-queries-one-sink'], { WBEMSIM_TEST_READY_FILE: ready });
    await waitForFile(ready);
    const r = await interrupt(cli, 'SIGINT');
    expect(r.code, r.stderr).toBe(130);
    expect(r.ms).toBeLessThan(1500);
    expect(r.stderr).toMatch(/^wbemsim: interrupted by SIGINT; the work did not stop in time, so no summary was printed/);
  }, 60_000);

  it.each([
    ['explore', (impl: string) => ['explore', '--impl', impl], /^wbemsim explore: PARTIAL: interrupted after 0 workload/],
    ['replay', (impl: string) => ['replay', encodeToken({ impl, workload: 'three-queries-one-sink', strategy: 'random', seed: 1, choices: [0] })], /^PARTIAL: interrupted before the run started/],
  ] as const)('%s, interrupted while a stdio broker is still starting, exits 130 with a partial summary and no stack trace', async (what, args, partial) => {
    const pidFile = join(scratch, `starting-${what}.pid`);
    const cli = startCli(args(`stdio:sh -c 'echo $$ > ${pidFile}; exec sleep 600'`));
    const pgid = Number((await waitForFile(pidFile)).trim());
    const r = await interrupt(cli, 'SIGINT');
    expect(r.code, r.stderr).toBe(130);
    expect(r.ms).toBeLessThan(1500);
    expect(r.stdout).toMatch(partial);
    expect(r.stderr).toBe('');
    for (let i = 0; i < 20 && runningInGroup(pgid).length > 0; i++) await sleep(50);
    expect(runningInGroup(pgid)).toEqual([]);
  }, 60_000);
});
