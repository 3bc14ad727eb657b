/**
 * `npm run check:key [-- --runs N] [--impl NAME]`: samples the soundness of the stateful search's
 * state key. The search stops a path at a state whose key it met before, trusting that equal keys
 * have the same futures and the same verdicts on them (docs/exploration.md). Here random runs of
 * each explore configuration, under the reference broker and every mutant, record the key before
 * each step; when a key comes back on another path, the later path is run again with the earlier
 * path's continuation (followed by step key), and each must rule that one continuation breaks
 * anew must be broken somewhere on the other path's run. A pair that disagrees is printed with
 * both paths: the key misses something a future verdict reads.
 *
 * A sample, not a proof: it finds only what random runs meet. Run it after changing what a check
 * remembers or what the key holds. Exit 0 when every pair agrees, 1 otherwise, 2 for bad options.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { MUTANTS } from '../brokers/mutants/index.ts';
import { ReferenceBroker } from '../brokers/reference-broker.ts';
import type { BrokerAdapter } from '../sim/broker-adapter.ts';
import { eachBrokenRule } from '../sim/explorer.ts';
import { exploreWorkloads } from '../sim/explore-workloads.ts';
import { Prng } from '../sim/prng.ts';
import { searchState } from '../sim/stateful-explorer.ts';
import type { Step } from '../sim/strategy.ts';
import type { Workload } from '../sim/workload.ts';

/** The parts of a searched state's key: the world's (with the broker's), the monitor's, the judge's. */
export interface KeyParts { world: string; monitor: string; judge: string }

/** How a state key is made from its parts (the search's own by default; a test weakens it). */
export type KeyOf = (p: KeyParts) => string;
const SEARCH_KEY: KeyOf = (p) => `${p.world}#${p.monitor}#${p.judge}`;

/** A world, its monitor and a keyed judge, fed as the stateful search feeds them (its own state). */
function live(workload: Workload, broker: BrokerAdapter, keyOf: KeyOf) {
  const s = searchState({ impl: broker.info.name, broker, workload, noSymmetry: true });
  const ids = workload.calls.map((c) => c.id);
  const broken = (judged: readonly { rule: string; explanation: string }[]) => {
    const out = new Set<string>();
    eachBrokenRule(judged, s.monitor.rejections, (k) => out.add(k));
    return out;
  };
  return {
    settle: (): Step[] => s.settle(),
    key: () => keyOf({ world: s.world.stateKey(), monitor: s.monitor.stateKey(ids), judge: s.judge.stateKey() }),
    take(step: Step) {
      s.world.take(step);
      s.flush();
    },
    soFar: () => broken(s.judge.violationsSoFar()),
    finish: () => broken(s.finish().r.violations),
  };
}

const MAX_STEPS = 400;

/** One random run: the step keys taken and the state key before each. */
function randomRun(workload: Workload, make: () => BrokerAdapter, seed: number, keyOf: KeyOf): { steps: string[]; keys: string[] } {
  const l = live(workload, make(), keyOf);
  const prng = new Prng(seed);
  const steps: string[] = [];
  const keys: string[] = [];
  for (let i = 0; i < MAX_STEPS; i++) {
    const en = l.settle();
    if (en.length === 0) break;
    keys.push(l.key());
    const s = en[prng.below(en.length)]!;
    steps.push(s.key);
    l.take(s);
  }
  return { steps, keys };
}

/** Runs `steps` by key: the rules broken after step `at` that were not before, and all at the end. */
function follow(workload: Workload, make: () => BrokerAdapter, steps: readonly string[], at: number, keyOf: KeyOf): { fresh: string[]; all: Set<string> } | { error: string } {
  const l = live(workload, make(), keyOf);
  let before = new Set<string>();
  for (let i = 0; i < steps.length; i++) {
    const en = l.settle();
    if (i === at) before = l.soFar();
    const s = en.find((x) => x.key === steps[i]);
    if (!s) return { error: `step ${steps[i]} is not enabled after ${i} steps` };
    l.take(s);
  }
  if (l.settle().length !== 0) return { error: 'the run does not end where the continuation does' };
  const all = l.finish();
  return { fresh: [...all].filter((r) => !before.has(r)), all };
}

