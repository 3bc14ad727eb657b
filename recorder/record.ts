/**
 * Recording a real broker: builds the recorder (recorder.c, a C client of IWbemServices) into a
 * cache folder, runs its scenarios one per process under Wine or natively, normalises each trace
 * and judges it with the checker of `wbemsim check`. `wbemsim record` (cli/record-command.ts),
 * `npm run record:update` and the live comparison of CI use these functions.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import which from 'which';
import { packagePath } from '../package-root.ts';
import { checkTraceFile } from '../cli/check-command.ts';
import type { JudgeResult } from '../specs/judge.ts';
import type { Verdict } from '../specs/check.ts';
import { UsageError } from '../cli/usage-error.ts';

export const RECORDER_SOURCE = packagePath('recorder', 'recorder.c');
export const FIXTURE_DIR = packagePath('recorder', 'fixtures', 'wine-8.0');
export const FIXTURE_VERDICTS = join(FIXTURE_DIR, 'verdicts.json');

/** The recorder's scenarios, in its own order (recorder.c's table; a test keeps the two equal). */
export const RECORDING_SCENARIOS = [
  'query-complete', 'cancel-after-return', 'cancel-held-indicate', 'cancel-after-complete-twice', 'cancel-null',
  'cancel-unused-sink', 'cancel-other-calls-sink', 'shared-sink-two-calls', 'second-call-while-running',
  'second-call-after-finish', 'cancel-in-indicate', 'cancel-in-setstatus', 'notification-cancel', 'notification-ends-ok',
  'send-status', 'indicate-fails', 'no-security', 'unsecured-apartment', 'start-syntax-error', 'start-null-sink',
  'start-null-query', 'start-unsupported', 'services-released-during-call',
] as const;

export type Mode = 'wine' | 'native';

/** Where built recorders and the Wine prefix live: never inside the repository. */
export function cacheDir(): string {
  return process.env.WBEMSIM_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'wbemsim');
}

const APT = 'apt-get install -y wine wine64 gcc-mingw-w64-x86-64';
const COMPILER = 'x86_64-w64-mingw32-gcc';
/** The recorder's link line: mingw-w64 ships wbemidl.h and libwbemuuid.a. */
const LIBS = ['-lole32', '-loleaut32', '-lwbemuuid', '-luuid'];

/** Every process the harness starts runs under coreutils' `timeout`, killed hard 5 s later. */
function timed(seconds: number, argv: string[]): string[] {
  return ['timeout', '-k', '5', String(seconds), ...argv];
}

/** The tools a recording needs here, or one line naming what to install. */
export function checkTools(mode: Mode, needCompiler: boolean): void {
  const missing: string[] = [];
  if (mode === 'wine' && !which.sync('timeout', { nothrow: true })) missing.push('timeout (coreutils)');
  if (mode === 'wine' && !which.sync('wine', { nothrow: true })) missing.push('wine');
  if (needCompiler && !which.sync(COMPILER, { nothrow: true })) missing.push(COMPILER);
  if (missing.length) throw new UsageError(`record: ${missing.join(' and ')} not found; install with: sudo ${APT}`);
}

/** The built recorder for the current source, compiling it into the cache when needed. */
export function recorderExe(mode: Mode): string {
  // On Windows a recorder built with MSVC or clang (docs/real-brokers.md) can be named instead.
  const given = process.env.WBEMSIM_RECORDER_EXE;
  if (given) {
    if (!existsSync(given)) throw new UsageError(`record: WBEMSIM_RECORDER_EXE names ${given}, which does not exist`);
    checkTools(mode, false);
    return given;
  }
  const source = readFileSync(RECORDER_SOURCE);
  const hash = createHash('sha256').update(source).update(LIBS.join(' ')).digest('hex').slice(0, 16);
  const exe = join(cacheDir(), `recorder-${hash}.exe`);
  if (existsSync(exe)) {
    checkTools(mode, false);
    return exe;
  }
  checkTools(mode, true);
  mkdirSync(cacheDir(), { recursive: true });
  const tmp = `${exe}.${process.pid}.tmp`;
  const [cmd, ...args] = (mode === 'wine' ? (a: string[]) => timed(120, a) : (a: string[]) => a)([COMPILER, '-std=c11', '-O2', '-o', tmp, RECORDER_SOURCE, ...LIBS]);
  const r = spawnSync(cmd!, args, { encoding: 'utf8', timeout: 180_000 });
  if (r.status !== 0) {
    const first = `${r.stderr ?? ''}`.split('\n').find((l) => l.includes('error')) ?? `exit ${r.status}`;
    throw new UsageError(`record: building the recorder failed: ${first.trim()}`);
  }
  renameSync(tmp, exe);
  return exe;
}

