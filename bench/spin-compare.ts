/**
 * `npm run bench:spin`: exhaustive search side by side with Spin, on the same configurations.
 * Not part of `npm run bench` (it takes minutes). Not a test: it prints a table and writes
 * bench/spin-results.json whatever the figures, exit 0 (2 for bad options).
 *
 *   npm run bench:spin                         2/2/1, 3/2/2 and 4/2/3, wbemsim capped at 600 s each
 *   npm run bench:spin -- --configs 2-2-1,3-2-2 --cap 120
 *
 * Spin (Debian packages `spin` and `gcc`: `sudo apt-get install -y spin gcc`) runs
 * bench/spin/broker.pml, a Promela model of the broker's call lifecycle, with NCALLS/NSINKS/NOBJ
 * set per configuration, without and with partial-order reduction; its time is the whole of
 * `spin -a`, `gcc` and the search. wbemsim runs `wbemsim explore` on bench/spin/wbemsim-equivalent-*.json
 * (the same calls, sinks, objects per call, services object and cancel) in a child process of the
 * compiled CLI (the script runs after `npm run build`), timed from outside. wbemsim's model is
 * finer than broker.pml (separate call and return steps, batching, lost races, late deliveries,
 * timers), so it has more states per configuration: states per second and time to prove are
 * both shown. Without Spin the table says so and shows wbemsim alone.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machineInfo, now } from './measure.ts';
import { formatTable, tableJson, type Cell, type Table } from './table.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DIR = join(ROOT, 'bench', 'spin');
const OUT = join(ROOT, 'bench', 'spin-results.json');

interface SpinRun { states: number; searchSeconds: number; totalSeconds: number; rate: number; errors: number }
interface WbemsimRun { states: number; transitions: number; seconds: number; complete: boolean; cut?: string; mode?: string; bytesPerState?: number }

function has(tool: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).status === 0;
}

/** One Spin search of broker.pml at (calls, sinks, objects), with or without partial-order reduction. */
function spin(calls: number, sinks: number, objects: number, por: boolean): SpinRun {
  const d = mkdtempSync(join(tmpdir(), 'wbemsim-spin-'));
  try {
    copyFileSync(join(DIR, 'broker.pml'), join(d, 'broker.pml'));
    const t0 = now();
    const gen = spawnSync('spin', [`-DNCALLS=${calls}`, `-DNSINKS=${sinks}`, `-DNOBJ=${objects}`, '-a', 'broker.pml'], { cwd: d, encoding: 'utf8' });
    if (gen.status !== 0) throw new Error(`spin -a failed: ${gen.stderr || gen.stdout}`);
    const cc = spawnSync('gcc', ['-O2', '-DSAFETY', ...(por ? [] : ['-DNOREDUCE']), '-o', 'pan', 'pan.c'], { cwd: d, encoding: 'utf8' });
    if (cc.status !== 0) throw new Error(`gcc failed: ${cc.stderr}`);
    const pan = spawnSync('./pan', ['-m1000000', '-w26'], { cwd: d, encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
    const totalSeconds = (now() - t0) / 1000;
    const text = pan.stdout;
    const num = (re: RegExp) => Number(re.exec(text)?.[1] ?? NaN);
    return {
      states: num(/(\d+) states, stored/), searchSeconds: num(/([\d.]+) seconds/), totalSeconds,
      rate: num(/rate\s+([\d.]+) states\/second/), errors: num(/errors: (\d+)/),
    };
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
}

/** `wbemsim explore` (with `--por`: partial-order reduction) on the equivalent workload, in a child process, timed from outside. */
function wbemsim(config: string, capSeconds: number, maxStates: number, por = false): WbemsimRun {
  const t0 = now();
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'wbemsim.mjs'), 'explore', '--workload', join(DIR, `wbemsim-equivalent-${config}.json`),
    '--json', '--quiet', '--allow-cut', '--max-states', String(maxStates), '--time-budget', String(capSeconds), ...(por ? ['--por'] : [])], { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  const seconds = (now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`wbemsim explore exited ${r.status}: ${r.stderr}`);
  const x = JSON.parse(r.stdout).explorations[0];
  const bytes = x.stateTable?.bytesPerState ?? x.hashCompaction?.bytesPerState;
  return { states: x.states, transitions: x.transitions, seconds, complete: x.complete, ...(x.cut ? { cut: x.cut } : {}), mode: x.mode, ...(bytes !== undefined ? { bytesPerState: bytes } : {}) };
}

function main(): void {
  const args = process.argv.slice(2);
  const opt = (name: string) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
  const configs = (opt('--configs') ?? '2-2-1,3-2-2,4-2-3').split(',');
  const cap = Number(opt('--cap') ?? 600);
  const maxStates = Number(opt('--max-states') ?? 50_000_000);
  for (const c of configs) {
    if (!/^\d+-\d+-\d+$/.test(c)) { process.stderr.write(`bench:spin: bad configuration ${c} (want calls-sinks-objects, e.g. 3-2-2)\n`); process.exit(2); }
  }
  if (!Number.isInteger(cap) || cap < 1) { process.stderr.write('bench:spin: --cap wants whole seconds\n'); process.exit(2); }
  const withSpin = has('spin') && has('gcc');
  const rows: Cell[][] = [];
  const json: Record<string, unknown>[] = [];
  for (const c of configs) {
    const [calls, sinks, objects] = c.split('-').map(Number) as [number, number, number];
    process.stderr.write(`bench:spin: ${c} ...\n`);
    const plain = withSpin ? spin(calls, sinks, objects, false) : undefined;
    const por = withSpin ? spin(calls, sinks, objects, true) : undefined;
    const w = wbemsim(c, cap, maxStates);
    const wPor = wbemsim(c, cap, maxStates, true);
    const wRate = w.states / w.seconds;
    const statesPerSecond = plain && Number.isFinite(plain.rate) ? wRate / plain.rate : undefined;
    const timeToProve = plain && w.complete ? w.seconds / plain.totalSeconds : undefined;
    const porTimeToProve = por && wPor.complete ? wPor.seconds / por.totalSeconds : undefined;
    rows.push([
      c.replaceAll('-', '/'),
      plain ? plain.states : 'no spin', plain ? plain.totalSeconds : '', plain ? Math.round(plain.rate) : '',
      por ? por.states : '', por ? por.totalSeconds : '',
      w.states, w.seconds, Math.round(wRate), w.bytesPerState ?? '', w.complete ? 'yes' : `no (${w.cut})`,
      statesPerSecond !== undefined ? statesPerSecond : '', timeToProve !== undefined ? timeToProve : '',
      wPor.states, wPor.seconds, wPor.complete ? 'yes' : `no (${wPor.cut})`, porTimeToProve !== undefined ? porTimeToProve : '',
    ]);
    json.push({ config: c, spin: plain ?? null, spinPor: por ?? null, wbemsim: w, wbemsimPor: wPor, vsSpin: { statesPerSecond: statesPerSecond ?? null, timeToProve: timeToProve ?? null, porTimeToProve: porTimeToProve ?? null } });
  }
  const table: Table = {
    key: 'vsSpin',
    title: 'Exhaustive search: wbemsim explore against Spin on the same configurations',
    columns: ['calls/sinks/objects', 'Spin states', 'Spin s', 'Spin states/s', 'Spin POR states', 'Spin POR s', 'wbemsim states', 'wbemsim s', 'wbemsim states/s', 'wbemsim B/state', 'complete', 'statesPerSecond ratio', 'timeToProve ratio', 'wbemsim --por states', 'wbemsim --por s', '--por complete', '--por timeToProve ratio'],
    rows,
    notes: [
      withSpin ? 'Spin: spin -a, gcc -O2 -DSAFETY (-DNOREDUCE without POR), pan -m1000000 -w26; its seconds include all three steps.' : 'Spin or gcc is not installed (sudo apt-get install -y spin gcc): wbemsim alone.',
      `wbemsim: the compiled CLI in a child process, timed from outside, capped at ${cap} s per configuration (then incomplete).`,
      'wbemsim B/state: the bytes per stored state of its table of visited states (whole states; with --bitstate, the hash table\'s).',
      'statesPerSecond ratio = wbemsim states/s ÷ Spin states/s without POR; timeToProve ratio = wbemsim s ÷ Spin total s, only when wbemsim completed.',
      'wbemsim --por: untimed providers and persistent sets by sink (docs/exploration.md, "Persistent sets"); its timeToProve ratio is against Spin with POR.',
      'wbemsim\'s model is finer than broker.pml (call and return are separate steps, batching, lost races, late deliveries, timers): it has more states per configuration.',
    ],
  };
  process.stdout.write(formatTable(table) + '\n');
  writeFileSync(OUT, JSON.stringify({ machine: machineInfo(), configs: json, table: tableJson(table) }, null, 2) + '\n');
}

main();
