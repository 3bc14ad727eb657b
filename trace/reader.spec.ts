/**
 * Reading traces: validation errors name the line, and a large trace streams in bounded memory
 * (the judge's live state stays proportional to the calls open at once).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseTrace, readTrace, TraceInputError } from './reader.ts';
import { createJudge, judgeTrace } from '../specs/judge.ts';
import type { TraceHeader, UnnumberedEvent } from './event.ts';
import { WBEM_E_CALL_CANCELLED } from './hresult.ts';

const dir = mkdtempSync(join(tmpdir(), 'wbemsim-reader-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HEADER: TraceHeader = { seq: 0, type: 'header', format: 'wbemsim-trace', version: 2, recorder: 'simulation', broker: { name: 'gen', version: '1' }, inProcess: true, whiteBox: true };

/** Writes a white-box trace of about `n` events: calls two at a time, every fifth one cancelled. */
export async function writeLargeTrace(path: string, n: number): Promise<number> {
  const out = createWriteStream(path);
  let seq = 0;
  let buf = JSON.stringify(HEADER) + '\n';
  const put = async (e: UnnumberedEvent) => {
    buf += JSON.stringify({ ...e, seq: ++seq }) + '\n';
    if (buf.length > 1 << 16) { if (!out.write(buf)) await once(out, 'drain'); buf = ''; }
  };
  const counts = new Map<string, number>();
  const ref = (sink: string, d: number) => { const c = (counts.get(sink) ?? 1) + d; counts.set(sink, c); return c; };
  for (let i = 0; seq < n; i += 2) {
    const pair = [i, i + 1];
    for (const j of pair) {
      const q = `q${j}`, s = `s${j}`;
      await put({ type: 'call.entered', call: q, op: 'ExecQueryAsync', services: 'svc', sink: s, flags: 0 });
      await put({ type: 'sink.addref', sink: s, count: ref(s, 1), by: 'broker' });
      await put({ type: 'call.returned', call: q, hr: 0 });
    }
    for (const j of pair) {
      const q = `q${j}`, s = `s${j}`;
      await put({ type: 'indicate.entered', cb: `${q}.i`, call: q, sink: s, count: 3 });
      await put({ type: 'indicate.returned', cb: `${q}.i`, ret: 0 });
      let hr = 0;
      if (j % 5 === 0) {
        hr = WBEM_E_CALL_CANCELLED;
        await put({ type: 'cancel.entered', cancel: `k${j}`, services: 'svc', sink: s });
        await put({ type: 'annotation.cancel-processed', cancel: `k${j}`, calls: [q] });
        await put({ type: 'cancel.returned', cancel: `k${j}`, hr: 0 });
      }
      await put({ type: 'annotation.final-decided', call: q, hResult: hr });
      await put({ type: 'setstatus.entered', cb: `${q}.f`, call: q, sink: s, lFlags: 0, hResult: hr, errorObject: false });
      await put({ type: 'setstatus.returned', cb: `${q}.f`, ret: 0 });
      await put({ type: 'sink.release', sink: s, count: ref(s, -1), by: 'broker' });
    }
  }
  await put({ type: 'run.end', reason: 'quiescent' });
  out.end(buf);
  await once(out, 'finish');
  return seq;
}

describe('parseTrace', () => {
  it('names the line of the first bad one', () => {
    const text = `${JSON.stringify(HEADER)}\n\n{"seq":1,"type":"marker.no-security"}\n{"seq":1,"type":"marker.no-security"}\n`;
    expect(() => parseTrace(text)).toThrow(TraceInputError);
    try { parseTrace(text); } catch (e) { expect((e as TraceInputError).line).toBe(4); }
  });

  it('rejects a file of blank lines as empty', () => {
    expect(() => parseTrace('\n\n')).toThrow(/empty trace/);
  });
});

describe('reading a version-1 trace', () => {
  const v1 = [
    { seq: 0, type: 'header', format: 'wbemsim-trace', version: 1, recorder: 'hand', broker: { name: 'b', version: '1' }, inProcess: true, whiteBox: false },
    { seq: 1, type: 'call.entered', call: 'q', op: 'ExecQueryAsync', services: 'svc', sink: 's', flags: 0 },
    { seq: 2, type: 'sink.addref', sink: 's', count: 2, by: 'broker' },
    { seq: 3, type: 'call.returned', call: 'q', hr: 0 },
    { seq: 4, type: 'setstatus.entered', cb: 'f', sink: 's', call: 'q', lFlags: 0, hResult: 0, errorObject: false },
    { seq: 5, type: 'setstatus.returned', cb: 'f', ret: 0 },
    { seq: 6, type: 'services.release', services: 'svc', t: 9 },
    { seq: 7, type: 'run.end', reason: 'quiescent' },
  ];
  const text = v1.map((l) => JSON.stringify(l)).join('\n') + '\n';

  it('reads services.release as both halves of the version-2 pair, at the same seq', async () => {
    const expected = [
      { type: 'services.release.entered', seq: 6, services: 'svc', t: 9 },
      { type: 'services.release.returned', seq: 6, services: 'svc', t: 9 },
    ];
    const lines = parseTrace(text);
    expect(lines[0]).toMatchObject({ type: 'header', version: 1 });
    expect(lines.slice(6, 8)).toEqual(expected);
    expect(lines.map((l) => l.type)).not.toContain('services.release');
    const path = join(dir, 'v1.jsonl');
    writeFileSync(path, text);
    const streamed = [];
    for await (const l of readTrace(path)) streamed.push(l);
    expect(streamed).toEqual(lines);
  });

  it('judges the release as the deadline of RELEASE-AFTER-FINAL, as version 2 does', () => {
    // The broker never releases s although the client released IWbemServices after the call ended.
    const r = judgeTrace(parseTrace(text));
    expect(r.violations.map((f) => f.rule)).toContain('RELEASE-AFTER-FINAL');
  });

  it('accepts services.release only in a version-1 trace', () => {
    const v2 = text.replace('"version":1', '"version":2');
    expect(() => parseTrace(v2)).toThrow(/line 7.*unknown event type "services.release"|unknown event type "services.release"/);
  });
});

describe('streaming a large trace', () => {
  it('checks 200,000 events with live state bounded by the calls open at once', async () => {
    const path = join(dir, 'large.jsonl');
    const n = await writeLargeTrace(path, 200_000);
    const judge = createJudge();
    let maxCalls = 0, maxSinks = 0, maxCallbacks = 0, count = 0;
    const heap0 = process.memoryUsage().heapUsed;
    let heapMax = heap0;
    for await (const line of readTrace(path)) {
      if (line.type === 'header') { judge.begin(line); continue; }
      judge.event(line);
      if (++count % 5000 === 0) {
        const f = judge.footprint();
        maxCalls = Math.max(maxCalls, f.calls); maxSinks = Math.max(maxSinks, f.sinks); maxCallbacks = Math.max(maxCallbacks, f.callbacks);
        heapMax = Math.max(heapMax, process.memoryUsage().heapUsed);
      }
    }
    const r = judge.finish();
    expect(count).toBe(n);
    expect(r.violations).toEqual([]);
    expect(r.conformant).toBe(true);
    expect(maxCalls).toBeLessThanOrEqual(2);
    expect(maxSinks).toBeLessThanOrEqual(2);
    expect(maxCallbacks).toBeLessThanOrEqual(1);
    // The file is ~25 MB; keeping its events would cost far more than this.
    expect(heapMax - heap0).toBeLessThan(150 * 1024 * 1024);
  });
});
