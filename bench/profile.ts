/**
 * A profiling driver: the full pipeline on the standard workload (or its scaled form) for a few
 * seconds, nothing else, so that a CPU profile shows only wbemsim's step.
 *
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof bin/run-ts.mjs bench/profile.ts [CALLS] [SECONDS]
 *   node bin/run-ts.mjs bench/profile-summary.ts /tmp/prof/*.cpuprofile
 */
import { ReferenceBroker } from '../brokers/reference-broker.ts';
import { runMany } from '../sim/campaign.ts';
import { loadWorkload } from '../sim/workloads.ts';
import { now } from './measure.ts';
import { scaledWorkload } from './scaled-workload.ts';

const calls = Number(process.argv[2] ?? 8);
const seconds = Number(process.argv[3] ?? 5);
const base = loadWorkload('mixed');
const workload = calls === base.calls.length ? base : scaledWorkload(base, calls);
const t0 = now();
let steps = 0;
let runs = 0;
let seed = 1;
while (now() - t0 < seconds * 1000) {
  const c = runMany({ impl: 'reference', factory: () => new ReferenceBroker(), workloads: [workload], strategy: 'random', seed, runs: 20 });
  seed += 20;
  steps += c.steps;
  runs += c.runs;
}
const ms = now() - t0;
process.stdout.write(`${workload.name}: ${runs} runs, ${steps} steps in ${Math.round(ms)} ms: ${Math.round((steps * 1000) / ms)} steps/s\n`);
