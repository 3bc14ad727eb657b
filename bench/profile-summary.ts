/**
 * Summarizes a V8 `.cpuprofile` (from `node --cpu-prof`): the functions with the most self time,
 * and the project files with the most self time, as percentages of the sampled time.
 *
 *   node bin/run-ts.mjs bench/profile-summary.ts [--top N] FILE.cpuprofile...
 *
 * Several files (node writes one per thread, e.g. tsx's loader thread) are summed.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface Profile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }

const args = process.argv.slice(2);
let top = 25;
const files: string[] = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--top') top = Number(args[++i]);
  else files.push(args[i]!);
}
if (!files.length || !(top > 0)) {
  process.stderr.write('usage: profile-summary [--top N] FILE.cpuprofile...\n');
  process.exit(2);
}
const short = (url: string) => url.replace(/^file:\/\/.*?\/(?=(sim|brokers|specs|trace|bench|node_modules)\/)/, '').replace(/^node:/, 'node:');
const fn = new Map<string, number>();
const byFile = new Map<string, number>();
let total = 0;
for (const file of files) {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  // Self time per node from the samples and their time deltas (more exact than hit counts).
  p.samples.forEach((id, i) => {
    const us = p.timeDeltas[i] ?? 0;
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    // Idle time is the loader thread waiting, not work.
    if (functionName === '(idle)') return;
    total += us;
    const key = `${functionName || '(anonymous)'}  ${url ? `${short(url)}:${lineNumber + 1}` : ''}`.trim();
    fn.set(key, (fn.get(key) ?? 0) + us);
    const f = url ? short(url) : functionName;
    byFile.set(f, (byFile.get(f) ?? 0) + us);
  });
}
const show = (m: Map<string, number>, title: string) => {
  process.stdout.write(`\n${title}\n`);
  for (const [k, us] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    process.stdout.write(`${((100 * us) / total).toFixed(1).padStart(5)}%  ${k}\n`);
  }
};
process.stdout.write(`${files.length} profile(s): ${(total / 1e6).toFixed(2)} s of work sampled`);
show(fn, 'self time by function');
show(byFile, 'self time by file');
