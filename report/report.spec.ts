/**
 * The reports: every rendering reads the one decided outcome, untrusted text renders as text,
 * result.json follows its schema and reads back, and the diagram draws the offending events.
 */
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decideOutcome } from './result.ts';
import { RESULT_FORMAT, RESULT_VERSION, verdictOf, type ReportResult } from './report-result.ts';
import { renderAll } from './write-report.ts';
import { resultProblem } from './read-result.ts';
import { sequenceDiagram } from './sequence-diagram.ts';
import { runCli } from '../cli/cli-test-helper.ts';
import type { TraceLine } from '../trace/event.ts';

const dir = mkdtempSync(join(tmpdir(), 'wbemsim-report-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

const EVIL = '<script>alert(1)</script>';

/** A small trace: a call on a sink, a cancel, and a final status of S_OK after the cancel. */
function trace(call = 'c1'): TraceLine[] {
  return [
    { seq: 0, type: 'header', format: 'wbemsim-trace', version: 2, recorder: 'simulation', broker: { name: EVIL, version: '1' }, seed: 1, workload: 'w' },
    { seq: 1, type: 'sink.created', sink: 's1', t: 0 },
    { seq: 2, type: 'call.entered', call, op: 'ExecQueryAsync', services: 'svc1', sink: 's1', flags: 0, thread: `client:${call}`, t: 1 },
    { seq: 3, type: 'call.returned', call, hr: 0, thread: `client:${call}`, t: 2 },
    { seq: 4, type: 'cancel.entered', cancel: 'k1', services: 'svc1', sink: 's1', thread: 'client:k1', t: 3 },
    { seq: 5, type: 'annotation.cancel-processed', cancel: 'k1', calls: [call], t: 4 },
    { seq: 6, type: 'setstatus.entered', cb: `${call}#1f`, sink: 's1', call, lFlags: 0, hResult: 0, errorObject: false, thread: `sink:${call}#1f`, t: 5 },
    { seq: 7, type: 'setstatus.returned', cb: `${call}#1f`, ret: 0, thread: `sink:${call}#1f`, t: 6 },
    { seq: 8, type: 'cancel.returned', cancel: 'k1', hr: 0, thread: 'client:k1', t: 7 },
  ] as unknown as TraceLine[];
}

function result(over: Partial<ReportResult> = {}, violations = 1): ReportResult {
  const findings: ReportResult['findings'] = violations ? [{
    class: 'violation', rule: 'CANCELLED-STATUS', kind: 'must', party: 'broker', workload: EVIL, runs: 3, steps: 8, events: [4, 6],
    explanation: `the status of ${EVIL} carried S_OK`, citation: { page: `page ${EVIL}`, seed: '000_x.txt', phrase: `phrase ${EVIL}` }, replay: 'wbs1.x', witness: 0,
  }] : [];
  return {
    format: RESULT_FORMAT, version: RESULT_VERSION, command: 'run',
    outcome: decideOutcome({ violations: findings.filter((f) => f.class === 'violation'), runs: 3 }),
    summary: { impl: `stdio:${EVIL}`, strategy: 'random', seed: 1, workloads: [EVIL], runs: 3, steps: 24, rulesChecked: 2, rulesExercised: 1 },
    coverage: { reachedStates: ['lifecycle.pending', 'lifecycle.cancelled', 'callback.idle'], statesTotal: 34, transitions: 3, transitionsTotal: 65, unreachedTransitions: [EVIL] },
    findings,
    rules: [
      { rule: 'CANCELLED-STATUS', kind: 'must', party: 'broker', verdict: violations ? 'violated' : 'held', summary: 's' },
      { rule: 'PROGRESS-MAY', kind: 'may', party: 'broker', verdict: 'not exercised', reason: `no progress ${EVIL}`, summary: 's' },
    ],
    advice: [EVIL], brokerFailures: [], witnesses: [{ source: 'wbs1.x', workload: EVIL, events: trace(EVIL) }], wall: { ms: 5 },
    ...over,
  };
}

describe('every rendering reads the one decided outcome', () => {
  it('says NOT CONFORMANT in HTML, Markdown and JUnit exactly when the outcome says so, whatever the findings', () => {
    // The outcome is flipped against the findings: a renderer deciding for itself would disagree.
    const flippedBad = result({ outcome: { ...decideOutcome({ violations: [], runs: 3 }), conformant: false } }, 0);
    const flippedGood = result({ outcome: decideOutcome({ violations: [], runs: 3 }) }, 1);
    expect(verdictOf(flippedBad).word).toBe('NOT CONFORMANT');
    expect(verdictOf(flippedGood).word).toBe('CONFORMANT');
    const bad = renderAll(flippedBad);
    const good = renderAll(flippedGood);
    expect(bad['index.html']).toContain('id="verdict">NOT CONFORMANT<');
    expect(good['index.html']).toContain('id="verdict">CONFORMANT<');
    expect(bad['report.md']).toMatch(/^## wbemsim report: NOT CONFORMANT$/m);
    expect(good['report.md']).toMatch(/^## wbemsim report: CONFORMANT$/m);
    expect(bad['junit.xml']).toContain('name="verdict" value="NOT CONFORMANT"');
    expect(good['junit.xml']).toContain('name="verdict" value="CONFORMANT"');
    expect(JSON.parse(bad['result.json']).outcome.conformant).toBe(false);
    expect(JSON.parse(good['result.json']).outcome.conformant).toBe(true);
  });

  it('keeps rules violated apart from findings: one rule in two workloads is 1 rule, not 2', () => {
    const r = result();
    r.findings.push({ ...r.findings[0]!, workload: 'other' });
    expect(verdictOf(r).detail).toBe('1 must rule violated, in 2 workloads');
    expect(renderAll(r)['index.html']).toContain('1 rule, 2 findings');
  });

  it('says a conformant run is conformant and still shows coverage', () => {
    const files = renderAll(result({}, 0));
    expect(files['index.html']).toContain('this run is conformant');
    expect(files['index.html']).toMatch(/<svg[^>]*class="machine"/);
    expect(files['index.html']).toContain('data-state="pending"');
    expect(files['report.md']).toContain('### Coverage of the lifecycle machine');
  });
});

describe('text from a trace or an implementation renders as text', () => {
  it('never lets a <script> through, in any rendering', () => {
    const files = renderAll(result());
    for (const name of ['index.html', 'report.md', 'junit.xml'] as const) {
      expect(files[name], name).not.toMatch(/<script/i);
      expect(files[name], name).toContain('&lt;script&gt;');
    }
    // No external resource either: the HTML is self-contained.
    expect(files['index.html']).not.toMatch(/\b(src|href)="(https?:)?\/\//);
  });
});

describe('the sequence diagram', () => {
  it('has a lane per actor and draws each offending event as a highlighted element with its sequence number', () => {
    const svg = sequenceDiagram(trace(), new Set([4, 6]));
    for (const lane of ['client c1', 'client k1', 'sink s1', 'broker']) expect(svg).toContain(`>${lane}</text>`);
    expect(svg).toMatch(/<g class="ev call hl" data-seq="4">/);
    expect(svg).toMatch(/<g class="ev call hl" data-seq="6">/);
    expect(svg).not.toMatch(/class="[^"]*hl[^"]*" data-seq="5"/);
    // The call's lifecycle state along its lane, from the lifecycle machine.
    expect(svg).toContain('c1: pending');
    expect(svg).toContain('c1: cancelled');
  });
});

describe('result.json', () => {
  it('follows report/result.schema.json, and the schema refuses what is not a result', () => {
    expect(resultProblem(JSON.parse(renderAll(result())['result.json']))).toBeUndefined();
    expect(resultProblem({ ...result(), version: 2 })).toBeDefined();
    expect(resultProblem({ ...result(), outcome: { conformant: true } })).toBeDefined();
  });

  it('run --report writes the four files, embeds the witness, and `wbemsim report` renders it again without the broker', async () => {
    const out = join(dir, 'run');
    const r = await runCli('run', '--impl', 'mutant:planted-race', '--workload', 'three-queries-one-sink', '--runs', '30', '--report', out);
    expect(r.code).toBe(1);
    const j = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8'));
    expect(resultProblem(j)).toBeUndefined();
    expect(j.outcome.conformant).toBe(false);
    const f = j.findings.find((x: { rule: string }) => x.rule === 'CANCELLED-STATUS');
    const w = j.witnesses[f.witness];
    expect(w.source).toBe(f.replay);
    for (const seq of f.events) expect(w.events.some((e: { seq: number }) => e.seq === seq)).toBe(true);
    const html = readFileSync(join(out, 'index.html'), 'utf8');
    for (const seq of f.events) expect(html).toMatch(new RegExp(`<g class="ev [a-z]+ hl" data-seq="${seq}">`));
    expect(readFileSync(join(out, 'junit.xml'), 'utf8')).toMatch(/<testcase [^>]*name="CANCELLED-STATUS"><failure /);
    const again = join(dir, 'again');
    const rr = await runCli('report', join(out, 'result.json'), '--out', again);
    expect(rr.code).toBe(1);
    expect(readFileSync(join(again, 'index.html'), 'utf8')).toBe(html);
  });

  it('is the same for the same options, byte for byte, but for `wall`', async () => {
    const read = async (name: string) => {
      const out = join(dir, name);
      await runCli('run', '--impl', 'mutant:late-callbacks', '--workload', 'three-queries-one-sink', '--runs', '10', '--report', out);
      const j = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8'));
      expect(j.wall.ms).toBeGreaterThanOrEqual(0);
      return { json: JSON.stringify({ ...j, wall: undefined }), html: readFileSync(join(out, 'index.html'), 'utf8') };
    };
    const a = await read('det-a');
    const b = await read('det-b');
    expect(b.json).toBe(a.json);
    expect(b.html).toBe(a.html);
  });

  it('is bad input to `wbemsim report` when it is not a result: exit 2, one line', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ format: RESULT_FORMAT, version: RESULT_VERSION, command: 'run' }));
    const r = await runCli('report', bad, '--out', join(dir, 'x'));
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toContain('not a valid result');
    const file = join(dir, 'file');
    writeFileSync(file, '');
    expect((await runCli('run', '--report', file)).code).toBe(2);
  });
});

describe('--report on check, explore and mutants', () => {
  it('check --report: a conformant recorded trace says so, with the coverage its events reach', async () => {
    const out = join(dir, 'check');
    const r = await runCli('check', 'specs/testdata/legal-lost-race-after-cancel-returned.jsonl', '--report', out);
    expect(r.code).toBe(0);
    const j = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8'));
    expect(resultProblem(j)).toBeUndefined();
    expect(j.command).toBe('check');
    expect(j.coverage.reachedStates).toContain('lifecycle.pending');
    expect(readFileSync(join(out, 'index.html'), 'utf8')).toContain('id="verdict">CONFORMANT<');
  });

  it('explore --report: the lifecycle machine\'s coverage, as run\'s report has it', async () => {
    const out = join(dir, 'explore');
    const r = await runCli('explore', '--workload', 'held-query-cancel', '--report', out);
    expect(r.code).toBe(0);
    const j = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8'));
    expect(resultProblem(j)).toBeUndefined();
    expect(j.command).toBe('explore');
    expect(j.coverage.reachedStates).toContain('lifecycle.cancelled');
    expect(j.coverage.statesTotal).toBeGreaterThan(j.coverage.reachedStates.length - 1);
    expect(j.coverage.transitions).toBeGreaterThan(0);
    expect(j.coverage.transitionsTotal).toBe(j.coverage.transitions + j.coverage.unreachedTransitions.length);
    expect(readFileSync(join(out, 'index.html'), 'utf8')).toContain('Coverage of the lifecycle machine');
  });

  it('mutants --report: each caught mutant with the events of its catching run drawn, shrunk', async () => {
    const out = join(dir, 'mutants');
    const r = await runCli('mutants', '--only', 'double-final', '--report', out);
    expect(r.code).toBe(0);
    const j = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8'));
    expect(resultProblem(j)).toBeUndefined();
    const f = j.findings[0];
    expect(f.rule).toBe('FINAL-STATUS-ONCE');
    expect(f.events.length).toBeGreaterThan(0);
    const html = readFileSync(join(out, 'index.html'), 'utf8');
    for (const seq of f.events) expect(html).toMatch(new RegExp(`data-seq="${seq}"`));
    expect(readFileSync(join(out, 'junit.xml'), 'utf8')).toMatch(/<testcase [^>]*name="double-final">/);
    expect(f.shrink.after.steps).toBeLessThan(f.shrink.before.steps);
    expect(j.mutants[0].shrink).toEqual(f.shrink);
    expect(html).toContain('The witness was shrunk from');
  });
});
