/**
 * Loading workloads: the built-in ones in `workloads/*.json`, or a user's JSON file. A bad file is
 * bad input: a `WorkloadError` naming the file and the problem.
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ErrorObject } from 'ajv/dist/2020.js';
import { distance } from 'fastest-levenshtein';
import { packagePath } from '../package-root.ts';
import { afterCall, WORKLOAD_VERSION, wrapperOf, type Workload } from './workload.ts';
import type { Operation } from '../trace/event.ts';
// specs/workload.schema.json compiled ahead of time (scripts/gen-validators.ts).
import validator from './workload-validator.generated.mjs';

const DIR = packagePath('workloads');
/** The workload format's JSON Schema (docs/workloads.md explains every field). */
export const WORKLOAD_SCHEMA_PATH = packagePath('specs/workload.schema.json');

export class WorkloadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WorkloadError';
  }
}

/** The methods that take a query text and language (`query`, `language` of a call). */
const QUERY_OPS: readonly Operation[] = ['ExecQueryAsync', 'ExecNotificationQueryAsync'];

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

function validateSchema(w: unknown): ErrorObject | undefined {
  if (validator(w)) return undefined;
  // A misspelled field also makes the real one missing: name the misspelling, it is the cause.
  const errors = validator.errors ?? [];
  return errors.find((e) => e.keyword === 'additionalProperties') ?? errors.find((e) => e.keyword === 'discriminator') ?? errors[0];
}

/** `/calls/0/op` as a reader writes it: `calls[0].op`. */
function fieldPath(instancePath: string, last?: string): string {
  const parts = instancePath.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (last !== undefined) parts.push(last);
  return parts.reduce((out, p) => (/^\d+$/.test(p) ? `${out}[${p}]` : out ? `${out}.${p}` : p), '');
}

/** The known name nearest to a misspelled one, when it is near enough to be the one meant. */
export function nearestName(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of known) {
    const d = k.toLowerCase() === name.toLowerCase() ? 0 : distance(name, k);
    if (d < bestDistance) { best = k; bestDistance = d; }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

/** One schema error as one line naming the field (`calls[0].sikn`) and, for a misspelling, the field meant. */
function describeSchemaError(e: ErrorObject, w: unknown): string {
  const path = fieldPath(e.instancePath);
  const at = path ? `"${path}"` : 'the workload';
  const value = e.instancePath.split('/').slice(1).reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], w);
  switch (e.keyword) {
    case 'additionalProperties': {
      const field = (e.params as { additionalProperty: string }).additionalProperty;
      const known = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      const near = nearestName(field, known);
      return `unknown field "${fieldPath(e.instancePath, field)}"${near ? ` (did you mean "${near}"?)` : ` (known fields: ${known.join(', ')})`}`;
    }
    case 'required':
      return `${at} lacks the required field "${(e.params as { missingProperty: string }).missingProperty}"`;
    case 'enum': {
      const allowed = (e.params as { allowedValues: unknown[] }).allowedValues;
      const near = typeof value === 'string' ? nearestName(value, allowed.filter((v): v is string => typeof v === 'string')) : undefined;
      return `"${path}" must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')} (got ${JSON.stringify(value)})${near ? `; did you mean "${near}"?` : ''}`;
    }
    case 'discriminator': {
      const kinds = ((e.parentSchema as { oneOf?: { properties: { kind: { const: string } } }[] }).oneOf ?? []).map((b) => b.properties.kind.const);
      const tag = (value as { kind?: unknown } | undefined)?.kind;
      const near = typeof tag === 'string' ? nearestName(tag, kinds) : undefined;
      return `"${fieldPath(e.instancePath, 'kind')}" must be one of ${kinds.map((k) => JSON.stringify(k)).join(', ')} (got ${JSON.stringify(tag)})${near ? `; did you mean "${near}"?` : ''}`;
    }
    default:
      return `${at} ${e.message ?? 'is not valid'}${value !== undefined && typeof value !== 'object' ? ` (got ${JSON.stringify(value)})` : ''}`;
  }
}

