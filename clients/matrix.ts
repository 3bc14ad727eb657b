/**
 * The matrix of client models × brokers (`wbemsim clients`): each model plays its own workload
 * against each broker over a number of seeded schedules; a cell says which client rules found
 * something, which broker rules were broken, and what the library's user saw go wrong.
 */
import type { BrokerFactory } from '../sim/broker-adapter.ts';
import type { ClientModel } from '../sim/client-api.ts';
import { runOnce, type RunResult } from '../sim/run.ts';
import { matrixText } from '../report/clients-matrix.ts';
import { deadlockLines } from '../report/deadlock.ts';

/** What the user of a library saw go wrong in a run, by kind. */
export type UserProblem = 'hang' | 'completion never raised' | 'success after cancel' | 'objects lost' | 'error'
  | 'event after completion' | 'leak' | 'use after free' | 'crash';

/** `client.saw` values by which a model tells its user an item arrived (an object, an event, a row). */
const ITEM_SAW = new Set(['ObjectReady', 'OnObjectReady', 'EventArrived', 'item', 'object', 'row']);
/** `client.saw` values that are a problem of their own kind. */
const PROBLEM_SAW: Readonly<Record<string, UserProblem>> = {
  'completed-ok-after-cancel': 'success after cancel',
  'objects-lost': 'objects lost',
  'error': 'error',
  'cancel-failed': 'error',
  // An event delivered after the user closed what it belongs to.
  'event-after-close': 'event after completion',
  // Items piling up that nobody reads; a subscription whose timeout is never checked stays open.
  'undelivered': 'leak',
  'timeout-ignored': 'leak',
  // State freed under a callback, or an object WMI freed used later (an access violation).
  'use-after-free': 'use after free',
  'object-used-after-indicate': 'use after free',
  'panic': 'crash',
};

export interface MatrixCell {
  client: string;
  impl: string;
  runs: number;
  /** Client rules (LINT-*) with a finding in some run, and in how many runs. */
  clientFindings: Record<string, number>;
  /** Broker rules violated (must) or warned about (should), and in how many runs. */
  brokerViolations: Record<string, number>;
  brokerWarnings: Record<string, number>;
  /** What the user saw go wrong, and in how many runs. */
  userSaw: Partial<Record<UserProblem, number>>;
  /** A replay token of the first run with a client finding, a broker finding or a user problem. */
  example?: string;
  /** The cell's replay token: `example`, or the first run's when no run had anything to show. */
  replay?: string;
  /** The first run that hung: its seed, its replay token, and what waited on what (thread → waits on → held by). */
  hang?: { seed: number; replay: string; cycle: string[] };
}

function bump(into: Record<string, number>, key: string): void {
  into[key] = (into[key] ?? 0) + 1;
}

/**
 * What the user saw go wrong in one run. A call accepted by its broker must have its completion
 * raised once the run ended, except an event subscription nothing asked to stop (no cancel was
 * made in the run): it stays open by design.
 */
export function userProblems(r: RunResult): Set<UserProblem> {
  const out = new Set<UserProblem>();
  if (r.end.reason === 'deadlock') out.add('hang');
  const trace = (r.trace ?? []) as unknown as { type: string; call?: string; op?: string; hr?: number; what?: string }[];
  const accepted = new Set(trace.filter((e) => e.type === 'call.returned' && e.hr === 0).map((e) => e.call));
  const subscriptions = new Set(trace.filter((e) => e.type === 'call.entered' && e.op === 'ExecNotificationQueryAsync').map((e) => e.call));
  const cancelled = trace.some((e) => e.type === 'cancel.entered');
  const completed = new Set<string | undefined>();
  for (const s of trace) {
    if (s.type !== 'client.saw') continue;
    if (s.what === 'completed' || s.what === 'Stopped') completed.add(s.call);
    else if (ITEM_SAW.has(s.what!) && s.call !== undefined && completed.has(s.call)) out.add('event after completion');
    const kind = PROBLEM_SAW[s.what!];
    if (kind) out.add(kind);
  }
  if (r.end.reason === 'quiescent' || r.end.reason === 'deadlock') {
    for (const c of accepted) if (!completed.has(c) && (cancelled || !subscriptions.has(c))) out.add('completion never raised');
  }
  return out;
}

/** Runs one cell: `runs` schedules from seed 1. */
export function matrixCell(model: ClientModel, impl: string, factory: BrokerFactory, runs: number, shouldStop?: () => boolean): MatrixCell {
  const cell: MatrixCell = { client: model.name, impl, runs: 0, clientFindings: {}, brokerViolations: {}, brokerWarnings: {}, userSaw: {} };
  const broker = factory();
  try {
    for (let seed = 1; seed <= runs && !shouldStop?.(); seed++) {
      const r = runOnce({ impl, broker, workload: model.workload, seed, client: model, keepTrace: true });
      cell.runs++;
      if (seed === 1) cell.replay = r.token;
      for (const rule of new Set(r.judge.lint.map((f) => f.rule))) bump(cell.clientFindings, rule);
      for (const rule of new Set(r.judge.violations.map((f) => f.rule))) bump(cell.brokerViolations, rule);
      for (const rule of new Set(r.judge.warnings.map((f) => f.rule))) bump(cell.brokerWarnings, rule);
      const problems = userProblems(r);
      for (const p of problems) cell.userSaw[p] = (cell.userSaw[p] ?? 0) + 1;
      if (r.end.reason === 'deadlock' && cell.hang === undefined) cell.hang = { seed, replay: r.token, cycle: deadlockLines(r.end.detail) };
      if (cell.example === undefined && (r.judge.lint.length || r.judge.violations.length || r.judge.warnings.length || problems.size)) cell.example = r.token;
    }
  } finally {
    broker.close?.();
  }
  if (cell.example !== undefined) cell.replay = cell.example;
  return cell;
}

/** The matrix as a terminal table: one block per client model, one line per broker. */
export function formatMatrix(cells: readonly MatrixCell[]): string {
  return matrixText({ cells: [...cells] });
}
