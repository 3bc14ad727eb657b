/**
 * The gate for a new race mutant: its detection rate on the built-in workloads alone (runs whose
 * trace violates a rule the mutant targets / runs made), random strategy, seeds 1..N per workload.
 * A race mutant earns its place in the zoo only if these workloads miss it or catch it in under 5%
 * of runs; the improved suite (scenarios and the swarm campaign) must then catch it.
 *
 *   node bin/run-ts.mjs bench/race-gate.ts [--seeds N] [--json FILE] [names...]
 */
import { writeFileSync } from 'node:fs';
import { RACE_MUTANTS } from '../brokers/mutants/index.ts';
import { runOnce } from '../sim/run.ts';
import { builtinWorkloads } from '../sim/workloads.ts';

export interface GateRow {
  mutant: string;
  targets: string[];
  runs: number;
  caught: number;
  rate: number;
  /** The built-in workloads that caught it at least once, with their counts. */
  byWorkload: Record<string, number>;
}

/** The detection rate of each race mutant on the built-in workloads, `seeds` random runs per workload. */
export function raceGate(seeds: number, only?: readonly string[]): GateRow[] {
  const rows: GateRow[] = [];
  for (const m of RACE_MUTANTS.filter((x) => !only?.length || only.includes(x.name))) {
    const broker = m.create();
    const targets = new Set(m.targets);
    let runs = 0;
    let caught = 0;
    const byWorkload: Record<string, number> = {};
    for (const workload of builtinWorkloads()) {
      for (let seed = 1; seed <= seeds; seed++) {
        const r = runOnce({ impl: `mutant:${m.name}`, broker, workload, seed });
        runs++;
        if (r.judge.violations.some((f) => targets.has(f.rule))) {
          caught++;
          byWorkload[workload.name] = (byWorkload[workload.name] ?? 0) + 1;
        }
      }
    }
    broker.close?.();
    rows.push({ mutant: m.name, targets: [...m.targets], runs, caught, rate: caught / runs, byWorkload });
  }
  return rows;
}

/** The table for bench/README.md. */
export function gateTable(rows: readonly GateRow[], seeds: number, workloads: number): string {
  const lines = [
    `| mutant | targets | caught / runs on the ${workloads} built-in workloads (${seeds} random seeds each) | rate |`,
    '| --- | --- | --- | --- |',
  ];
  for (const r of rows) lines.push(`| \`${r.mutant}\` | ${r.targets.join(', ')} | ${r.caught} / ${r.runs}${r.caught ? ` (${Object.entries(r.byWorkload).map(([w, n]) => `${w} ${n}`).join(', ')})` : ''} | ${(100 * r.rate).toFixed(2)}% |`);
  return lines.join('\n') + '\n';
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const seedsAt = args.indexOf('--seeds');
  const seeds = seedsAt >= 0 ? Number(args.splice(seedsAt, 2)[1]) : 100;
  const jsonAt = args.indexOf('--json');
  const json = jsonAt >= 0 ? args.splice(jsonAt, 2)[1] : undefined;
  const rows = raceGate(seeds, args);
  process.stdout.write(gateTable(rows, seeds, builtinWorkloads().length));
  if (json) writeFileSync(json, JSON.stringify({ seeds, workloads: builtinWorkloads().map((w) => w.name), rows }, null, 2) + '\n');
}
