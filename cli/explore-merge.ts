/**
 * The explorations of several parts (`explore --shard k/n`, `explore --workers N`) as one result
 * per workload. A sharded stateful search splits each workload's states by hash, so the parts
 * agree with one search on whether a rule is violated, but their counts (states, transitions,
 * paths, steps) are sums over the parts: a state above the split depth is counted by every part.
 * Each rule's witness is the canonical one: the shortest run, then the smallest choice list, so
 * the merge picks the same witness whatever the order of the parts.
 */
import type { ExploredViolation } from '../sim/explorer.ts';
import { compiledMachine } from '../specs/compiled-machine.ts';
import { decodeToken } from '../sim/replay-token.ts';
import type { ExploreResult } from './tasks.ts';
import { decideOutcome } from '../report/result.ts';

type Explored = ExploreResult['results'][number];

/** The choices a witness's token lists (empty when it cannot be read). */
function choicesOf(token: string): number[] {
  try {
    return [...(decodeToken(token).choices ?? [])];
  } catch {
    return [];
  }
}

/** Orders witnesses: fewer steps first, then the smaller choice list (element by element, then shorter). */
export function compareWitnesses(a: { steps: number; token: string }, b: { steps: number; token: string }): number {
  if (a.steps !== b.steps) return a.steps - b.steps;
  const x = choicesOf(a.token);
  const y = choicesOf(b.token);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  if (x.length !== y.length) return x.length - y.length;
  return a.token < b.token ? -1 : a.token > b.token ? 1 : 0;
}

/** The parts' explorations merged per workload, in the order of `workloads`. */
export function mergeExplorations(parts: ExploreResult[], workloads: string[], wallMs: number, oneTable = false): ExploreResult & { parts: number } {
  const results: Explored[] = [];
  for (const name of workloads) {
    const mine = parts.flatMap((p) => p.results.filter((r) => r.workload === name));
    if (mine.length === 0) continue;
    const sum = (f: (r: Explored) => number) => mine.reduce((n, r) => n + f(r), 0);
    const byRule = new Map<string, ExploredViolation>();
    for (const r of mine) {
      for (const v of r.violations) {
        const k = `${v.by}:${v.rule}`;
        const prior = byRule.get(k);
        if (!prior) byRule.set(k, { ...v });
        else byRule.set(k, { ...(compareWitnesses(v, prior) < 0 ? v : prior), runs: prior.runs + v.runs });
      }
    }
    const violations = [...byRule.values()].sort((a, b) => (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : a.by < b.by ? -1 : a.by > b.by ? 1 : 0));
    const ends: Record<string, number> = {};
    for (const r of mine) for (const [e, n] of Object.entries(r.ends)) ends[e] = (ends[e] ?? 0) + n;
    const complete = mine.every((r) => r.complete);
    const cut = mine.find((r) => r.cut)?.cut;
    const failure = mine.find((r) => r.brokerFailure)?.brokerFailure;
    const deadlock = mine.find((r) => r.deadlock)?.deadlock;
    const compaction = mine.filter((r) => r.hashCompaction).map((r) => r.hashCompaction!);
    // The workers of one process share one table (`oneTable`): the last to end saw it fullest.
    // Parts from separate processes had a table each: an omission in any of them counts.
    const claims = mine.filter((r) => r.sharedClaims).map((r) => r.sharedClaims!.omission);
    const tables = mine.filter((r) => r.stateTable).map((r) => r.stateTable!.bytesPerState);
    const outcome = decideOutcome({ violations, brokerFailures: failure ? 1 : 0, runs: sum((r) => r.runs) });
    results.push({
      impl: mine[0]!.impl, mode: mine[0]!.mode, workload: name, states: sum((r) => r.states), transitions: sum((r) => r.transitions),
      ...(mine[0]!.symmetry ? { symmetry: mine[0]!.symmetry } : {}),
      ...(mine[0]!.por ? { por: 'refusal' in mine[0]!.por ? mine[0]!.por : { reduced: sum((r) => (r.por && 'reduced' in r.por ? r.por.reduced : 0)) } } : {}),
      ...(compaction.length ? { hashCompaction: { omission: Math.min(1, compaction.reduce((n, c) => n + c.omission, 0)), bytesPerState: Math.max(...compaction.map((c) => c.bytesPerState)) } } : {}),
      ...(tables.length ? { stateTable: { bytesPerState: Math.max(...tables) } } : {}),
      ...(claims.length ? { sharedClaims: { omission: oneTable ? Math.max(...claims) : Math.min(1, claims.reduce((n, c) => n + c, 0)) } } : {}),
      runs: sum((r) => r.runs), steps: sum((r) => r.steps), complete, ...(complete ? {} : { cut: cut ?? 'stopped' }),
      conformant: outcome.conformant, ...(failure ? { brokerFailure: failure } : {}), violations, ends, ...(deadlock ? { deadlock } : {}),
    });
  }
  const m = compiledMachine();
  const states = new Set(parts.flatMap((p) => p.coverage.reachedStates));
  const transitions = new Set(parts.flatMap((p) => p.coverage.reachedTransitions));
  return {
    results,
    coverage: { reachedStates: m.stateNodes.filter((n) => states.has(n)), reachedTransitions: m.transitions.map((t) => t.id).filter((t) => transitions.has(t)) },
    wallMs, interrupted: parts.some((p) => p.interrupted), parts: parts.length,
  };
}