/** The environment of a headless Wine with its own 64-bit prefix in the cache. */
function wineEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env, WINEPREFIX: join(cacheDir(), 'wineprefix'), WINEARCH: 'win64', WINEDEBUG: '-all', WINEDLLOVERRIDES: 'mscoree,mshtml=',
  };
  delete env.DISPLAY;
  return env;
}

/**
 * Creates the Wine prefix once (wineboot, a few seconds), then starts its wineserver apart, with
 * no stdio: a server started by the first recorder would inherit that process's output pipe and
 * keep it open for seconds after the recorder ended. It ends by itself 20 s after its last client.
 */
export function prepareWine(): void {
  const env = wineEnv();
  if (!existsSync(join(env.WINEPREFIX!, 'system.reg'))) {
    mkdirSync(cacheDir(), { recursive: true });
    const [cmd, ...args] = timed(180, ['wineboot', '-i']);
    const r = spawnSync(cmd!, args, { env, stdio: 'ignore' });
    if (r.status !== 0) throw new UsageError(`record: creating the Wine prefix failed (wineboot -i exited ${r.status})`);
  }
  const [cmd, ...args] = timed(20, ['wineserver', '-p', '20']);
  spawnSync(cmd!, args, { env, stdio: 'ignore' });
}

/** One scenario as the recorder's process ended. */
export interface RawRecording {
  scenario: string;
  /** `recorded`: a trace came; `unavailable`: the broker cannot run it (reason); `failed`: no usable trace. */
  status: 'recorded' | 'unavailable' | 'failed';
  trace?: string;
  reason?: string;
}

/**
 * Runs a process with its output in files, not pipes: Wine's helper processes (winedevice, the
 * wineserver) inherit the output of the process that started them and outlive it, so a pipe would
 * stay open. Besides `timeout` (under Wine) the harness kills it itself past `killAfterS`.
 */
function run(argv: string[], env: NodeJS.ProcessEnv, killAfterS: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'wbemsim-rec-'));
  const outPath = join(dir, 'out'), errPath = join(dir, 'err');
  const out = openSync(outPath, 'w'), err = openSync(errPath, 'w');
  return new Promise((resolve) => {
    const [cmd, ...args] = argv;
    const p = spawn(cmd!, args, { env, stdio: ['ignore', out, err], timeout: killAfterS * 1000, killSignal: 'SIGKILL' });
    let ended = false;
    const done = (code: number | null, message = '') => {
      if (ended) return;
      ended = true;
      closeSync(out);
      closeSync(err);
      const r = { code, stdout: readFileSync(outPath, 'utf8'), stderr: readFileSync(errPath, 'utf8') + message };
      rmSync(dir, { recursive: true, force: true });
      resolve(r);
    };
    p.on('error', (e) => done(null, e.message));
    p.on('exit', (code) => done(code));
  });
}

/** Seconds a scenario's process may take: its own watchdogs end it well before. */
export const SCENARIO_TIMEOUT_S = 30;

/**
 * Runs one scenario in its own process; a process that ends without a trace (a Wine process can
 * fail to start, rarely, while the prefix's services come up) is run once more.
 */
export async function recordScenario(exe: string, scenario: string, mode: Mode): Promise<RawRecording> {
  const first = await recordOnce(exe, scenario, mode);
  if (first.status !== 'failed' || first.reason?.includes('killed by timeout')) return first;
  const second = await recordOnce(exe, scenario, mode);
  return second.status === 'failed' ? { ...second, reason: `${second.reason} (twice)` } : second;
}

async function recordOnce(exe: string, scenario: string, mode: Mode): Promise<RawRecording> {
  const argv = mode === 'wine' ? timed(SCENARIO_TIMEOUT_S, ['wine', exe, scenario]) : [exe, scenario];
  const r = await run(argv, mode === 'wine' ? wineEnv() : process.env, SCENARIO_TIMEOUT_S + 10);
  const lines = r.stderr.split('\n').map((l) => l.trim()).filter((l) => l && !l.includes('FS volume label and serial are not available'));
  const reason = lines.find((l) => l.startsWith('recorder:'))?.replace(/^recorder: /, '') ?? (lines.length ? `stderr: ${lines.at(-1)!.slice(0, 200)}` : undefined);
  if (r.code === 3) return { scenario, status: 'unavailable', reason: reason ?? 'the recorder says the broker cannot run it' };
  if (r.code === 124 || r.code === 137 || r.code === null) return { scenario, status: 'failed', reason: `the process did not end within ${SCENARIO_TIMEOUT_S} s (killed by timeout)` };
  if (r.code !== 0 || !r.stdout.startsWith('{')) return { scenario, status: 'failed', reason: `the recorder exited ${r.code} without a trace${reason ? `; ${reason}` : ''}` };
  return { scenario, status: 'recorded', trace: r.stdout };
}

