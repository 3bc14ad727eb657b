/**
 * Table 8 of `npm run bench`: exhaustive exploration of a stdio broker kept at branch points by
 * the protocol's snapshots (stateful mode) against the same broker run again from the start for
 * every branch (re-execution), for each example broker of examples/. States/s of each mode, their
 * ratio, and whether both found the same states, transitions and violated rules.
 */
import { fileURLToPath } from 'node:url';
import type { BrokerAdapter } from '../sim/broker-adapter.ts';
import { explore, type Exploration, type ExploreMode } from '../sim/explorer.ts';
import { resolveWorkload } from '../sim/explore-workloads.ts';
import { StdioBroker } from '../brokers/stdio-broker.ts';
import type { Budget } from './budget.ts';
import { median, now, sig } from './measure.ts';
import type { Table } from './table.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BROKERS: [string, string][] = [
  ['js-example', 'node examples/js-broker/broker.mjs'],
  ['python-example', 'python3 examples/python-broker/broker.py'],
];

/** The broker with every request it is sent counted (a stdio request is one round trip). */
function counted(b: StdioBroker): { broker: BrokerAdapter; requests: () => number } {
  let n = 0;
  const broker: BrokerAdapter = {
    get info() { return b.info; },
    reset: (s) => { n++; b.reset(s); },
    input: (m) => { n++; return b.input(m); },
    enabled: () => b.enabled(),
    step: (id) => { n++; return b.step(id); },
    stateKey: () => { n++; return b.stateKey(); },
    ...(b.snapshot && b.restore ? {
      snapshot: () => { n++; return b.snapshot!(); },
      restore: (s: unknown, last?: boolean) => { n++; b.restore!(s, last); },
    } : {}),
  };
  return { broker, requests: () => n };
}

const outcome = (x: Exploration) => JSON.stringify([x.states, x.transitions, x.complete, x.violations.map((v) => `${v.by}:${v.rule}`).sort()]);

export async function measureStdio(budget: Budget): Promise<{ table: Table; rows: Record<string, unknown>[] }> {
  const title = '8. Stdio brokers: explore with snapshot/restore against re-execution';
  const columns = ['broker', 'configuration', 'mode', 'states', 'transitions', 'requests', 'time s', 'states/s', 'vs re-execution', 'same states'];
  const rows: Table['rows'] = [];
  const json: Record<string, unknown>[] = [];
  for (const [name, command] of BROKERS) {
    // One process per broker for all its searches: its start is not timed.
    const child = new StdioBroker(command, { cwd: ROOT, stepTimeoutMs: 20_000 });
    try {
      for (const config of budget.stdioConfigs) {
        const workload = resolveWorkload(config);
        // The two modes alternate, so that both see the same load; the ratio is the median of
        // per-repetition ratios. One untimed round first: the code on both sides is warm after it.
        const modes = ['stateful', 're-execution'] as const;
        const times = { stateful: [] as number[], 're-execution': [] as number[] };
        const last = {} as Record<ExploreMode, { x: Exploration; requests: number }>;
        const ratios: number[] = [];
        for (let rep = -1; rep < budget.stdioReps; rep++) {
          const ms = {} as Record<ExploreMode, number>;
          for (const mode of modes) {
            const c = counted(child);
            const t0 = now();
            const x = explore({ impl: `stdio:${command}`, broker: c.broker, workload, mode });
            ms[mode] = now() - t0;
            last[mode] = { x, requests: c.requests() };
          }
          if (rep < 0) continue;
          for (const mode of modes) times[mode].push(ms[mode]);
          ratios.push((last.stateful.x.states / ms.stateful) / (last['re-execution'].x.states / ms['re-execution']));
        }
        const measured = new Map(modes.map((mode) => [mode, { ...last[mode], ms: median(times[mode]) }]));
        const again = measured.get('re-execution')!;
        const rateOf = (m: { x: Exploration; ms: number }) => (m.x.states * 1000) / m.ms;
        for (const [mode, m] of measured) {
          const same = outcome(m.x) === outcome(again.x) ? 'yes' : 'NO';
          const ratio = mode === 're-execution' ? '' : sig(median(ratios));
          rows.push([name, config, m.x.mode, m.x.states, m.x.transitions, m.requests, sig(m.ms / 1000), sig(rateOf(m)), ratio, same]);
          json.push({
            broker: name, configuration: config, mode: m.x.mode, states: m.x.states, transitions: m.x.transitions, steps: m.x.steps,
            requests: m.requests, complete: m.x.complete, violations: m.x.violations.map((v) => v.rule), ms: sig(m.ms),
            statesPerSec: sig(rateOf(m)), vsReexecution: ratio === '' ? null : ratio, sameStates: same === 'yes',
          });
        }
      }
    } finally {
      child.close();
    }
  }
  return {
    table: {
      key: 'stdio', title, columns, rows,
      notes: [
        `Median time of ${budget.stdioReps} repetition(s) of each search after an untimed round, the two modes alternating; vs re-execution: the median of per-repetition ratios of states/s. The explorer's default bounds; one broker process per broker, started before the timing.`,
        'stateful: the broker is saved (`snapshot`) at branch points and restored (`restore`) for the next branch (docs/protocol.md, "Snapshots"); re-execution: every branch runs again from the start after a `reset`.',
        'requests: round trips to the broker process during one search (reset, input, step, state-key, snapshot, restore), witness runs included; same states: equal states, transitions, completeness and violated rules in both modes.',
      ],
    },
    rows: json,
  };
}
