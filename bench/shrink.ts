/**
 * Table 7: shrinking. For each mutant of the zoo, its first catching run (the zoo's runner, seed
 * 1, random) is shrunk on the targeted rule it violated (sim/shrink.ts, as `wbemsim run` and
 * `wbemsim mutants` do): the witness length and the workload's size before and after, the runs
 * the shrink made and its time, and the shortest witness of the same rule on the shrunk workload,
 * found by breadth-first search (sim/stateful-explorer.ts) within a state bound. Deterministic
 * but for the time.
 */
import { MUTANTS } from '../brokers/mutants/index.ts';
import { runMutantZoo } from '../brokers/mutants/run-mutant-zoo.ts';
import { shrinkToken } from '../sim/shrink.ts';
import { shortestWitnesses } from '../sim/stateful-explorer.ts';
import type { Budget } from './budget.ts';
import { now, sig } from './measure.ts';
import type { Table } from './table.ts';

export async function measureShrink(budget: Budget): Promise<{ table: Table; rows: Record<string, unknown>[] }> {
  const title = '7. Shrinking: witness length before and after, per mutant';
  const columns = ['mutant', 'rule', 'steps before', 'steps after', 'before / after', 'shortest (BFS)', 'after / shortest', 'calls', 'actions', 'objects', 'shrink runs', 'ms'];
  const chosen = budget.shrinkOnly ?? MUTANTS.slice(0, budget.shrinkMutants ?? MUTANTS.length).map((m) => m.name);
  const zoo = runMutantZoo({ only: chosen });
  const rows: Table['rows'] = [];
  const json: Record<string, unknown>[] = [];
  const ratios: number[] = [];
  const closenesses: number[] = [];
  let unreached = 0;
  let boundedWithin = 0;
  const t0 = now();
  for (const m of zoo.mutants) {
    const rule = m.caughtBy.find((r) => m.targets.includes(r));
    if (!m.replay || !m.byTarget || !rule) {
      rows.push([m.name, '-', 'not caught', '', '', '', '', '', '', '', '', '']);
      continue;
    }
    const mutant = MUTANTS.find((x) => x.name === m.name)!;
    const broker = mutant.create();
    const t = now();
    const s = shrinkToken(m.replay, broker, rule, { budget: budget.shrinkBudget });
    const ms = now() - t;
    broker.close?.();
    if (!s) {
      rows.push([m.name, rule, 'did not replay', '', '', '', '', '', '', '', '', '']);
      continue;
    }
    const { before, after } = s.report;
    const ratio = before.steps / after.steps;
    ratios.push(ratio);
    // The shortest witness of the same rule on the shrunk workload, within the state bound.
    const bfsBroker = mutant.create();
    const bfs = shortestWitnesses({ impl: `mutant:${m.name}`, broker: bfsBroker, workload: s.workload, maxStates: budget.shortestStates }, new Set([rule]));
    bfsBroker.close?.();
    const shortest = bfs.witnesses.find((w) => w.rule === rule)?.steps;
    const closeness = shortest !== undefined ? after.steps / shortest : undefined;
    // Not reached: every run up to `exhaustedSteps` steps was judged, so the shortest is longer,
    // and after / shortest is below after / (exhaustedSteps + 1).
    const bound = shortest === undefined ? after.steps / (bfs.exhaustedSteps + 1) : undefined;
    if (closeness !== undefined) closenesses.push(closeness);
    else {
      unreached++;
      if (bound !== undefined && bound <= 1.5) boundedWithin++;
    }
    rows.push([
      m.name, rule, before.steps, after.steps, sig(ratio), shortest ?? `> ${bfs.exhaustedSteps} (${bfs.states} states)`, closeness !== undefined ? sig(closeness) : `< ${sig(bound!)}`,
      `${before.calls} → ${after.calls}`, `${before.actions} → ${after.actions}`, `${before.objects} → ${after.objects}`,
      `${s.report.runs}${s.report.exhausted ? ' (budget spent)' : ''}`, Math.round(ms),
    ]);
    json.push({ mutant: m.name, rule, before, after, shortest: shortest ?? null, noneWithin: bfs.exhaustedSteps, bfsStates: bfs.states, runs: s.report.runs, exhausted: s.report.exhausted, ms: Math.round(ms) });
  }
  ratios.sort((a, b) => a - b);
  const median = ratios.length ? ratios[Math.floor((ratios.length - 1) / 2)]! : NaN;
  return {
    table: {
      key: 'shrink', title, columns, rows,
      notes: [
        `The witness is the zoo's first catching run (seed 1, random, its default budget); steps = scheduler steps of the run (the witness length). Shrink budget ${budget.shrinkBudget} runs per witness.`,
        `Median before / after: ${sig(median)}. Table time: ${sig((now() - t0) / 1000)} s (the zoo's search excluded).`,
        `Shortest (BFS): the fewest steps of any run of the shrunk workload that breaks the same rule, by breadth-first search within ${budget.shortestStates} states (no reduction). Target: after / shortest ≤ 1.5. Within it: ${closenesses.filter((c) => c <= 1.5).length} of ${closenesses.length} measured (worst ${closenesses.length ? sig(Math.max(...closenesses)) : '-'}); ${unreached} not reached within the bound; for those the column gives the lower bound the search proved (no run of that many steps or fewer breaks the rule), and after / shortest is below after / (bound + 1): ${boundedWithin} of ${unreached} so proved within 1.5.`,
      ],
    },
    rows: json,
  };
}
