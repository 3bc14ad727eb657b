/**
 * Attribution on shared sinks (RULES.md item 2): callbacks without a call id are attributed every
 * way the trace allows, each rule is judged under every attribution, and the verdicts fold like
 * placements; clues prune, and a cap turns the search into `inconclusive (attribution bound)`.
 */
import { describe, expect, it } from 'vitest';
import { WBEM_FLAG_SEND_STATUS } from '../trace/hresult.ts';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTrace } from '../trace/reader.ts';
import { judgeAttributions, queryClass } from './attribution.ts';
import { TraceBuilder, verdictOf } from './trace-builder.ts';

/** Two queries on one sink s, both accepted. */
function twoCalls(o: { q1?: string; q2?: string; flags1?: number; thread2?: string; return2?: boolean } = {}): TraceBuilder {
  const b = new TraceBuilder({ recorder: 'recorder' });
  b.call('q1', 's', { ...(o.q1 ? { query: o.q1 } : {}), flags: o.flags1 ?? 0 }); b.ret('q1');
  b.call('q2', 's', { ...(o.q2 ? { query: o.q2 } : {}), ...(o.thread2 ? { thread: o.thread2 } : {}) });
  if (o.return2 !== false) b.ret('q2');
  return b;
}

describe('attribution on a shared sink', () => {
  it('is violated when every attribution breaks the rule: three final statuses for two calls', () => {
    const b = twoCalls();
    b.status('f1', 's', undefined); b.sret('f1'); b.status('f2', 's', undefined); b.sret('f2');
    b.status('f3', 's', undefined); b.sret('f3'); b.end('recording-end');
    expect(verdictOf(b.judge(), 'FINAL-STATUS-ONCE')).toBe('violated');
  });

  it('is inconclusive, with the reason, when only some attributions break the rule', () => {
    const b = twoCalls();
    b.status('f1', 's', 'q1'); b.sret('f1');
    b.ind('i', 's', undefined); b.iret('i');
    b.status('f2', 's', 'q2'); b.sret('f2'); b.end('recording-end');
    const r = b.judge();
    const res = r.results.find((x) => x.rule === 'NOTHING-AFTER-FINAL')!;
    expect(res.verdict).toBe('inconclusive');
    expect(res.reason).toMatch(/attribution/);
    expect(res.reason).toMatch(/violated under 1, held under 1 of 2 attributions/);
  });

  it('is not held from one guessed attribution of a progress status', () => {
    const b = twoCalls({ flags1: WBEM_FLAG_SEND_STATUS });
    b.status('p', 's', undefined, 0x00010001, { lFlags: 2 }); b.sret('p');
    b.status('f1', 's', 'q1'); b.sret('f1'); b.status('f2', 's', 'q2'); b.sret('f2'); b.end('recording-end');
    expect(verdictOf(b.judge(), 'PROGRESS-ONLY-IF-ASKED')).toBe('inconclusive');
  });

  describe('clues prune the attributions', () => {
    /** The Indicate after q1 ended is q2's when a clue says so; NOTHING-AFTER-FINAL is then decided. */
    const after = (b: TraceBuilder, ind: (b: TraceBuilder) => void) => {
      b.status('f1', 's', 'q1'); b.sret('f1'); ind(b); b.status('f2', 's', 'q2'); b.sret('f2'); b.end('recording-end');
      return verdictOf(b.judge(), 'NOTHING-AFTER-FINAL');
    };

    it('by the classes of the objects against each call\'s query', () => {
      const b = twoCalls({ q1: 'SELECT * FROM Win32_Service', q2: "SELECT Name FROM Win32_Process WHERE Name = 'x'" });
      expect(after(b, (b) => { b.ind('i', 's', undefined, { classes: ['Win32_Process'] }); b.iret('i'); })).toBe('held');
    });

    it('by the thread of a call whose method has not returned', () => {
      const b = twoCalls({ thread2: 'T2', return2: false });
      expect(after(b, (b) => { b.ind('i', 's', undefined, { thread: 'T2' }); b.iret('i'); b.ret('q2'); })).toBe('held');
    });

    it('by a call named on the returned event', () => {
      const b = twoCalls();
      expect(after(b, (b) => { b.ind('i', 's', undefined); b.add({ type: 'indicate.returned', cb: 'i', ret: 0, call: 'q2' }); })).toBe('held');
    });

    it('and a query other than SELECT … FROM excludes nothing', () => {
      const b = twoCalls({ q1: 'ASSOCIATORS OF {Win32_Service.Name="x"}', q2: 'SELECT * FROM Win32_Process' });
      expect(after(b, (b) => { b.ind('i', 's', undefined, { classes: ['Win32_Process'] }); b.iret('i'); })).toBe('inconclusive');
    });
  });

  it('gives up beyond 10,000 attributions: inconclusive (attribution bound)', () => {
    const b = twoCalls();
    for (let i = 0; i < 14; i++) { b.ind(`i${i}`, 's', undefined); b.iret(`i${i}`); }
    b.status('f1', 's', 'q1'); b.sret('f1'); b.status('f2', 's', 'q2'); b.sret('f2'); b.end('recording-end');
    const res = b.judge().results.find((x) => x.rule === 'ONE-CALLBACK-AT-A-TIME')!;
    expect(res.verdict).toBe('inconclusive');
    expect(res.reason).toMatch(/^inconclusive \(attribution bound\)/);
  });
});