/** A pair of paths to one key whose futures disagree. */
export interface Disagreement {
  impl: string;
  workload: string;
  /** Rules one continuation breaks anew that the other path's whole run never breaks. */
  onlyFirst: string[];
  onlySecond: string[];
  first: string[];
  second: string[];
  continuation: string[];
  error?: string;
}

/** Samples pairs of paths meeting at one key, for one broker and workload. */
export function checkKey(workload: Workload, impl: string, make: () => BrokerAdapter, runs: number, keyOf: KeyOf = SEARCH_KEY): { pairs: number; disagreements: Disagreement[] } {
  const seen = new Map<string, { run: number; at: number }>();
  const done: { steps: string[] }[] = [];
  const disagreements: Disagreement[] = [];
  let pairs = 0;
  for (let seed = 1; seed <= runs; seed++) {
    const r = randomRun(workload, make, seed, keyOf);
    done.push(r);
    r.keys.forEach((k, at) => {
      const prev = seen.get(k);
      if (!prev) {
        seen.set(k, { run: done.length - 1, at });
        return;
      }
      const a = done[prev.run]!.steps;
      const first = a.slice(0, prev.at);
      const second = r.steps.slice(0, at);
      if (first.join('\n') === second.join('\n')) return;
      pairs++;
      const continuation = a.slice(prev.at);
      const x = follow(workload, make, a, prev.at, keyOf);
      const y = follow(workload, make, [...second, ...continuation], at, keyOf);
      if ('error' in x || 'error' in y) {
        disagreements.push({ impl, workload: workload.name, onlyFirst: [], onlySecond: [], first, second, continuation, error: 'error' in y ? y.error : (x as { error: string }).error });
        return;
      }
      const onlyFirst = x.fresh.filter((rule) => !y.all.has(rule));
      const onlySecond = y.fresh.filter((rule) => !x.all.has(rule));
      if (onlyFirst.length > 0 || onlySecond.length > 0) disagreements.push({ impl, workload: workload.name, onlyFirst, onlySecond, first, second, continuation });
    });
  }
  return { pairs, disagreements };
}

function main(): void {
  const usage = 'usage: npm run check:key -- [--runs N (default 30, at least 2)] [--impl reference|MUTANT]\n';
  let values: { runs?: string; impl?: string };
  try {
    ({ values } = parseArgs({ options: { runs: { type: 'string' }, impl: { type: 'string' } }, strict: true }));
  } catch (err) {
    process.stderr.write(`check:key: ${(err as Error).message}\n${usage}`);
    process.exit(2);
  }
  const runs = Number(values.runs ?? 30);
  const only = values.impl;
  if (!Number.isInteger(runs) || runs < 2) {
    process.stderr.write(`check:key: --runs ${values.runs} is not a whole number of at least 2\n${usage}`);
    process.exit(2);
  }
  const brokers: [string, () => BrokerAdapter][] = [['reference', () => new ReferenceBroker()], ...MUTANTS.map((m) => [m.name, m.create] as [string, () => BrokerAdapter])];
  const chosen = only ? brokers.filter(([n]) => n === only) : brokers;
  if (chosen.length === 0) {
    process.stderr.write(`check:key: no broker named ${only} (the reference broker or a mutant)\n`);
    process.exit(2);
  }
  let pairs = 0;
  const bad: Disagreement[] = [];
  for (const w of exploreWorkloads()) {
    for (const [name, make] of chosen) {
      const r = checkKey(w, name, make, runs);
      pairs += r.pairs;
      bad.push(...r.disagreements);
    }
    process.stderr.write(`check:key: ${w.name} done (${pairs} pairs so far)\n`);
  }
  for (const d of bad) process.stdout.write(`${JSON.stringify(d)}\n`);
  process.stdout.write(`check:key: ${pairs} pairs of paths met at one key; ${bad.length} disagree on a future must rule\n`);
  process.exit(bad.length === 0 ? 0 : 1);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) main();
