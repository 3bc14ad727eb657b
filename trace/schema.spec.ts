/**
 * specs/trace.schema.json is generated from trace/event.ts (`npm run gen:schema`) and agrees with
 * the streaming validator that `wbemsim check` uses.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { traceSchema, traceSchemaText, SCHEMA_PATH } from './schema.ts';
import { LineValidator } from './line-validator.ts';
import { TraceBuilder } from '../specs/trace-builder.ts';
import { WBEM_E_CALL_CANCELLED } from './hresult.ts';

describe('holds', () => {
  it('reject a release that does not end the declared kind of hold', () => {
    const lines = (hold: string, by: string) => [
      new TraceBuilder().header,
      { seq: 1, type: 'call.entered', call: 'q', op: 'ExecQueryAsync', services: 'svc', sink: 's', flags: 0 },
      { seq: 2, type: 'indicate.entered', cb: 'i', sink: 's', call: 'q', count: 1, held: true, hold, holdBound: 1000 },
      { seq: 3, type: 'hold.released', cb: 'i', by },
    ];
    const accepts = (hold: string, by: string) => {
      const v = new LineValidator();
      try { lines(hold, by).forEach((l, i) => v.accept(l, i + 1)); return true; } catch { return false; }
    };
    expect(accepts('fixed-period', 'timer')).toBe(true);
    expect(accepts('until-cancel', 'watchdog')).toBe(true);
    expect(accepts('until-cancel', 'cancel-returned')).toBe(true);
    expect(accepts('until-cancel', 'timer')).toBe(false);
    expect(accepts('fixed-period', 'watchdog')).toBe(false);
  });
});

describe('specs/trace.schema.json', () => {
  it('is the committed output of npm run gen:schema', () => {
    expect(readFileSync(SCHEMA_PATH, 'utf8')).toBe(traceSchemaText());
  });

  const ajv = new Ajv2020({ strict: true, allErrors: false });
  const validate = ajv.compile(traceSchema());

  it('accepts every line of a trace that the validator accepts', () => {
    const b = new TraceBuilder({ whiteBox: true });
    b.add({ type: 'sink.created', sink: 's' }); b.accept('q', 's', { flags: 0x80 }); b.ind('i', 's', 'q', { held: true }); b.hold('i');
    b.iret('i'); b.cancel('k', 's'); b.add({ type: 'annotation.cancel-processed', cancel: 'k', calls: ['q'] }); b.cret('k');
    b.final('f', 's', 'q', WBEM_E_CALL_CANCELLED); b.add({ type: 'run.end', reason: 'quiescent' });
    const v = new LineValidator();
    b.lines().forEach((l, i) => {
      expect(() => v.accept(l, i + 1)).not.toThrow();
      expect(validate(l), JSON.stringify(validate.errors)).toBe(true);
    });
  });

  it('accepts the fields of format version 2', () => {
    const lines = [
      { seq: 0, type: 'header', format: 'wbemsim-trace', version: 2, recorder: 'recorder', broker: { name: 'b', version: '1' },
        inProcess: true, whiteBox: false, controlCancelLatencyMs: 0.4, settleMs: 500 },
      { seq: 1, type: 'call.entered', call: 'q', op: 'CreateClassEnumAsync', services: 'svc', sink: 's', flags: 0 },
      { seq: 2, type: 'call.entered', call: 'r', op: 'ExecQueryAsync', services: 'svc', sink: 's', flags: 0, query: 'SELECT * FROM Win32_OperatingSystem', language: 'WQL' },
      { seq: 3, type: 'indicate.entered', cb: 'i', sink: 's', count: 1, classes: ['Win32_OperatingSystem'], held: true, hold: 'fixed-period', holdBound: 1500 },
      { seq: 4, type: 'hold.released', cb: 'i', by: 'timer' },
      { seq: 5, type: 'indicate.returned', cb: 'i', ret: 0, call: 'r' },
      { seq: 6, type: 'setstatus.entered', cb: 'f', sink: 's', lFlags: 0, hResult: 0, errorObject: false, hold: 'until-cancel', holdBound: 12 },
      { seq: 7, type: 'setstatus.returned', cb: 'f', ret: 0, call: 'q' },
      { seq: 8, type: 'services.release.entered', services: 'svc' },
      { seq: 9, type: 'services.release.returned', services: 'svc', count: 0 },
      { seq: 10, type: 'broker.idle' },
      { seq: 11, type: 'call.entered', call: 'p', op: 'PutClassAsync', services: 'svc', sink: 's', flags: 0 },
      { seq: 12, type: 'call.entered', call: 'd', op: 'DeleteClassAsync', services: 'svc', sink: 's', flags: 0 },
    ];
    const v = new LineValidator();
    lines.forEach((l, i) => {
      expect(() => v.accept(l, i + 1)).not.toThrow();
      expect(validate(l), JSON.stringify(validate.errors)).toBe(true);
    });
  });

  it('rejects what the validator rejects', () => {
    const bad = [
      { seq: 1, type: 'call.exploded' },
      { seq: 1, type: 'call.returned', call: 'q' },
      { seq: 1, type: 'call.returned', call: 'q', hr: -1 },
      { seq: 1, type: 'call.returned', call: 'q', hr: 0, extra: true },
      { seq: 1, type: 'hold.released', cb: 'i', by: 'nobody' },
      { seq: 1, type: 'indicate.entered', cb: 'i', sink: 's', count: 1, classes: 'Win32_Process' },
      { seq: 1, type: 'indicate.entered', cb: 'i', sink: 's', count: 1, hold: 'forever' },
      { seq: 1, type: 'services.release.returned', services: 'svc', count: 'zero' },
      { seq: 1, type: 'call.entered', call: 'q', op: 'ExecQueryAsync', services: 'svc', sink: 's', flags: 0, query: 7 },
    ];
    for (const l of bad) {
      const v = new LineValidator();
      v.accept(new TraceBuilder().header, 1);
      expect(() => v.accept(l, 2)).toThrow();
      expect(validate(l)).toBe(false);
    }
  });
});
