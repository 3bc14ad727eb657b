/**
 * Table 6 of `npm run bench`: steps per second as the number of concurrent calls grows (1 to 64), with
 * workloads generated from the standard one (bench/scaled-workload.ts), through the same full
 * pipeline as table 1. The figure to watch is the cost per step at 64 calls over that at 1 call;
 * a ratio far above 1 means some per-step work grows with the number of calls.
 */
import { ReferenceBroker } from '../brokers/reference-broker.ts';
import { runMany } from '../sim/campaign.ts';
import type { Workload } from '../sim/workload.ts';
import type { Budget } from './budget.ts';
import { median, rates, sig, timeFor, type Sample } from './measure.ts';
import { scaledWorkload } from './scaled-workload.ts';
import type { Table } from './table.ts';

export async function measureScaling(base: Workload, budget: Budget): Promise<{ table: Table; ratio64to1: number; rows: Record<string, unknown>[] }> {
  const sizes = budget.scaling;
  const workloads = sizes.map((n) => scaledWorkload(base, n));
  const seeds = sizes.map(() => 1);
  const ends = sizes.map(() => new Map<string, number>());
  const batch = (i: number) => () => {
    // Fewer runs per batch for big workloads, so that a batch stays well under the repetition time.
    const runs = Math.max(1, Math.ceil(32 / sizes[i]!));
    const c = runMany({ impl: 'reference', factory: () => new ReferenceBroker(), workloads: [workloads[i]!], strategy: 'random', seed: seeds[i]!, runs });
    seeds[i]! += runs;
    for (const [k, v] of Object.entries(c.ends)) ends[i]!.set(k, (ends[i]!.get(k) ?? 0) + v);
    return { runs: c.runs, steps: c.steps };
  };
  sizes.forEach((_, i) => timeFor(budget.warmupMs / 4, batch(i)));
  const samples: Sample[][] = sizes.map(() => []);
  const first = 0;
  const last = sizes.length - 1;
  const ratios: number[] = [];
  for (let rep = 0; rep < budget.reps; rep++) {
    sizes.forEach((_, i) => samples[i]!.push(timeFor(budget.scalingMs, batch(i))));
    ratios.push(rates(samples[first]![rep]!).stepsPerSec / rates(samples[last]![rep]!).stepsPerSec);
  }
  const base1 = median(samples[first]!.map((s) => rates(s).stepsPerSec));
  const rows: Table['rows'] = [];
  const json: Record<string, unknown>[] = [];
  sizes.forEach((n, i) => {
    const stepsPerSec = median(samples[i]!.map((s) => rates(s).stepsPerSec));
    const runsPerSec = median(samples[i]!.map((s) => rates(s).runsPerSec));
    const stepsPerRun = median(samples[i]!.map((s) => s.steps / s.runs));
    const endText = [...ends[i]!].map(([k, v]) => `${k} ${v}`).join(', ');
    rows.push([n, sig(stepsPerSec), sig(runsPerSec), sig(stepsPerRun), sig(1e6 / stepsPerSec), sig(base1 / stepsPerSec), endText]);
    json.push({ calls: n, stepsPerSec: sig(stepsPerSec), runsPerSec: sig(runsPerSec), stepsPerRun: sig(stepsPerRun), usPerStep: sig(1e6 / stepsPerSec), costVs1: sig(base1 / stepsPerSec) });
  });
  const ratio = sig(median(ratios));
  // Separate the per-run fixed cost (judge set-up, replay token, campaign folding) from the cost per
  // step: a line through the smallest workload and the standard one (8 calls), where the per-step
  // work is still small, then the 64-call run's steps priced against it.
  const msPerRun = (i: number) => median(samples[i]!.map((x) => x.ms / x.runs));
  const stepsPerRun = (i: number) => median(samples[i]!.map((x) => x.steps / x.runs));
  const mid = sizes.indexOf(base.calls.length);
  let split = '';
  if (mid > first && last > mid) {
    const marginal = (msPerRun(mid) - msPerRun(first)) / (stepsPerRun(mid) - stepsPerRun(first));
    const fixed = msPerRun(first) - marginal * stepsPerRun(first);
    const marginalLast = (msPerRun(last) - fixed) / stepsPerRun(last);
    split = `Fixed cost per run ≈ ${sig(fixed * 1000)} µs and marginal cost ≈ ${sig(marginal * 1000)} µs/step (line through the ${sizes[first]}- and ${sizes[mid]}-call rows); at ${sizes[last]} calls the marginal cost is ≈ ${sig(marginalLast * 1000)} µs/step, ${sig(marginalLast / marginal)}× the small-workload one.`;
  }
  return {
    table: {
      key: 'scaling',
      title: '6. Scaling with the number of concurrent calls (full pipeline, random)',
      columns: ['calls', 'steps/s', 'interleavings/s', 'steps/interleaving', 'µs/step', 'cost/step vs 1 call', 'run ends'],
      rows,
      notes: [
        `Workloads generated from ${base.name}: its first n calls for n < ${base.calls.length}, n/${base.calls.length} independent copies above. Median of ${budget.reps} repetitions of ${budget.scalingMs} ms.`,
        `Cost per step at ${sizes[last]} calls / at ${sizes[first]} call: ${ratio} (median of per-repetition ratios).`,
        ...(split ? [split] : []),
      ],
    },
    ratio64to1: ratio,
    rows: json,
  };
}
