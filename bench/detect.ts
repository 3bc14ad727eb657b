/**
 * `npm run bench:detect`: how fast the default campaign (the scenarios, then the swarm) finds each
 * race mutant. Per mutant and strategy (the portfolio, random alone, PCT alone), the campaign is
 * run from 20 seeds until its first run that violates a rule the mutant targets: the table gives
 * the median of those run counts (scenario runs included) and in how many seeds the catch came
 * within the default budget (the scenarios plus the default swarm run count). Written to
 * bench/README.md's "Race mutants" table by hand from the printed Markdown, and to bench/detect.json.
 *
 *   node bin/run-ts.mjs bench/detect.ts [--seeds N] [--cap RUNS] [--only a,b] [--json FILE] [--time-limit SECONDS]
 *
 * Its own time limit (default 1800 s): once it is reached, the mutants not yet measured are listed
 * as not measured, and the table says so.
 */
import { writeFileSync } from 'node:fs';
import { RACE_MUTANTS, type ZooMutant } from '../brokers/mutants/index.ts';
import { runOnce } from '../sim/run.ts';
import { DEFAULT_SWARM_RUNS, portfolioRun, SwarmPlan } from '../sim/swarm.ts';
import { makeStrategy } from '../sim/strategies.ts';
import type { Strategy } from '../sim/strategy.ts';
import { ChoiceListStrategy } from '../sim/strategy.ts';
import type { Workload } from '../sim/workload.ts';
import { suiteScenarios } from '../scenarios/suite.ts';
import { swarmSegments } from '../sim/campaign.ts';

type Mode = 'portfolio' | 'random' | 'pct';
const MODES: Mode[] = ['portfolio', 'random', 'pct'];
/** Seeds are spread so that two seeds' swarms share no run seed within the cap. */
const SEED_STRIDE = 100_003;

export interface DetectRow {
  mutant: string;
  targets: string[];
  /** Per strategy: runs to the first catch per seed (null: not within the cap), the median, and the seeds caught within the default budget. */
  modes: Record<Mode, { runs: (number | null)[]; median: number | null; withinBudget: number }>;
}

function strategyOf(mode: Mode): ((i: number, seed: number, w: Workload) => { strategy: Strategy; depth?: number; label: string }) {
  if (mode === 'portfolio') return portfolioRun;
  if (mode === 'random') return (_i, seed) => ({ strategy: makeStrategy('random', seed), label: 'random' });
  return (_i, seed, w) => ({ strategy: makeStrategy('pct', seed, 3, w), depth: 3, label: 'pct:3' });
}

/** Runs of the default campaign from `seed` until the first run violating a target of `m`, or null within `cap` runs. */
export function runsToDetect(m: ZooMutant, mode: Mode, seed: number, cap: number): number | null {
  const broker = m.create();
  const targets = new Set(m.targets);
  const caught = (r: ReturnType<typeof runOnce>) => r.judge.violations.some((f) => targets.has(f.rule));
  try {
    const scenarios = suiteScenarios();
    let n = 0;
    for (const sc of scenarios) {
      n++;
      if (caught(runOnce({ impl: `mutant:${m.name}`, broker, workload: sc.workload, seed: 0, strategy: new ChoiceListStrategy(sc.choices ?? []), ...(sc.client ? { client: sc.client } : {}) }))) return n;
    }
    // The swarm as the campaign makes it: segment by segment, each steered by its own earlier runs.
    const strategy = strategyOf(mode);
    for (const seg of swarmSegments(Math.max(cap - scenarios.length, 0))) {
      const plan = new SwarmPlan(seed + seg.start, seg.runs, (i, s, w) => strategy(seg.start + i, s, w));
      for (let j = 0; j < seg.runs; j++) {
        const run = plan.run(j);
        const r = runOnce({ impl: `mutant:${m.name}`, broker, workload: run.workload, seed: run.seed, strategy: run.strategy, depth: run.depth });
        n++;
        if (caught(r)) return n;
        plan.observe(r.judge.results, r.monitorCoverage.transitions);
      }
    }
    return null;
  } finally {
    broker.close?.();
  }
}

function median(xs: readonly (number | null)[]): number | null {
  const sorted = xs.map((x) => x ?? Infinity).sort((a, b) => a - b);
  const mid = sorted.length / 2;
  const v = sorted.length % 2 ? sorted[Math.floor(mid)]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return Number.isFinite(v) ? v : null;
}

export function detect(seeds: number, cap: number, only?: readonly string[], overTime: () => boolean = () => false): { rows: DetectRow[]; notMeasured: string[] } {
  const budget = suiteScenarios().length + DEFAULT_SWARM_RUNS;
  const notMeasured: string[] = [];
  const rows = RACE_MUTANTS.filter((m) => !only?.length || only.includes(m.name)).flatMap((m) => {
    if (overTime()) { notMeasured.push(m.name); return []; }
    const modes = {} as DetectRow['modes'];
    for (const mode of MODES) {
      const runs = Array.from({ length: seeds }, (_, k) => runsToDetect(m, mode, 1 + k * SEED_STRIDE, cap));
      modes[mode] = { runs, median: median(runs), withinBudget: runs.filter((x) => x !== null && x <= budget).length };
    }
    process.stderr.write(`${m.name}: ${MODES.map((x) => `${x} ${modes[x].median ?? '-'} (${modes[x].withinBudget}/${seeds})`).join(', ')}\n`);
    return [{ mutant: m.name, targets: [...m.targets], modes }];
  });
  return { rows, notMeasured };
}

export function detectTable(rows: readonly DetectRow[], seeds: number): string {
  const budget = suiteScenarios().length + DEFAULT_SWARM_RUNS;
  const cell = (x: DetectRow['modes'][Mode]) => `${x.median ?? '-'} | ${x.withinBudget}/${seeds}`;
  const lines = [
    `| mutant | target | portfolio: median runs | caught within ${budget} | random: median runs | caught | PCT (depth 3): median runs | caught |`,
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of rows) lines.push(`| \`${r.mutant}\` | ${r.targets.join(', ')} | ${cell(r.modes.portfolio)} | ${cell(r.modes.random)} | ${cell(r.modes.pct)} |`);
  return lines.join('\n') + '\n';
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const opt = (name: string) => { const i = args.indexOf(name); return i >= 0 ? args.splice(i, 2)[1] : undefined; };
  const seeds = Number(opt('--seeds') ?? 20);
  const budget = suiteScenarios().length + DEFAULT_SWARM_RUNS;
  const cap = Number(opt('--cap') ?? budget);
  const only = opt('--only')?.split(',');
  const json = opt('--json') ?? 'bench/detect.json';
  const limit = Number(opt('--time-limit') ?? 1800);
  const started = performance.now();
  const { rows, notMeasured } = detect(seeds, cap, only, () => performance.now() - started > limit * 1000);
  process.stdout.write(detectTable(rows, seeds));
  if (notMeasured.length) process.stdout.write(`\nNot measured (the ${limit} s limit ran out): ${notMeasured.join(', ')}\n`);
  writeFileSync(json, JSON.stringify({ seeds, seedStride: SEED_STRIDE, cap, budget, scenarios: suiteScenarios().length, swarmRuns: DEFAULT_SWARM_RUNS, rows, notMeasured, wallSeconds: Math.round((performance.now() - started) / 1000) }, null, 2) + '\n');
}
