/**
 * The recordings of Wine 8.0 committed as fixtures (recorder/fixtures/wine-8.0, refreshed by
 * `npm run record:update`) are judged again here, without Wine, and every rule's verdict of every
 * scenario must be the pinned one (or one of the set a documented benign race allows). The
 * deviations of IMPLEMENTATIONS.md section 1 that a client can observe must be convicted, and no
 * legal freedom flagged.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkTraceFile } from '../cli/check-command.ts';
import { runCli } from '../cli/cli-test-helper.ts';
import { RULES } from '../specs/rules.ts';
import type { JudgeResult } from '../specs/judge.ts';
import { allowed, compareWithPinned, FIXTURE_DIR, normalise, readPinned, RECORDER_SOURCE, RECORDING_SCENARIOS, verdictsOf } from './record.ts';

const pinned = readPinned();
const recorded = RECORDING_SCENARIOS.filter((s) => !(s in pinned.unavailable));
const judged = new Map<string, JudgeResult>();
async function judge(s: string): Promise<JudgeResult> {
  if (!judged.has(s)) judged.set(s, await checkTraceFile(join(FIXTURE_DIR, `${s}.jsonl`)));
  return judged.get(s)!;
}

describe('the recorder', () => {
  it('runs exactly the scenarios wbemsim record lists, in the same order', () => {
    const table = readFileSync(RECORDER_SOURCE, 'utf8').match(/static const struct scenario scenarios\[\] = \{([\s\S]*?)\n\};/)![1]!;
    expect([...table.matchAll(/\{"([a-z-]+)",/g)].map((m) => m[1])).toEqual([...RECORDING_SCENARIOS]);
  });

  it('normalises thread ids to T1, T2, … in order of appearance and times to whole milliseconds', () => {
    const raw = '{"seq":0,"type":"header"}\r\n{"seq":1,"type":"sink.created","t":81.457,"thread":"256","sink":"A"}\r\n' +
      '{"seq":2,"type":"indicate.entered","t":81.5,"thread":"264","cb":"cb1"}\r\n{"seq":3,"type":"run.end","t":90.2,"thread":"256"}\r\n';
    expect(normalise(raw)).toBe('{"seq":0,"type":"header"}\n{"seq":1,"type":"sink.created","t":81,"thread":"T1","sink":"A"}\n' +
      '{"seq":2,"type":"indicate.entered","t":82,"thread":"T2","cb":"cb1"}\n{"seq":3,"type":"run.end","t":90,"thread":"T1"}\n');
  });
});

describe('Wine 8.0 fixtures', () => {
  it('has a fixture for every scenario Wine can run, and a reason for each it cannot', () => {
    expect(Object.keys(pinned.unavailable)).toEqual(['unsecured-apartment']);
    expect(pinned.unavailable['unsecured-apartment']).toContain('0x80040154');
    for (const s of recorded) expect(existsSync(join(FIXTURE_DIR, `${s}.jsonl`)), s).toBe(true);
    expect(Object.keys(pinned.verdicts).sort()).toEqual([...recorded].sort());
  });

  it('are black-box recordings of wine-wbemprox 8.0: no annotation, no provider event, the control latency and settle period measured', () => {
    for (const s of recorded) {
      const lines = readFileSync(join(FIXTURE_DIR, `${s}.jsonl`), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines[0]).toMatchObject({ recorder: 'recorder', whiteBox: false, inProcess: true, broker: { name: 'wine-wbemprox', version: '8.0' }, settleMs: 200 });
      expect(typeof lines[0]!.controlCancelLatencyMs).toBe('number');
      expect(lines.filter((e) => /^(annotation|provider)\./.test(String(e.type))), s).toEqual([]);
    }
  });

  it('documents the race behind every rule pinned to a set of verdicts', () => {
    for (const [s, pin] of Object.entries(pinned.verdicts)) {
      for (const [rule, v] of Object.entries(pin)) if (Array.isArray(v)) expect(pinned.races[s], `${s} ${rule}`).toMatch(/\w/);
    }
  });

  it.each(recorded)('%s: every rule gets its pinned verdict', async (s) => {
    const r = await judge(s);
    expect(r.results.map((x) => x.rule)).toEqual(RULES.map((x) => x.id));
    expect(compareWithPinned(pinned, s, verdictsOf(r))).toEqual([]);
  });

  // IMPLEMENTATIONS.md section 1, each deviation a client can observe, convicted from its recording.
  const convictions: [string, string, 'violated'][] = [
    ['cancel-held-indicate', 'CANCEL-DOES-NOT-WAIT-FOR-CLIENT', 'violated'],
    ['cancel-held-indicate', 'CANCELLED-STATUS', 'violated'],
    ['cancel-held-indicate', 'NO-CALLBACKS-AFTER-CANCEL', 'violated'],
    ['cancel-unused-sink', 'CANCEL-UNKNOWN-SINK-ERROR', 'violated'],
    ['cancel-unused-sink', 'CANCEL-SPARES-OTHER-SINKS', 'violated'],
    ['cancel-other-calls-sink', 'CANCEL-SPARES-OTHER-SINKS', 'violated'],
    ['second-call-while-running', 'OVERLAPPING-CALLS-ACCEPTED', 'violated'],
    ['second-call-after-finish', 'SEQUENTIAL-CALLS-ACCEPTED', 'violated'],
    ['query-complete', 'RELEASE-PROMPTLY', 'violated'],
    ['cancel-in-indicate', 'CANCEL-FROM-SINK-NOT-OPERATIONAL', 'violated'],
    ['cancel-in-setstatus', 'CANCEL-FROM-SINK-NOT-OPERATIONAL', 'violated'],
    ['notification-ends-ok', 'NOTIFICATION-NEVER-COMPLETES', 'violated'],
    ['indicate-fails', 'SINK-ERROR-CANCELS', 'violated'],
    ['start-null-query', 'FINAL-STATUS-ONCE', 'violated'],
    ['start-null-query', 'BROKER-HOLDS-SINK', 'violated'],
  ];
  it.each(convictions)('%s convicts %s', async (s, rule, verdict) => {
    expect(verdictsOf(await judge(s))[rule]).toBe(verdict);
    expect(allowed(pinned.verdicts[s], rule)).toEqual([verdict]);
  });

  // What section 1 says Wine keeps, and the freedoms it uses: never flagged.
  const kept: [string, string, string][] = [
    ['cancel-null', 'CANCEL-UNKNOWN-SINK-ERROR', 'held'],
    ['cancel-null', 'CANCEL-INVALID-PARAMETER-CODE', 'held'],
    ['start-null-sink', 'NULL-SINK-REJECTED', 'held'],
    ['start-unsupported', 'START-FAILURE-NO-CALLBACKS', 'held'],
    ['query-complete', 'ONE-CALLBACK-AT-A-TIME', 'held'],
    ['query-complete', 'NO-EMPTY-INDICATE', 'held'],
    ['query-complete', 'STATUS-FLAGS-VALID', 'held'],
    ['query-complete', 'RELEASE-AFTER-FINAL', 'held'],
    ['start-syntax-error', 'FINAL-WITHOUT-INDICATE', 'used'],
    ['notification-cancel', 'NOTIFICATION-NEVER-COMPLETES', 'held'],
    ['cancel-after-complete-twice', 'CANCEL-AFTER-END-MAY-SUCCEED', 'used'],
  ];
  it.each(kept)('%s: %s is %s', async (s, rule, verdict) => {
    expect(verdictsOf(await judge(s))[rule]).toBe(verdict);
  });

  it('flags no legal freedom: completion without CoInitializeSecurity, zero progress statuses, a final status without Indicate, a successful cancel after completion', async () => {
    for (const s of ['no-security', 'send-status', 'start-syntax-error', 'cancel-after-complete-twice', 'notification-cancel']) {
      const r = await judge(s);
      expect(r.violations.map((f) => f.rule), s).toEqual([]);
    }
    expect(verdictsOf(await judge('no-security'))['NO-SECURITY-NO-COMPLETION']).not.toBe('violated');
    expect(verdictsOf(await judge('send-status'))['PROGRESS-ONLY-IF-ASKED']).not.toBe('violated');
  });
});

describe('wbemsim record without its tools', () => {
  it('exits 2 with one line naming the apt-get command when wine is missing', async () => {
    const path = process.env.PATH;
    const cache = process.env.WBEMSIM_CACHE;
    process.env.PATH = mkdtempSync(join(tmpdir(), 'wbemsim-nopath-'));
    process.env.WBEMSIM_CACHE = mkdtempSync(join(tmpdir(), 'wbemsim-cache-'));
    try {
      const r = await runCli('record', '--scenario', 'query-complete');
      expect(r.code).toBe(2);
      expect(r.err.trim().split('\n')).toHaveLength(1);
      expect(r.err).toContain('apt-get install -y wine wine64 gcc-mingw-w64-x86-64');
    } finally {
      process.env.PATH = path;
      if (cache === undefined) delete process.env.WBEMSIM_CACHE;
      else process.env.WBEMSIM_CACHE = cache;
    }
  });

  it('exits 2 naming the nearest scenario for a misspelt one', async () => {
    const r = await runCli('record', '--scenario', 'query-compete');
    expect(r.code).toBe(2);
    expect(r.err).toContain('did you mean query-complete?');
  });
});