describe('judging a trace file (wbemsim check)', () => {
  it('searches the attributions over repeated reads of the file', async () => {
    const b = twoCalls();
    b.status('f1', 's', undefined); b.sret('f1'); b.status('f2', 's', undefined); b.sret('f2');
    b.status('f3', 's', undefined); b.sret('f3'); b.end('recording-end');
    const dir = mkdtempSync(join(tmpdir(), 'wbemsim-attr-'));
    try {
      const path = join(dir, 't.jsonl');
      writeFileSync(path, b.text());
      const r = await judgeAttributions(() => readTrace(path));
      expect(verdictOf(r, 'FINAL-STATUS-ONCE')).toBe('violated');
      expect(r.conformant).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a long unattributed shared-sink trace', () => {
  it('is judged within the bound: its attributions are not enumerated, its verdicts say why', async () => {
    // 3,000 sequential queries on one sink, every callback without a call id.
    const b = new TraceBuilder({ recorder: 'recorder' });
    for (let i = 0; i < 3000; i++) {
      b.call(`q${i}`, 's'); b.ret(`q${i}`); b.ind(`i${i}`, 's', undefined); b.iret(`i${i}`);
      b.status(`f${i}`, 's', undefined); b.sret(`f${i}`);
    }
    b.end('recording-end');
    const dir = mkdtempSync(join(tmpdir(), 'wbemsim-attr-'));
    try {
      const path = join(dir, 'long.jsonl');
      writeFileSync(path, b.text());
      let reads = 0;
      const r = await judgeAttributions(() => { reads++; return readTrace(path); });
      // Plan (two reads) and one judgement: no enumeration past the cap.
      expect(reads).toBe(3);
      const res = r.results.find((x) => x.rule === 'NOTHING-AFTER-FINAL')!;
      expect(res.verdict).toBe('inconclusive');
      expect(res.reason).toMatch(/^inconclusive \(attribution bound\)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('many shared sinks, each with a few attributions', () => {
  it('reads the trace no more often than the work bound allows; the sinks that do not fit say attribution bound', async () => {
    // 200 sinks, each shared by two queries whose final statuses name no call: 2 attributions a
    // sink, 2^200 in all. Without a bound on the work, the search would read the trace until the
    // per-trace cap (10,000 reads).
    const b = new TraceBuilder({ recorder: 'recorder' });
    for (let i = 0; i < 200; i++) {
      b.call(`a${i}`, `s${i}`); b.ret(`a${i}`); b.call(`b${i}`, `s${i}`); b.ret(`b${i}`);
      b.status(`fa${i}`, `s${i}`, undefined); b.sret(`fa${i}`); b.status(`fb${i}`, `s${i}`, undefined); b.sret(`fb${i}`);
    }
    b.end('recording-end');
    const events = b.lines().length - 1;
    let reads = 0;
    const lines = b.lines();
    const r = await judgeAttributions(() => { reads++; return lines; }, { attributionWork: events * 8 });
    // The plan (two reads) and at most 8 judgements.
    expect(reads).toBeLessThanOrEqual(2 + 8);
    expect(reads).toBeGreaterThan(3);
    const res = r.results.find((x) => x.rule === 'FINAL-STATUS-ONCE')!;
    expect(res.verdict).not.toBe('violated');
  });
});

describe('queryClass', () => {
  it('parses only SELECT … FROM <Class>', () => {
    expect(queryClass('SELECT * FROM Win32_Process', undefined)).toBe('win32_process');
    expect(queryClass('select Name, Handle from Win32_Process where Handle > 4', 'WQL')).toBe('win32_process');
    expect(queryClass('SELECT * FROM __InstanceCreationEvent WITHIN 1 WHERE TargetInstance ISA "Win32_Process"', 'WQL')).toBe('__instancecreationevent');
    expect(queryClass('ASSOCIATORS OF {Win32_Service.Name="x"}', 'WQL')).toBeNull();
    expect(queryClass('SELECT * FROM Win32_Process', 'XQL')).toBeNull();
    expect(queryClass(undefined, undefined)).toBeNull();
  });
});