/**
 * Parses and checks a workload's JSON text: first against specs/workload.schema.json (an unknown
 * or misspelled field, a wrong type, a missing field), then what a schema cannot say: unique call
 * ids, names that refer to something declared, a query only on the methods that take one, no cycle
 * of calls waiting on each other, and something to run. A workload without `version` is read as version 1.
 */
export function parseWorkload(text: string, where: string): Workload {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new WorkloadError(`${where}: not JSON (${(err as Error).message})`);
  }
  const bad = (msg: string) => new WorkloadError(`${where}: ${msg}`);
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw bad('a workload is a JSON object');
  const version = (json as { version?: unknown }).version;
  if (typeof version === 'number' && Number.isInteger(version) && version > WORKLOAD_VERSION) {
    throw bad(`"version" ${version} is newer than this wbemsim reads (${WORKLOAD_VERSION})`);
  }
  const error = validateSchema(json);
  if (error) throw bad(describeSchemaError(error, json));
  const w = json as Workload;
  if (w.calls.length === 0 && (w.actions ?? []).length === 0) throw bad('nothing to run: "calls" and "actions" are both empty');
  const sinks = new Set(w.sinks.map((s) => s.id));
  const passed = new Set(w.sinks.flatMap((s) => (s.wrapped ? [s.id, wrapperOf(s.id)] : [s.id])));
  const swsinks = new Set((w.swbemsinks ?? []).map((s) => s.id));
  const ids = new Set<string>();
  for (const [i, c] of w.calls.entries()) {
    if (ids.has(c.id)) throw bad(`"calls[${i}].id": call id ${JSON.stringify(c.id)} is used twice`);
    ids.add(c.id);
    if (c.swsink !== undefined) {
      if (!swsinks.has(c.swsink)) throw bad(`"calls[${i}].swsink": no SWbemSink ${JSON.stringify(c.swsink)} in "swbemsinks"`);
    } else if (c.sink !== null && !passed.has(c.sink)) throw bad(`"calls[${i}].sink": no sink ${JSON.stringify(c.sink)} in "sinks"`);
    for (const field of ['query', 'language'] as const) {
      if (c[field] !== undefined && !QUERY_OPS.includes(c.op)) throw bad(`"calls[${i}].${field}": ${c.op} takes no query (only ${QUERY_OPS.join(' and ')} do)`);
    }
  }
  const checkAfter = (after: string | undefined, field: string) => {
    if (after === undefined) return;
    if (!ids.has(afterCall(after))) throw bad(`"${field}": names no call (${JSON.stringify(after)})`);
  };
  for (const [i, c] of w.calls.entries()) checkAfter(c.after, `calls[${i}].after`);
  for (const [i, a] of (w.actions ?? []).entries()) {
    if ((a.kind === 'cancel' || a.kind === 'release-sink') && a.sink !== null && !sinks.has(a.sink)) throw bad(`"actions[${i}].sink": no sink ${JSON.stringify(a.sink)} in "sinks"`);
    if ((a.kind === 'swbem-cancel' || a.kind === 'swbem-nothing') && !swsinks.has(a.swsink)) throw bad(`"actions[${i}].swsink": no SWbemSink ${JSON.stringify(a.swsink)} in "swbemsinks"`);
    checkAfter(a.after, `actions[${i}].after`);
  }
  const cycle = afterCycle(w);
  if (cycle) throw bad(`"calls[${cycle.index}].after": calls wait on each other in a cycle (${cycle.ids.join(' -> ')}), so none of them can start`);
  return w;
}

/** A cycle of calls whose `after` wait on each other, with the index of the call it was found at. */
function afterCycle(w: Workload): { index: number; ids: string[] } | undefined {
  const index = new Map(w.calls.map((c, i) => [c.id, i]));
  const waitsOn = (id: string) => { const after = w.calls[index.get(id)!]!.after; return after === undefined ? undefined : afterCall(after); };
  for (const start of w.calls) {
    const path = [start.id];
    for (let next = waitsOn(start.id); next !== undefined; next = waitsOn(next)) {
      if (next === start.id) return { index: index.get(start.id)!, ids: [...path, next] };
      if (path.includes(next) || path.length > w.calls.length) break;
      path.push(next);
    }
  }
  return undefined;
}
