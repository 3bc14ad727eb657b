/**
 * Table 5 of `npm run bench`: bug-finding power. For each mutant of the zoo, the median number of runs
 * the random and PCT strategies need to catch it by one of its targeted rules, over independent
 * seeds, counted as the zoo's runner counts them (brokers/mutants/run-mutant-zoo.ts: round r runs
 * every built-in workload, then the mutant's own, with seed + r; a mutant is caught at its first
 * run violating a rule it targets); and the distinct states an exhaustive search visits before
 * its first targeted violation. The zoo runner itself is not called: it also runs the reference
 * broker over the whole budget as a noise floor, which would dominate the timing. Zoo and
 * explorer are loaded lazily ("not available" without them).
 */
import type { BrokerAdapter } from '../sim/broker-adapter.ts';
import type { Workload } from '../sim/workload.ts';
import { builtinWorkloads } from '../sim/workloads.ts';
import { runOnce } from '../sim/run.ts';
import { DEFAULT_DEPTH, makeStrategy } from '../sim/strategies.ts';
import type { Budget } from './budget.ts';
import { loadExplorer } from './exhaustive.ts';
import { median, now, sig } from './measure.ts';
import type { Table } from './table.ts';

interface ZooEntry { name: string; targets: string[]; interleaving: boolean; create: () => BrokerAdapter; workloads?: Workload[] }
interface ZooModule { MUTANTS: readonly ZooEntry[]; RACE_MUTANTS?: readonly ZooEntry[] }

/** Runs until a targeted rule is violated: its 1-based run number, or null within `rounds` rounds. */
function runsToDetect(m: ZooEntry, workloads: readonly Workload[], seed: number, rounds: number, strategy: 'random' | 'pct'): number | null {
  const targets = new Set(m.targets);
  const broker = m.create();
  let n = 0;
  try {
    for (let r = 0; r < rounds; r++) {
      for (const workload of workloads) {
        n++;
        const s = seed + r;
        const result = runOnce({ impl: `mutant:${m.name}`, broker, workload, seed: s, strategy: makeStrategy(strategy, s), depth: strategy === 'pct' ? DEFAULT_DEPTH : undefined });
        if (result.judge.violations.some((f) => targets.has(f.rule))) return n;
      }
    }
  } finally {
    broker.close?.();
  }
  return null;
}

/** Seeds far apart: the zoo's round r uses seed + r, so nearby seeds would share most runs. */
const SEED_STRIDE = 100_003;

/** Median of runs-to-detect where an undetected seed counts as infinitely many runs. */
function medianRuns(xs: (number | null)[]): number {
  return median(xs.map((x) => x ?? Infinity));
}

function showRuns(m: number, cap: number): number | string {
  return Number.isFinite(m) ? m : `> ${cap}`;
}

