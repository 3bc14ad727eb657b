/**
 * `npm run bench`: eight tables, printed and written to `bench/results.json`.
 *
 *   npm run bench                       the default budget (all eight tables in under five minutes on 2 cores)
 *   npm run bench -- --quick            a tiny budget (the smoke test; figures mean nothing)
 *   npm run bench -- --out FILE         write the results elsewhere
 *   npm run bench -- --tables 1,2,6     only some tables (1–3 are measured together)
 *   npm run bench -- --tables 7 --shortest-states 100000 --shrink-mutants late-callbacks,planted-race
 *                                       table 7 for some mutants, with a larger bound on the search for the shortest witness
 *
 * Every figure is a median of repetitions; every ratio compares figures taken in this process run.
 * Benchmarks never fail: the exit code is 0 whatever the figures, 2 for bad options.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MUTANTS } from '../brokers/mutants/index.ts';
import { loadWorkload } from '../sim/workloads.ts';
import { DEFAULT_BUDGET, QUICK_BUDGET, type Budget } from './budget.ts';
import { measureExhaustive } from './exhaustive.ts';
import { machineInfo, now, peakRssMiB, sig } from './measure.ts';
import { measureMutants } from './mutants.ts';
import { measureScaling } from './scaling.ts';
import { measureShrink } from './shrink.ts';
import { measureStdio } from './stdio.ts';
import { formatTable, tableJson, type Table } from './table.ts';
import { measureThroughput, TARGET_VS_ALTERNATIVE, TARGET_VS_BARE } from './throughput.ts';

/** The standard workload of the benchmarks. */
export const STANDARD_WORKLOAD = 'mixed';

const DEFAULT_OUT = fileURLToPath(new URL('./results.json', import.meta.url));

interface Options {
  budget: Budget;
  out: string;
  tables: Set<number>;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { budget: DEFAULT_BUDGET, out: DEFAULT_OUT, tables: new Set([1, 2, 3, 4, 5, 6, 7, 8]) };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--quick') o.budget = QUICK_BUDGET;
    else if (a === '--out') {
      const f = argv[++i];
      if (!f) throw new UsageError('--out needs a file name');
      o.out = f;
    } else if (a === '--tables') {
      const list = (argv[++i] ?? '').split(',').map(Number);
      if (!list.length || list.some((n) => !Number.isInteger(n) || n < 1 || n > 8)) throw new UsageError('--tables takes numbers 1–8, e.g. --tables 1,8');
      o.tables = new Set(list);
    } else if (a === '--shortest-states') {
      const n = Number(argv[++i]);
      if (!Number.isInteger(n) || n < 1) throw new UsageError('--shortest-states takes a positive whole number of states');
      o.budget = { ...o.budget, shortestStates: n };
    } else if (a === '--shrink-mutants') {
      const list = (argv[++i] ?? '').split(',').filter(Boolean);
      if (!list.length) throw new UsageError('--shrink-mutants takes mutant names, e.g. --shrink-mutants late-callbacks,planted-race');
      const unknown = list.filter((n) => !MUTANTS.some((m) => m.name === n));
      if (unknown.length) throw new UsageError(`--shrink-mutants: no mutant named ${unknown.join(', ')} (docs/mutants.md lists them)`);
      o.budget = { ...o.budget, shrinkOnly: list };
    } else throw new UsageError(`unknown option ${a} (--quick, --out FILE, --tables LIST, --shortest-states N, --shrink-mutants LIST)`);
  }
  return o;
}

class UsageError extends Error {}

