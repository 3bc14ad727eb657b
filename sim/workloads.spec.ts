/**
 * Workloads are validated against specs/workload.schema.json, which agrees with the TypeScript
 * types field by field and is explained field by field in docs/workloads.md.
 */
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { OPERATIONS } from '../trace/event.ts';
import type { CallSpec, ClientAction, OutOfProcess, SinkSpec, Workload } from './workload.ts';
import { parseWorkload, WORKLOAD_SCHEMA_PATH, WorkloadError } from './workloads.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const schema = JSON.parse(readFileSync(WORKLOAD_SCHEMA_PATH, 'utf8'));

/** Every field of each TypeScript type, listed: the compiler checks each list against its type. */
const FIELDS = {
  workload: ['version', 'name', 'description', 'security', 'outOfProcess', 'sinks', 'swbemsinks', 'calls', 'actions'],
  outOfProcess: ['local', 'anonymousCallbacks'],
  sink: ['id', 'behaviour', 'delay', 'wrapped'],
  call: ['id', 'op', 'sink', 'swsink', 'services', 'flags', 'query', 'language', 'objects', 'duration', 'result', 'startError', 'cancelUnsupported', 'after'],
  cancel: ['kind', 'id', 'sink', 'services', 'after', 'fromCallback', 'inner'],
  'release-sink': ['kind', 'sink', 'after'],
  'release-services': ['kind', 'services', 'after'],
  'swbem-cancel': ['kind', 'swsink', 'after', 'fromCallback'],
  'swbem-nothing': ['kind', 'swsink', 'after'],
  'transport-loss': ['kind', 'after'],
} as const;

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Action<K extends ClientAction['kind']> = Extract<ClientAction, { kind: K }>;
// Each line fails to compile when a type gains or loses a field that its list does not.
const typesAgree: [
  Same<keyof Workload, (typeof FIELDS.workload)[number]>,
  Same<keyof OutOfProcess, (typeof FIELDS.outOfProcess)[number]>,
  Same<keyof SinkSpec, (typeof FIELDS.sink)[number]>,
  Same<keyof CallSpec, (typeof FIELDS.call)[number]>,
  Same<keyof Action<'cancel'>, (typeof FIELDS.cancel)[number]>,
  Same<keyof Action<'release-sink'>, (typeof FIELDS)['release-sink'][number]>,
  Same<keyof Action<'release-services'>, (typeof FIELDS)['release-services'][number]>,
  Same<keyof Action<'swbem-cancel'>, (typeof FIELDS)['swbem-cancel'][number]>,
  Same<keyof Action<'swbem-nothing'>, (typeof FIELDS)['swbem-nothing'][number]>,
  Same<keyof Action<'transport-loss'>, (typeof FIELDS)['transport-loss'][number]>,
] = [true, true, true, true, true, true, true, true, true, true];

const sorted = (xs: readonly string[]) => [...xs].sort();
const actionBranch = (kind: string) => schema.$defs.action.oneOf.find((b: { properties: { kind: { const: string } } }) => b.properties.kind.const === kind);

describe('specs/workload.schema.json', () => {
  it('has the fields of the TypeScript types, no more and no fewer', () => {
    expect(typesAgree.every(Boolean)).toBe(true);
    expect(sorted(Object.keys(schema.properties))).toEqual(sorted(FIELDS.workload));
    expect(sorted(Object.keys(schema.$defs.outOfProcess.properties))).toEqual(sorted(FIELDS.outOfProcess));
    expect(sorted(Object.keys(schema.$defs.sink.properties))).toEqual(sorted(FIELDS.sink));
    expect(sorted(Object.keys(schema.$defs.call.properties))).toEqual(sorted(FIELDS.call));
    for (const kind of ['cancel', 'release-sink', 'release-services', 'swbem-cancel', 'swbem-nothing', 'transport-loss'] as const) {
      expect(sorted(Object.keys(actionBranch(kind).properties)), kind).toEqual(sorted(FIELDS[kind]));
    }
    expect(schema.$defs.action.oneOf).toHaveLength(6);
    expect(schema.$defs.call.properties.op.enum).toEqual([...OPERATIONS]);
  });

  it('is valid for every built-in workload, each of which says version 1', () => {
    const validate = new Ajv2020({ strict: true, discriminator: true }).compile(schema);
    const files = [
      ...readdirSync(join(ROOT, 'workloads')).filter((f) => f.endsWith('.json')).map((f) => join(ROOT, 'workloads', f)),
      ...readdirSync(join(ROOT, 'workloads/explore')).filter((f) => f.endsWith('.json')).map((f) => join(ROOT, 'workloads/explore', f)),
    ];
    expect(files.length).toBeGreaterThanOrEqual(20);
    for (const f of files) {
      const w = JSON.parse(readFileSync(f, 'utf8'));
      expect(validate(w), `${f}: ${JSON.stringify(validate.errors)}`).toBe(true);
      expect(w.version, f).toBe(1);
      expect(() => parseWorkload(readFileSync(f, 'utf8'), f)).not.toThrow();
    }
  });

  it('is explained field by field in docs/workloads.md', () => {
    const doc = readFileSync(join(ROOT, 'docs/workloads.md'), 'utf8');
    const names = new Set(Object.values(FIELDS).flat());
    for (const name of names) expect(doc, name).toContain(`\`${name}\``);
    for (const kind of Object.keys(FIELDS).filter((k) => k.includes('-') || k === 'cancel')) expect(doc, kind).toContain(`\`${kind}\``);
  });
});

