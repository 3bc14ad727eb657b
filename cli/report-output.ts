/**
 * `--report DIR` for the long commands: checks the folder before any work, fetches the witness
 * of each finding shown (by replaying its token, which is deterministic), and writes the report
 * (report/write-report.ts).
 */
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { ReportWitness } from '../report/report-result.ts';
import type { TraceLine } from '../trace/event.ts';
import { UsageError } from './usage-error.ts';
import { runTask } from './interrupt.ts';
import type { ReplayResult } from './tasks.ts';
import { readTrace } from '../trace/reader.ts';
import { Monitor } from '../specs/monitor.ts';
import { compiledMachine } from '../specs/compiled-machine.ts';
import type { TraceEvent } from '../trace/event.ts';

/** A checked trace's events kept in a report: its first lines, up to this many. */
export const MAX_REPORT_EVENTS = 5000;

/**
 * The first MAX_REPORT_EVENTS lines of a trace file already validated by `check`, and the
 * lifecycle machine's states they reach (a monitor that places the unseen moments itself).
 */
export async function traceForReport(path: string): Promise<{ events: TraceLine[]; reached: string[] }> {
  const events: TraceLine[] = [];
  const monitor = new Monitor({ annotated: false });
  for await (const line of readTrace(path)) {
    if (events.length >= MAX_REPORT_EVENTS) break;
    events.push(line);
    if (line.type !== 'header') monitor.event(line as TraceEvent);
  }
  const nodes = compiledMachine().stateNodes;
  return { events, reached: nodes.filter((_, i) => monitor.coverage.nodes[i]) };
}

/** Findings beyond this many distinct witnesses are reported without their diagram. */
export const MAX_WITNESSES = 8;

/** Checks that `dir` is, or can be made, a folder to write a report into. */
export function checkReportDir(dir: string): void {
  const full = resolve(dir);
  if (existsSync(full)) {
    if (!statSync(full).isDirectory()) throw new UsageError(`--report: ${dir} is a file, not a folder`);
    try {
      accessSync(full, constants.W_OK);
    } catch {
      throw new UsageError(`--report: cannot write into ${dir} (no write permission)`);
    }
    return;
  }
  const parent = dirname(full);
  if (!existsSync(parent) || !statSync(parent).isDirectory()) throw new UsageError(`--report: no folder ${parent} to create ${dir} in`);
}

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
