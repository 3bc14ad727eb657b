/**
 * `npm run bench:detect`: how fast the default campaign (the scenarios, then the swarm) finds each
 * race mutant, and how fast the swarm alone would. The default campaign is run from 20 seeds
 * until its first run that violates a rule the mutant targets: the table gives the median of
 * those run counts (scenario runs included), in how many seeds the catch came within the default
 * budget (the scenarios plus the default swarm run count), and the scenario that caught it, if
 * one did (a scenario's run is the same from every seed). Then the swarm alone, without the
 * scenarios, per strategy (the portfolio, random alone, PCT alone), from the same 20 seeds: the
 * median of the swarm runs to the first catch and the seeds caught within the default swarm run
 * count; this is what finds a race no scenario pins. Written to bench/README.md's "Race
 * mutants" table by hand from the printed Markdown, and to bench/detect.json.
 *
 *   node bin/run-ts.mjs bench/detect.ts [--seeds N] [--cap SWARM-RUNS] [--only a,b] [--json FILE] [--time-limit SECONDS]
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

interface Detection {
  /** Runs to the first catch per seed (null: not within the cap). */
  runs: (number | null)[];
  median: number | null;
  /** Seeds whose catch came within the budget. */
  withinBudget: number;
}

export interface DetectRow {
  mutant: string;
  targets: string[];
  /** The default campaign: the scenarios, then the swarm under the portfolio. */
  campaign: Detection & { scenario: string | null };
  /** The swarm alone, per strategy; budget: the default swarm run count. */
  swarm: Record<Mode, Detection>;
}

function strategyOf(mode: Mode): ((i: number, seed: number, w: Workload) => { strategy: Strategy; depth?: number; label: string }) {
  if (mode === 'portfolio') return portfolioRun;
  if (mode === 'random') return (_i, seed) => ({ strategy: makeStrategy('random', seed), label: 'random' });
  return (_i, seed, w) => ({ strategy: makeStrategy('pct', seed, 3, w), depth: 3, label: 'pct:3' });
}

/** The first scenario of the suite whose run violates a target of `m`: its 1-based position and name. */
export function scenarioCatch(m: ZooMutant): { at: number; name: string } | undefined {
  const broker = m.create();
  const targets = new Set(m.targets);
  try {
    const scenarios = suiteScenarios();
    for (let i = 0; i < scenarios.length; i++) {
      const sc = scenarios[i]!;
      const r = runOnce({ impl: `mutant:${m.name}`, broker, workload: sc.workload, seed: 0, strategy: new ChoiceListStrategy(sc.choices ?? []), ...(sc.client ? { client: sc.client } : {}) });
      if (r.judge.violations.some((f) => targets.has(f.rule))) return { at: i + 1, name: sc.name };
    }
    return undefined;
  } finally {
    broker.close?.();
  }
}

/** Swarm runs from `seed` (as the campaign makes them, under `mode`) until the first run violating a target of `m`, or null within `cap` runs. */
export function runsToDetect(m: ZooMutant, mode: Mode, seed: number, cap: number): number | null {
  const broker = m.create();
  const targets = new Set(m.targets);
  const caught = (r: ReturnType<typeof runOnce>) => r.judge.violations.some((f) => targets.has(f.rule));
  try {
    let n = 0;
    // The swarm as the campaign makes it: segment by segment, each steered by its own earlier runs.
    const strategy = strategyOf(mode);
    for (const seg of swarmSegments(cap)) {
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

function detection(runs: (number | null)[], budget: number): Detection {
  return { runs, median: median(runs), withinBudget: runs.filter((x) => x !== null && x <= budget).length };
}

/** `cap`: swarm runs at most per seed (the default swarm run count by default). */
export function detect(seeds: number, cap: number, only?: readonly string[], overTime: () => boolean = () => false): { rows: DetectRow[]; notMeasured: string[] } {
  const scenarios = suiteScenarios().length;
  const notMeasured: string[] = [];
  const seedOf = (k: number) => 1 + k * SEED_STRIDE;
  const rows = RACE_MUTANTS.filter((m) => !only?.length || only.includes(m.name)).flatMap((m) => {
    if (overTime()) { notMeasured.push(m.name); return []; }
    const swarm = {} as DetectRow['swarm'];
    for (const mode of MODES) swarm[mode] = detection(Array.from({ length: seeds }, (_, k) => runsToDetect(m, mode, seedOf(k), cap)), DEFAULT_SWARM_RUNS);
    // The default campaign: a scenario's catch is the same from every seed; else the portfolio swarm's, after every scenario.
    const sc = scenarioCatch(m);
    const campaign = { ...detection(swarm.portfolio.runs.map((x) => sc ? sc.at : x === null ? null : scenarios + x), scenarios + DEFAULT_SWARM_RUNS), scenario: sc?.name ?? null };
    process.stderr.write(`${m.name}: campaign ${campaign.median ?? '-'} (${campaign.withinBudget}/${seeds}${sc ? `, ${sc.name}` : ''}); swarm alone ${MODES.map((x) => `${x} ${swarm[x].median ?? '-'} (${swarm[x].withinBudget}/${seeds})`).join(', ')}\n`);
    return [{ mutant: m.name, targets: [...m.targets], campaign, swarm }];
  });
  return { rows, notMeasured };
}

export function detectTable(rows: readonly DetectRow[], seeds: number): string {
  const budget = suiteScenarios().length + DEFAULT_SWARM_RUNS;
  const cell = (x: Detection) => `${x.median ?? '-'} | ${x.withinBudget}/${seeds}`;
  const lines = [
    `| mutant | target | default campaign: median runs | caught within ${budget} | caught by scenario | swarm alone, portfolio: median runs | caught within ${DEFAULT_SWARM_RUNS} | random: median runs | caught | PCT (depth 3): median runs | caught |`,
    '| --- | --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of rows) {
    lines.push(`| \`${r.mutant}\` | ${r.targets.join(', ')} | ${cell(r.campaign)} | ${r.campaign.scenario ? `\`${r.campaign.scenario}\`` : '-'} | ${cell(r.swarm.portfolio)} | ${cell(r.swarm.random)} | ${cell(r.swarm.pct)} |`);
  }
  return lines.join('\n') + '\n';
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const opt = (name: string) => { const i = args.indexOf(name); return i >= 0 ? args.splice(i, 2)[1] : undefined; };
  const seeds = Number(opt('--seeds') ?? 20);
  const budget = suiteScenarios().length + DEFAULT_SWARM_RUNS;
  const cap = Number(opt('--cap') ?? DEFAULT_SWARM_RUNS);
  const only = opt('--only')?.split(',');
  const json = opt('--json') ?? 'bench/detect.json';
  const limit = Number(opt('--time-limit') ?? 1800);
  const started = performance.now();
  const { rows, notMeasured } = detect(seeds, cap, only, () => performance.now() - started > limit * 1000);
  process.stdout.write(detectTable(rows, seeds));
  if (notMeasured.length) process.stdout.write(`\nNot measured (the ${limit} s limit ran out): ${notMeasured.join(', ')}\n`);
  writeFileSync(json, JSON.stringify({ seeds, seedStride: SEED_STRIDE, cap, budget, scenarios: suiteScenarios().length, swarmRuns: DEFAULT_SWARM_RUNS, rows, notMeasured, wallSeconds: Math.round((performance.now() - started) / 1000) }, null, 2) + '\n');
}
