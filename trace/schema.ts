/**
 * Generates `specs/trace.schema.json` (JSON Schema draft 2020-12) from `EVENT_FIELDS`, so the
 * documented format and the TypeScript types cannot drift.
 * Run `npm run gen:schema` after changing `trace/event.ts`; a test fails while they differ.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { packagePath } from '../package-root.ts';
import { EVENT_FIELDS, EVENT_TYPES, COMMON_FIELDS, OPERATIONS, V1_EVENT_FIELDS, type FieldSpec, type FieldType } from './event.ts';

type Json = Record<string, unknown>;

function fieldSchema(t: FieldType | readonly string[]): Json {
  if (Array.isArray(t)) return { enum: [...t] };
  switch (t) {
    case 'string': return { type: 'string' };
    case 'integer': return { type: 'integer' };
    case 'number': return { type: 'number' };
    case 'boolean': return { type: 'boolean' };
    case 'string|null': return { type: ['string', 'null'] };
    case 'string[]': return { type: 'array', items: { type: 'string' } };
    case 'operation': return { enum: [...OPERATIONS] };
    case 'hresult': return { $ref: '#/$defs/hresult' };
  }
  throw new Error(`unknown field type ${String(t)}`);
}

/** The JSON Schema of one trace line: the header or any event, discriminated by `type`. */
export function traceSchema(): Json {
  const events: Json = {};
  const define = (type: string, spec: FieldSpec, description?: string) => {
    const properties: Json = { type: { const: type } };
    for (const [name, t] of Object.entries(COMMON_FIELDS)) properties[name] = fieldSchema(t);
    for (const [name, t] of Object.entries(spec.optional ?? {})) properties[name] = fieldSchema(t);
    for (const [name, t] of Object.entries(spec.required)) properties[name] = fieldSchema(t);
    properties.seq = { type: 'integer', minimum: 1 };
    events[type] = {
      ...(description ? { description } : {}),
      type: 'object',
      properties,
      required: ['type', 'seq', ...Object.keys(spec.required)],
      additionalProperties: false,
    };
  };
  for (const type of EVENT_TYPES) define(type, EVENT_FIELDS[type]);
  const v1Types = Object.keys(V1_EVENT_FIELDS);
  for (const type of v1Types) define(type, V1_EVENT_FIELDS[type]!, 'Format version 1 only; read as its version-2 replacement.');
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://wbemsim.dev/trace.schema.json',
    title: 'wbemsim trace line',
    description:
      'One line of a wbemsim trace (JSON lines). The first line is the header (seq 0); every other line is an event ' +
      'with strictly increasing seq. Generated from trace/event.ts by `npm run gen:schema`; do not edit by hand.',
    oneOf: [{ $ref: '#/$defs/header' }, ...[...EVENT_TYPES, ...v1Types].map((t) => ({ $ref: `#/$defs/${t}` }))],
    $defs: {
      hresult: { type: 'integer', minimum: 0, maximum: 0xffffffff, description: 'An HRESULT as an unsigned 32-bit integer.' },
      header: {
        type: 'object',
        properties: {
          seq: { const: 0 },
          type: { const: 'header' },
          format: { const: 'wbemsim-trace' },
          version: { enum: [1, 2], description: 'Format version: 2 now; version 1 is still read (mapped to 2).' },
          recorder: { enum: ['simulation', 'stdio', 'recorder', 'hand'] },
          broker: {
            type: 'object',
            properties: { name: { type: 'string' }, version: { type: 'string' } },
            required: ['name', 'version'],
            additionalProperties: false,
          },
          inProcess: { type: 'boolean' },
          whiteBox: { type: 'boolean' },
          seed: { type: 'integer' },
          token: { type: 'string' },
          workload: { type: 'string' },
          controlCancelLatencyMs: {
            type: 'number', minimum: 0,
            description: 'A recording\'s latency of a control cancel (no held callback), ms: the waiting bound is max(10, ten times it).',
          },
          settleMs: {
            type: 'number', minimum: 0,
            description: 'A recording\'s settle period, ms: a reference held this long after its sink\'s last call ended was not released promptly.',
          },
        },
        required: ['seq', 'type', 'format', 'version', 'recorder', 'broker', 'inProcess', 'whiteBox'],
        additionalProperties: false,
      },
      ...events,
    },
  };
}

/** The schema file's text: stable key order, two-space indent, final newline. */
export function traceSchemaText(): string {
  return JSON.stringify(traceSchema(), null, 2) + '\n';
}

/** Where the generated schema is committed. */
export const SCHEMA_PATH = packagePath('specs', 'trace.schema.json');

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  writeFileSync(SCHEMA_PATH, traceSchemaText());
  process.stdout.write(`wrote ${SCHEMA_PATH}\n`);
}