export async function measureMutants(budget: Budget): Promise<{ table: Table; rows: Record<string, unknown>[] }> {
  const title = '5. Bug-finding power on the mutant zoo';
  const columns = ['mutant', 'race', 'random: median runs', 'random: caught', 'pct: median runs', 'pct: caught', 'exhaustive: states'];
  let zoo: ZooModule;
  try {
    zoo = (await import(new URL('../brokers/mutants/index.ts', import.meta.url).href)) as ZooModule;
    if (!Array.isArray(zoo.MUTANTS)) throw new Error('unexpected zoo API');
  } catch {
    return { table: { key: 'mutants', title, columns, rows: [['not available', '', '', '', '', '', '']], notes: ['brokers/mutants/index.ts (the zoo) is absent from this tree.'] }, rows: [] };
  }
  const loaded = await loadExplorer();
  const rows: Table['rows'] = [];
  const json: Record<string, unknown>[] = [];
  const t0 = now();
  // The zoo's runner counts a run per workload per round; the cap in runs is rounds × workloads.
  let runCap = 0;
  // The race mutants the built-in workloads miss by design are measured by `npm run bench:detect`.
  const races = new Set((zoo.RACE_MUTANTS ?? []).map((m) => m.name));
  for (const m of zoo.MUTANTS.filter((x) => !races.has(x.name))) {
    const workloads = [...builtinWorkloads(), ...(m.workloads ?? [])];
    const per = (strategy: 'random' | 'pct') =>
      Array.from({ length: budget.mutantSeeds }, (_, k) => runsToDetect(m, workloads, 1 + k * SEED_STRIDE, budget.mutantRounds, strategy));
    const tm = now();
    const random = per('random');
    const pct = per('pct');
    const cap = budget.mutantRounds * workloads.length;
    runCap = Math.max(runCap, cap);
    const t1 = now();
    const states = loaded && budget.mutantMaxStates > 0 ? exhaustiveStates(loaded, m, budget.mutantMaxStates) : undefined;
    // BENCH_PROGRESS=1 shows each mutant as it finishes (this table is the longest).
    if (process.env.BENCH_PROGRESS) process.stderr.write(`${m.name}: random ${random.join(',')} pct ${pct.join(',')} ${sig((t1 - tm) / 1000)} s; exhaustive ${JSON.stringify(states)} ${sig((now() - t1) / 1000)} s\n`);
    const caught = (xs: (number | null)[]) => `${xs.filter((x) => x !== null).length}/${xs.length}`;
    rows.push([
      m.name, m.interleaving ? 'yes' : '',
      showRuns(medianRuns(random), cap), caught(random), showRuns(medianRuns(pct), cap), caught(pct),
      states === undefined ? 'not available' : states.found ? states.states : states.bounded ? `> ${states.states}` : `none in ${states.states}`,
    ]);
    json.push({
      mutant: m.name, targets: m.targets, interleaving: m.interleaving,
      random: { medianRuns: Number.isFinite(medianRuns(random)) ? medianRuns(random) : null, runsToDetect: random },
      pct: { medianRuns: Number.isFinite(medianRuns(pct)) ? medianRuns(pct) : null, runsToDetect: pct },
      exhaustive: states ?? null,
    });
  }
  return {
    table: {
      key: 'mutants', title, columns, rows,
      notes: [
        `${budget.mutantSeeds} seeds per strategy (seed 1 + k·${SEED_STRIDE}); runs counted as the zoo's runner counts them (round-robin over the ${builtinWorkloads().length} built-in workloads and the mutant's own); at most ${budget.mutantRounds} rounds (≈ ${runCap} runs) per seed.`,
        'The race mutants the built-in workloads miss by design are left out: `npm run bench:detect` measures them under the default campaign (bench/README.md, "Race mutants").',
        'Caught = a rule the mutant targets is violated by a check of specs/ (the zoo\'s criterion, without its reference-broker noise filter); an uncaught seed counts as infinitely many runs in the median.',
        `Exhaustive: distinct states visited (summed over the mutant's own workloads, then the pinned configurations, in order) until the first run violating a targeted rule; at most ${budget.mutantMaxStates} states per search; deterministic, so one figure. "> N": not found before a search hit its bound; "none in N": every search completed without a targeted violation (the fault needs a workload the configurations lack).`,
        `PCT: depth ${DEFAULT_DEPTH}, horizon 200 (the zoo's defaults). Table time: ${sig((now() - t0) / 1000)} s.`,
      ],
    },
    rows: json,
  };
}

/** Distinct states an exhaustive search visits before its first targeted violation. */
function exhaustiveStates(loaded: NonNullable<Awaited<ReturnType<typeof loadExplorer>>>, m: ZooEntry, maxStates: number): { states: number; found: boolean; bounded: boolean; workload?: string } {
  const targets = new Set(m.targets);
  let total = 0;
  let bounded = false;
  for (const workload of [...(m.workloads ?? []), ...loaded.configs]) {
    let found = false;
    const r = loaded.explorer.explore({
      impl: `mutant:${m.name}`, broker: m.create(), workload, maxStates,
      onRun: (run) => { if (run.judge.violations.some((f) => targets.has(f.rule))) found = true; },
      shouldStop: () => found,
    });
    total += r.states;
    if (found) return { states: total, found: true, bounded, workload: workload.name };
    bounded ||= !r.complete;
  }
  return { states: total, found: false, bounded };
}
