/**
 * `--report DIR`: the folder checked before any work, and what `check` keeps of a trace for its
 * report. Nothing here loads the simulator or a broker.
 */
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { readTrace } from '../trace/reader.ts';
import { Monitor } from '../specs/monitor.ts';
import { compiledMachine } from '../specs/compiled-machine.ts';
import type { TraceEvent, TraceLine } from '../trace/event.ts';
import { UsageError } from './usage-error.ts';

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