/**
 * A recording made comparable: thread ids become T1, T2, … in order of appearance and times
 * whole milliseconds; the recorder already names sinks, calls, callbacks and cancels by their
 * order, and identical runs of Indicate are kept as they are.
 */
export function normalise(trace: string): string {
  const threads = new Map<string, string>();
  const out: string[] = [];
  for (const line of trace.split(/\r?\n/)) {
    if (!line.trim()) continue;
    const e = JSON.parse(line) as Record<string, unknown>;
    if (typeof e.thread === 'string') {
      if (!threads.has(e.thread)) threads.set(e.thread, `T${threads.size + 1}`);
      e.thread = threads.get(e.thread);
    }
    if (typeof e.t === 'number') e.t = Math.round(e.t);
    out.push(JSON.stringify(e));
  }
  return out.join('\n') + '\n';
}

/** Each rule's verdict, by rule ID. */
export function verdictsOf(r: JudgeResult): Record<string, Verdict> {
  return Object.fromEntries(r.results.map((x) => [x.rule, x.verdict]));
}

/** A scenario recorded, normalised and judged. */
export interface Judged extends RawRecording {
  /** The normalised trace's file, when there is one. */
  path?: string;
  result?: JudgeResult;
}

/** Writes the normalised trace to `dir` (a scratch folder when absent) and judges it like `wbemsim check`. */
export async function judgeRecording(raw: RawRecording, dir?: string): Promise<Judged> {
  if (raw.status !== 'recorded') return raw;
  const folder = dir ?? join(tmpdir(), `wbemsim-record-${process.pid}`);
  mkdirSync(folder, { recursive: true });
  const path = join(folder, `${raw.scenario}.jsonl`);
  let text: string;
  try {
    text = normalise(raw.trace!);
  } catch (err) {
    return { ...raw, status: 'failed', reason: `the recorder's output is not JSON lines (${(err as Error).message})` };
  }
  writeFileSync(path, text);
  return { ...raw, trace: text, path, result: await checkTraceFile(path) };
}

/** The pinned verdicts of the fixtures: per scenario, per rule a verdict or the set a benign race allows. */
export interface PinnedVerdicts {
  broker: { name: string; version: string };
  /** Scenarios this broker cannot run, with the reason. */
  unavailable: Record<string, string>;
  /** Why a scenario's verdict may vary: the benign race of IMPLEMENTATIONS.md section 1 that decides it. */
  races: Record<string, string>;
  /** Scenario → rule → verdict (or allowed verdicts); a rule absent is `not exercised`. */
  verdicts: Record<string, Record<string, Verdict | Verdict[]>>;
}

export function readPinned(path = FIXTURE_VERDICTS): PinnedVerdicts {
  return JSON.parse(readFileSync(path, 'utf8')) as PinnedVerdicts;
}

/** The verdicts a pin allows for one rule. */
export function allowed(pin: Record<string, Verdict | Verdict[]> | undefined, rule: string): Verdict[] {
  const v = pin?.[rule];
  return v === undefined ? ['not exercised'] : Array.isArray(v) ? v : [v];
}

/** How a scenario's verdicts differ from the pinned ones: one line per rule, both verdicts shown. */
export function compareWithPinned(pinned: PinnedVerdicts, scenario: string, got: Record<string, Verdict>): string[] {
  const pin = pinned.verdicts[scenario];
  if (!pin) return [`${scenario}: no pinned verdicts`];
  const out: string[] = [];
  for (const [rule, v] of Object.entries(got)) {
    const ok = allowed(pin, rule);
    if (!ok.includes(v)) out.push(`${scenario} ${rule}: pinned ${ok.join(' or ')}, recorded ${v}`);
  }
  for (const rule of Object.keys(pin)) if (!(rule in got)) out.push(`${scenario} ${rule}: pinned ${allowed(pin, rule).join(' or ')}, no such rule judged`);
  return out;
}

/** Records the named scenarios one after another (one process each). */
export async function recordAll(mode: Mode, scenarios: readonly string[], outDir?: string, onEach?: (j: Judged) => void): Promise<Judged[]> {
  if (mode === 'native' && process.platform !== 'win32') throw new UsageError('record: --native runs the recorder on Windows itself; here use --wine');
  const exe = recorderExe(mode);
  if (mode === 'wine') prepareWine();
  const out: Judged[] = [];
  for (const s of scenarios) {
    const j = await judgeRecording(await recordScenario(exe, s, mode), outDir);
    onEach?.(j);
    out.push(j);
  }
  return out;
}
