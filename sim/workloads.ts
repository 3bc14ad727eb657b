/**
 * Loading workloads: the built-in ones in `workloads/*.json`, or a user's JSON file. A bad file is
 * bad input: a `WorkloadError` naming the file and the problem.
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { OPERATIONS } from '../trace/event.ts';
import { packagePath } from '../package-root.ts';
import type { Workload } from './workload.ts';

const DIR = packagePath('workloads');

export class WorkloadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WorkloadError';
  }
}

let builtins: Workload[] | undefined;
/** The built-in workloads, sorted by name. */
export function builtinWorkloads(): Workload[] {
  return (builtins ??= readdirSync(DIR).filter((f) => f.endsWith('.json')).sort()
    .map((f) => parseWorkload(readFileSync(join(DIR, f), 'utf8'), f)));
}

/** A built-in workload by name, or a workload JSON file by path. */
export function loadWorkload(nameOrPath: string): Workload {
  const builtin = builtinWorkloads().find((w) => w.name === nameOrPath);
  if (builtin) return builtin;
  if (!existsSync(nameOrPath)) {
    throw new WorkloadError(`no built-in workload or file named ${JSON.stringify(nameOrPath)} (built in: ${builtinWorkloads().map((w) => w.name).join(', ')})`);
  }
  return parseWorkload(readFileSync(nameOrPath, 'utf8'), nameOrPath);
}

/** Parses and checks a workload's JSON text. */
export function parseWorkload(text: string, where: string): Workload {
  let w: Workload;
  try {
    w = JSON.parse(text);
  } catch (err) {
    throw new WorkloadError(`${where}: not JSON (${(err as Error).message})`);
  }
  const bad = (msg: string) => new WorkloadError(`${where}: ${msg}`);
  if (typeof w !== 'object' || w === null || typeof w.name !== 'string') throw bad('a workload needs a "name"');
  if (!Array.isArray(w.sinks) || !Array.isArray(w.calls)) throw bad('a workload needs "sinks" and "calls" arrays');
  const sinks = new Set(w.sinks.map((s) => s.id));
  const passed = new Set(w.sinks.flatMap((s) => (s.wrapped ? [s.id, `${s.id}~stub`] : [s.id])));
  const swsinks = new Set((w.swbemsinks ?? []).map((s) => s.id));
  const ids = new Set<string>();
  for (const c of w.calls) {
    if (typeof c.id !== 'string' || ids.has(c.id)) throw bad(`call ids must be unique strings (${JSON.stringify(c.id)})`);
    ids.add(c.id);
    if (!(OPERATIONS as readonly string[]).includes(c.op)) throw bad(`call ${c.id}: unknown op ${JSON.stringify(c.op)} (one of ${OPERATIONS.join(', ')})`);
    if (c.swsink !== undefined) {
      if (!swsinks.has(c.swsink)) throw bad(`call ${c.id}: unknown swsink ${JSON.stringify(c.swsink)}`);
    } else if (c.sink !== null && !passed.has(c.sink)) throw bad(`call ${c.id}: unknown sink ${JSON.stringify(c.sink)}`);
  }
  const checkAfter = (after: unknown, who: string) => {
    if (after === undefined) return;
    const id = typeof after === 'string' ? after.replace(/\.final$/, '') : '';
    if (!ids.has(id)) throw bad(`${who}: "after" names no call (${JSON.stringify(after)})`);
  };
  for (const c of w.calls) checkAfter(c.after, `call ${c.id}`);
  for (const a of w.actions ?? []) {
    if (!['cancel', 'release-sink', 'release-services', 'swbem-cancel', 'swbem-nothing'].includes(a.kind)) throw bad(`unknown action kind ${JSON.stringify((a as { kind: unknown }).kind)}`);
    if ((a.kind === 'cancel' || a.kind === 'release-sink') && a.sink !== null && !sinks.has(a.sink)) throw bad(`action ${a.kind}: unknown sink ${JSON.stringify(a.sink)}`);
    if ((a.kind === 'swbem-cancel' || a.kind === 'swbem-nothing') && !swsinks.has(a.swsink)) throw bad(`action ${a.kind}: unknown swsink ${JSON.stringify(a.swsink)}`);
    checkAfter(a.after, `action ${a.kind}`);
  }
  return w;
}
