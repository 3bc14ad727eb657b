/**
 * Table 4 of `npm run bench`: exhaustive exploration of the configurations `wbemsim explore` pins
 * (workloads/explore/*.json), with the explorer's default bounds, by the stateful search (what
 * `wbemsim explore` runs on an in-process broker) and by re-execution (what it runs on a broker
 * without snapshots, and the oracle the stateful search is tested against): distinct states per
 * second, total time, and memory. The explorer is loaded lazily so the bench still runs (and says "not
 * available") in a tree where it is absent.
 */
import type { BrokerAdapter } from '../sim/broker-adapter.ts';
import { ReferenceBroker } from '../brokers/reference-broker.ts';
import type { Workload } from '../sim/workload.ts';
import type { Budget } from './budget.ts';
import { median, now, peakRssMiB, sig } from './measure.ts';
import type { Table } from './table.ts';

/** The explorer's surface the bench uses (sim/explorer.ts). */
export interface ExplorerModule {
  explore(o: {
    impl: string; broker: BrokerAdapter; workload: Workload; mode?: 'stateful' | 're-execution'; maxStates?: number; shouldStop?: () => boolean;
    onRun?: (r: { judge: { violations: { rule: string }[] } }) => void; onProgress?: (p: { runs: number }) => void;
  }): {
    states: number; transitions: number; runs: number; steps: number; complete: boolean; cut?: string; conformant: boolean;
    stateTable?: { bytesPerState: number };
  };
}

/** The explorer and its pinned configurations, or undefined when they are not in the tree. */
export async function loadExplorer(): Promise<{ explorer: ExplorerModule; configs: Workload[] } | undefined> {
  try {
    // Computed specifiers: the bench must typecheck and run without these modules.
    const explorer = (await import(new URL('../sim/explorer.ts', import.meta.url).href)) as ExplorerModule;
    const { exploreWorkloads } = (await import(new URL('../sim/explore-workloads.ts', import.meta.url).href)) as { exploreWorkloads(): Workload[] };
    if (typeof explorer.explore !== 'function') return undefined;
    return { explorer, configs: exploreWorkloads() };
  } catch {
    return undefined;
  }
}

const MiB = 2 ** 20;

export async function measureExhaustive(budget: Budget): Promise<{ table: Table; rows: Record<string, unknown>[] }> {
  const title = '4. Exhaustive exploration of the pinned configurations';
  const columns = ['configuration', 'mode', 'states', 'transitions', 'runs', 'complete', 'time s', 'states/s', 'stored B/state', 'heap peak MiB', 'max RSS MiB'];
  const loaded = await loadExplorer();
  if (!loaded) {
    return { table: { key: 'exhaustive', title, columns, rows: [['not available', '', '', '', '', '', '', '', '', '', '']], notes: ['sim/explorer.ts or workloads/explore/ is absent from this tree.'] }, rows: [] };
  }
  const rows: Table['rows'] = [];
  const json: Record<string, unknown>[] = [];
  for (const workload of loaded.configs) for (const mode of ['stateful', 're-execution'] as const) {
    const times: number[] = [];
    let last: ReturnType<ExplorerModule['explore']> | undefined;
    let heapPeak = 0;
    for (let rep = 0; rep < budget.exploreReps; rep++) {
      const heapBefore = process.memoryUsage().heapUsed;
      let runs = 0;
      // The heap is sampled every 256 runs (re-execution) or every 1,024 paths (the stateful
      // search's progress): a cheap estimate of the search's own peak. The mode is given, not
      // left to the explorer: whole runs (onRun) would make it choose re-execution.
      const sample = () => { heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed - heapBefore); };
      const t0 = now();
      last = loaded.explorer.explore({
        impl: 'reference', broker: new ReferenceBroker(), workload, mode, maxStates: budget.exploreMaxStates,
        ...(mode === 'stateful' ? { onProgress: sample } : { onRun: () => { if ((++runs & 255) === 0) sample(); } }),
      });
      times.push(now() - t0);
      sample();
    }
    const ms = median(times);
    const r = last!;
    const complete = r.complete ? 'yes' : `no (${r.cut})`;
    rows.push([workload.name, mode, r.states, r.transitions, r.runs, complete, sig(ms / 1000), sig((r.states * 1000) / ms), r.stateTable?.bytesPerState ?? '', sig(heapPeak / MiB), peakRssMiB()]);
    json.push({ configuration: workload.name, mode, states: r.states, transitions: r.transitions, runs: r.runs, steps: r.steps, complete: r.complete, cut: r.cut ?? null, ms: sig(ms), statesPerSec: sig((r.states * 1000) / ms), storedBytesPerState: r.stateTable?.bytesPerState ?? null, heapPeakMiB: sig(heapPeak / MiB), maxRssMiB: peakRssMiB() });
  }
  return {
    table: {
      key: 'exhaustive', title, columns, rows,
      notes: [
        `Median time of ${budget.exploreReps} repetition(s); explorer bounds: ${budget.exploreMaxStates === undefined ? 'its defaults (as `wbemsim explore`)' : `maxStates ${budget.exploreMaxStates}`}; reference broker.`,
        'A state is a distinct canonical key (world, broker, monitor states, the judge\'s key: see docs/exploration.md). stateful: sim/stateful-explorer.ts, which saves the state at branch points and restores it for the next branch; re-execution: sim/explorer.ts, which runs every branch again from the start. runs = paths ended.',
        'stored B/state: the bytes per state of the table of visited states (sim/state-table.ts: each state stored whole, its key\'s parts numbered). heap peak: heap growth during the search, sampled every 256 runs (re-execution) or 1,024 paths (stateful); max RSS: the process\'s peak resident set so far (monotonic over the bench).',
      ],
    },
    rows: json,
  };
}