describe('a workload that does not validate', () => {
  const base = { name: 'w', sinks: [{ id: 's1' }], calls: [{ id: 'c1', op: 'ExecQueryAsync', sink: 's1' }] };
  const error = (w: object) => {
    try {
      parseWorkload(JSON.stringify(w), 'w.json');
    } catch (err) {
      expect(err).toBeInstanceOf(WorkloadError);
      return (err as Error).message;
    }
    throw new Error('it validated');
  };

  it.each([
    ['a misspelled top-level field', { ...base, actoins: [{ kind: 'cancel', id: 'k1', sink: 's1' }] }, 'w.json: unknown field "actoins" (did you mean "actions"?)'],
    ['a misspelled call field', { ...base, calls: [{ id: 'c1', op: 'ExecQueryAsync', sikn: 's1' }] }, 'w.json: unknown field "calls[0].sikn" (did you mean "sink"?)'],
    ['a misspelled action field', { ...base, actions: [{ kind: 'cancel', id: 'k1', sink: 's1', aftr: 'c1' }] }, 'w.json: unknown field "actions[0].aftr" (did you mean "after"?)'],
    ['an unknown field with nothing near', { ...base, colour: 'red' }, 'w.json: unknown field "colour" (known fields: version, name, description, security, outOfProcess, sinks, swbemsinks, calls, actions)'],
    ['a misspelled action kind', { ...base, actions: [{ kind: 'cancell', id: 'k1', sink: 's1' }] }, /"actions\[0\]\.kind" must be one of .* \(got "cancell"\); did you mean "cancel"\?/],
    ['a misspelled operation', { ...base, calls: [{ id: 'c1', op: 'ExecQeryAsync', sink: 's1' }] }, /"calls\[0\]\.op" must be one of .*did you mean "ExecQueryAsync"\?/],
    ['a wrong type', { ...base, calls: [{ id: 'c1', op: 'ExecQueryAsync', sink: 's1', objects: 'two' }] }, '"calls[0].objects" must be integer (got "two")'],
    ['a missing field', { ...base, calls: [{ id: 'c1', op: 'ExecQueryAsync' }] }, '"calls[0]" lacks the required field "sink"'],
    ['a cycle of calls waiting on each other', { ...base, calls: [{ id: 'c1', op: 'ExecQueryAsync', sink: 's1', after: 'c2' }, { id: 'c2', op: 'ExecQueryAsync', sink: 's1', after: 'c1.final' }] }, '"calls[0].after": calls wait on each other in a cycle (c1 -> c2 -> c1)'],
    ['a call waiting on itself', { ...base, calls: [{ id: 'c1', op: 'ExecQueryAsync', sink: 's1', after: 'c1' }] }, '"calls[0].after": calls wait on each other in a cycle (c1 -> c1)'],
    ['nothing to run', { ...base, calls: [] }, 'nothing to run: "calls" and "actions" are both empty'],
    ['a newer version', { ...base, version: 2 }, '"version" 2 is newer than this wbemsim reads (1)'],
    ['a reference to no sink', { ...base, actions: [{ kind: 'cancel', id: 'k1', sink: 's9' }] }, '"actions[0].sink": no sink "s9" in "sinks"'],
    ['a misspelled query', { ...base, calls: [{ id: 'c1', op: 'ExecQueryAsync', sink: 's1', qurey: null }] }, 'w.json: unknown field "calls[0].qurey" (did you mean "query"?)'],
    ['a misspelled language', { ...base, calls: [{ id: 'c1', op: 'ExecQueryAsync', sink: 's1', langauge: 'WQL' }] }, 'w.json: unknown field "calls[0].langauge" (did you mean "language"?)'],
    ['a query that is neither text nor null', { ...base, calls: [{ id: 'c1', op: 'ExecQueryAsync', sink: 's1', query: 0 }] }, '"calls[0].query" must be string,null (got 0)'],
    ['a query on a method that takes none', { ...base, calls: [{ id: 'c1', op: 'GetObjectAsync', sink: 's1', query: null }] }, '"calls[0].query": GetObjectAsync takes no query (only ExecQueryAsync and ExecNotificationQueryAsync do)'],
    ['a misspelled cancel position', { ...base, actions: [{ kind: 'cancel', id: 'k1', sink: 's1', fromCallback: 'finale' }] }, '"actions[0].fromCallback" must be one of true, false, "final" (got "finale"); did you mean "final"?'],
  ])('%s is an error naming the field', (_what, w, message) => {
    const text = error(w);
    if (typeof message === 'string') expect(text).toContain(message);
    else expect(text).toMatch(message);
  });

  it('takes a NULL query and language, query text, and a cancel from inside the final status', () => {
    const w = parseWorkload(JSON.stringify({
      ...base,
      calls: [{ id: 'c1', op: 'ExecQueryAsync', sink: 's1', query: null, language: null }, { id: 'c2', op: 'ExecNotificationQueryAsync', sink: 's1', query: 'SELECT * FROM __InstanceCreationEvent', language: 'WQL' }],
      actions: [{ kind: 'cancel', id: 'k1', sink: 's1', fromCallback: 'final' }],
    }), 'w.json');
    expect(w.calls.map((c) => [c.query, c.language])).toEqual([[null, null], ['SELECT * FROM __InstanceCreationEvent', 'WQL']]);
    expect(w.actions?.[0]).toMatchObject({ fromCallback: 'final' });
  });

  it('without a version is read as version 1', () => {
    expect(parseWorkload(JSON.stringify(base), 'w.json').name).toBe('w');
    expect(parseWorkload(JSON.stringify({ version: 1, ...base }), 'w.json').name).toBe('w');
  });
});
