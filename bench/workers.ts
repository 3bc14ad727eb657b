/**
 * `npm run bench:workers`: what --workers and --shard buy, measured through the command line as a
 * user runs it. Each figure is the median of `--reps` repetitions (default 3) of the time from
 * starting the process to its end, as a user waits for it (the process's start, the workers'
 * start and their loading of the harness included, alike for one worker and for two), and beside
 * it the work's own time (`wall.ms` of the JSON result, which for one worker leaves out the
 * worker's start and for two does not) and, on Linux, the CPU time the process used (user and
 * system, all its threads), which another job on the machine changes less than the time waited:
 *
 * - `run` (the default campaign, and a campaign ten times its swarm) and `explore` (the built-in
 *   configurations), --workers 2 against --workers 1, in-process (the reference broker) and over
 *   stdio (examples/js-broker);
 * - each shard of a 4-shard split of the default campaign against the whole campaign.
 *
 * `npm run bench:workers` compiles the CLI first: bin/wbemsim.mjs would otherwise run the sources
 * through tsx whenever dist/ is older than one of them, and measure that. Figures only: it never
 * fails (exit 0 whatever they are).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const STDIO = 'stdio:node examples/js-broker/broker.mjs';

interface Timing {
  /** From the process's start to its end. */
  process: number;
  /** The work's own time, as the result reports it. */
  wall: number;
  /** CPU time (user + system) of the process, when the system tells it. */
  cpu?: number;
}

/**
 * CPU time used so far by this process's finished children, in ms (`cutime + cstime` of
 * /proc/self/stat, in clock ticks of 10 ms); undefined where there is no /proc.
 */
function childrenCpuMs(): number | undefined {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[13]) + Number(fields[14])) * 10;
  } catch {
    return undefined;
  }
}

function timed(args: string[]): Timing {
  const cpuBefore = childrenCpuMs();
  const started = performance.now();
  const out = execFileSync(process.execPath, ['bin/wbemsim.mjs', ...args, '--json', '--quiet'], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'ignore'] });
  const elapsed = Math.round(performance.now() - started);
  const cpuAfter = childrenCpuMs();
  return { process: elapsed, wall: (JSON.parse(out) as { wall: { ms: number } }).wall.ms, ...(cpuBefore !== undefined && cpuAfter !== undefined ? { cpu: cpuAfter - cpuBefore } : {}) };
}

/** A CPU time for a table cell. */
function cpuCell(t: Timing): string {
  return t.cpu !== undefined ? `${t.cpu} ms` : '–';
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function measure(args: string[], reps: number): Timing {
  const ts = Array.from({ length: reps }, () => timed(args));
  const cpus = ts.map((t) => t.cpu).filter((c): c is number => c !== undefined);
  return { process: median(ts.map((t) => t.process)), wall: median(ts.map((t) => t.wall)), ...(cpus.length === ts.length ? { cpu: median(cpus) } : {}) };
}

const reps = Number(process.argv[process.argv.indexOf('--reps') + 1] ?? 3) || 3;
console.log(`cores ${availableParallelism()}, load average ${loadavg().map((x) => x.toFixed(1)).join(' ')} at the start, median of ${reps}`);
const rows: string[][] = [];
for (const [name, args] of [
  ['run, default campaign, in-process', ['run']],
  ['run, --runs 4000 (the scenarios, then a 4,000-run swarm), in-process', ['run', '--runs', '4000']],
  ['run, --workload mixed --runs 100, stdio', ['run', '--impl', STDIO, '--workload', 'mixed', '--runs', '100']],
  ['explore, built-in configurations, in-process', ['explore']],
  ['explore --mode re-execution, explore-three-calls-two-sinks, stdio', ['explore', '--impl', STDIO, '--mode', 're-execution', '--workload', 'explore-three-calls-two-sinks', '--workload', 'explore-method-progress-wrapped']],
] as [string, string[]][]) {
  const one = measure([...args, '--workers', '1'], reps);
  const two = measure([...args, '--workers', '2'], reps);
  rows.push([name, `${one.process} ms`, `${two.process} ms`, `${(one.process / two.process).toFixed(2)}×`, `${one.wall} / ${two.wall} ms`, `${cpuCell(one)} / ${cpuCell(two)}`]);
}
console.log('\n| work | --workers 1 | --workers 2 | speed-up (target ≥ 1.6×) | work\'s own time, 1 / 2 workers | CPU time, 1 / 2 workers |\n|---|---|---|---|---|---|');
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
const whole = measure(['run', '--workers', '1'], reps);
const shards = [1, 2, 3, 4].map((k) => measure(['run', '--workers', '1', '--shard', `${k}/4`], reps));
console.log('\n| default campaign | process | of the whole (target ≤ 0.3×) | work\'s own time | of the whole | CPU time | of the whole |\n|---|---|---|---|---|---|---|');
const cpuShare = (t: Timing) => (t.cpu !== undefined && whole.cpu ? `${(t.cpu / whole.cpu).toFixed(2)}×` : '–');
console.log(`| whole | ${whole.process} ms | 1.00× | ${whole.wall} ms | 1.00× | ${cpuCell(whole)} | ${cpuShare(whole)} |`);
shards.forEach((s, i) => console.log(`| shard ${i + 1}/4 | ${s.process} ms | ${(s.process / whole.process).toFixed(2)}× | ${s.wall} ms | ${(s.wall / whole.wall).toFixed(2)}× | ${cpuCell(s)} | ${cpuShare(s)} |`));
console.log(`\nload average at the end ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
