/**
 * `--report DIR` for the commands that run a broker: the witness of each finding shown, fetched
 * by replaying its token (which is deterministic).
 */
import type { ReportWitness } from '../report/report-result.ts';
import type { TraceLine } from '../trace/event.ts';
import { runTask } from './interrupt.ts';
export { checkReportDir } from './report-dir.ts';
import type { ReplayResult } from './tasks.ts';

/** Findings beyond this many distinct witnesses are reported without their diagram. */
export const MAX_WITNESSES = 8;

/** The witness of one replayed run: its trace and, per rule, the events its findings name. */
export function witnessOf(source: string, workload: string, trace: TraceLine[], findings: { rule: string; events: number[] }[]): ReportWitness {
  const byRule: Record<string, number[]> = {};
  for (const f of findings) byRule[f.rule] = [...new Set([...(byRule[f.rule] ?? []), ...f.events])].sort((a, b) => a - b);
  return { source, workload, events: trace, findings: byRule };
}

/**
 * The witnesses of the given replay tokens (at most MAX_WITNESSES, in order, duplicates once);
 * `known` holds traces already at hand (the campaign's shown run), used instead of a replay.
 */
export async function fetchWitnesses(tokens: readonly (string | undefined)[], known: ReadonlyMap<string, TraceLine[]> = new Map(), max = MAX_WITNESSES): Promise<ReportWitness[]> {
  const out: ReportWitness[] = [];
  for (const token of [...new Set(tokens.filter((t): t is string => !!t))].slice(0, max)) {
    const r = await runTask<ReplayResult>('replay', { token });
    if (!r.run) break;
    const run = r.run;
    const trace = known.get(token) ?? run.trace ?? [];
    const findings = [...run.judge.violations, ...run.judge.warnings, ...run.judge.inconclusive, ...run.judge.lint, ...run.monitor.flatMap((m) => m.rules.map((rule) => ({ rule, events: [m.seq] })))];
    out.push(witnessOf(token, run.workload, trace, findings));
  }
  return out;
}