async function main(argv: string[]): Promise<number> {
  let o: Options;
  try {
    o = parseArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`bench: ${err.message}\n`);
    return 2;
  }
  const started = now();
  const machine = machineInfo();
  const workload = loadWorkload(STANDARD_WORKLOAD);
  const print = (t: Table) => process.stdout.write(`${formatTable(t)}\n\n`);
  process.stdout.write(`wbemsim bench (${o.budget.name} budget) on ${machine.cores} × ${machine.cpu}, ${machine.memoryGiB} GiB, Node ${machine.node}\n\n`);

  const tables: Table[] = [];
  const results: Record<string, unknown> = { vsAlternative: null, vsBare: null };
  const details: Record<string, unknown> = {};
  const want = (n: number) => o.tables.has(n);

  if (want(1) || want(2) || want(3)) {
    const t = await measureThroughput(workload, o.budget);
    for (const [i, table] of t.tables.entries()) if (want(i + 1)) { tables.push(table); print(table); }
    results.vsAlternative = t.vsAlternative;
    results.vsBare = t.vsBare;
    details.figures = t.figures;
  }
  if (want(4)) {
    const t = await measureExhaustive(o.budget);
    tables.push(t.table);
    print(t.table);
    details.exhaustive = t.rows;
  }
  if (want(5)) {
    const t = await measureMutants(o.budget);
    tables.push(t.table);
    print(t.table);
    details.mutants = t.rows;
  }
  if (want(6)) {
    const t = await measureScaling(workload, o.budget);
    tables.push(t.table);
    print(t.table);
    results.scalingCost64to1 = t.ratio64to1;
    details.scaling = t.rows;
  }
  if (want(7)) {
    const t = await measureShrink(o.budget);
    tables.push(t.table);
    print(t.table);
    details.shrink = t.rows;
  }
  if (want(8)) {
    const t = await measureStdio(o.budget);
    tables.push(t.table);
    print(t.table);
    details.stdio = t.rows;
  }

  const seconds = sig((now() - started) / 1000);
  const vsA = results.vsAlternative as number | null;
  const vsB = results.vsBare as number | null;
  const doc = {
    ...results,
    targets: {
      vsAlternative: { target: `>= ${TARGET_VS_ALTERNATIVE}`, met: vsA === null ? null : vsA >= TARGET_VS_ALTERNATIVE },
      vsBare: { target: `>= ${TARGET_VS_BARE} (within ${1 / TARGET_VS_BARE}x)`, met: vsB === null ? null : vsB >= TARGET_VS_BARE },
    },
    workload: STANDARD_WORKLOAD,
    budget: o.budget,
    machine,
    seconds,
    maxRssMiB: peakRssMiB(),
    tables: Object.fromEntries(tables.map((t) => [t.key, tableJson(t)])),
    details,
  };
  writeFileSync(o.out, `${JSON.stringify(o.tables.size < 8 ? mergedInto(o.out, doc, [...o.tables].sort()) : doc, null, 2)}\n`);
  const summary = [
    vsA !== null ? `wbemsim / alternative = ${vsA} (target ≥ ${TARGET_VS_ALTERNATIVE}: ${vsA >= TARGET_VS_ALTERNATIVE ? 'met' : 'not met'})` : '',
    vsB !== null ? `wbemsim / bare = ${vsB} (target ≥ ${TARGET_VS_BARE}: ${vsB >= TARGET_VS_BARE ? 'met' : 'not met'})` : '',
  ].filter(Boolean).join('; ');
  process.stdout.write(`${summary ? `${summary}\n` : ''}done in ${seconds} s; results in ${o.out}\n`);
  return 0;
}

process.exitCode = await main(process.argv.slice(2));

/**
 * A run of some tables only (`--tables`) updates those tables in the results file and keeps the
 * others (and the figures at the top that it did not measure), so that nothing measured before is
 * lost; `partialRun` says which tables the last such run measured, and how.
 */
function mergedInto(file: string, doc: Record<string, unknown>, measured: number[]): Record<string, unknown> {
  let old: Record<string, unknown>;
  try {
    old = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
  } catch {
    return doc;
  }
  if (typeof old.tables !== 'object' || old.tables === null) return doc;
  const kept = (k: string) => (doc[k] === null && old[k] !== undefined ? old[k] : doc[k]);
  return {
    ...old,
    vsAlternative: kept('vsAlternative'),
    vsBare: kept('vsBare'),
    ...(doc.vsAlternative === null && doc.vsBare === null ? {} : { targets: doc.targets }),
    tables: { ...(old.tables as object), ...(doc.tables as object) },
    details: { ...((old.details as object | undefined) ?? {}), ...(doc.details as object) },
    partialRun: { tables: measured, seconds: doc.seconds, machine: doc.machine, budget: doc.budget },
  };
}
