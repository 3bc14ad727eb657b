/**
 * `npm run bench:workers`: what --workers and --shard buy, measured through the command line as a
 * user runs it. Each figure is the work's own wall-clock time (`wall.ms` of the JSON result, so
 * without the process's start), the median of `--reps` repetitions (default 3):
 *
 * - `run` (the default campaign) and `explore` (the built-in configurations), --workers 2 against
 *   --workers 1, in-process (the reference broker) and over stdio (examples/js-broker);
 * - each shard of a 4-shard split of the default campaign against the whole campaign.
 *
 * Figures only: it never fails (exit 0 whatever they are).
 */
import { execFileSync } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const STDIO = 'stdio:node examples/js-broker/broker.mjs';

function wallMs(args: string[]): number {
  const out = execFileSync(process.execPath, ['bin/wbemsim.mjs', ...args, '--json', '--quiet'], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'ignore'] });
  return (JSON.parse(out) as { wall: { ms: number } }).wall.ms;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function measure(args: string[], reps: number): number {
  return median(Array.from({ length: reps }, () => wallMs(args)));
}

const reps = Number(process.argv[process.argv.indexOf('--reps') + 1] ?? 3) || 3;
console.log(`cores ${availableParallelism()}, load average ${loadavg().map((x) => x.toFixed(1)).join(' ')} at the start, median of ${reps}`);
const rows: string[][] = [];
for (const [name, args] of [
  ['run, default campaign, in-process', ['run']],
  ['run, --workload mixed --runs 100, stdio', ['run', '--impl', STDIO, '--workload', 'mixed', '--runs', '100']],
  ['explore, built-in configurations, in-process', ['explore']],
  ['explore --mode re-execution, explore-three-calls-two-sinks, stdio', ['explore', '--impl', STDIO, '--mode', 're-execution', '--workload', 'explore-three-calls-two-sinks', '--workload', 'explore-method-progress-wrapped']],
] as [string, string[]][]) {
  const one = measure([...args, '--workers', '1'], reps);
  const two = measure([...args, '--workers', '2'], reps);
  rows.push([name, `${one} ms`, `${two} ms`, `${(one / two).toFixed(2)}×`]);
}
console.log('\n| work | --workers 1 | --workers 2 | speed-up (target ≥ 1.6×) |\n|---|---|---|---|');
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
const whole = measure(['run', '--workers', '1'], reps);
const shards = [1, 2, 3, 4].map((k) => measure(['run', '--workers', '1', '--shard', `${k}/4`], reps));
console.log('\n| default campaign | wall | of the whole (target ≤ 0.3×) |\n|---|---|---|');
console.log(`| whole | ${whole} ms | 1.00× |`);
shards.forEach((ms, i) => console.log(`| shard ${i + 1}/4 | ${ms} ms | ${(ms / whole).toFixed(2)}× |`));
console.log(`\nload average at the end ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
