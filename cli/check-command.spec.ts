/**
 * `wbemsim check`: exit 0 conformant, 1 violated, 2 bad input with one line naming the line and
 * the problem, never a stack trace.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registerCheck } from './check-command.ts';
import { runCommand } from './cli-test-helper.ts';
import { TraceBuilder } from '../specs/trace-builder.ts';

const dir = mkdtempSync(join(tmpdir(), 'wbemsim-check-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

const HEADER = JSON.stringify(new TraceBuilder().header);
const ok = () => { const b = new TraceBuilder(); b.call('q', 's'); b.ret('q'); b.status('f', 's', 'q'); b.sret('f'); b.end(); return b; };

describe('wbemsim check on a well-formed trace', () => {
  it('exits 0 and says conformant', async () => {
    const r = await runCommand(registerCheck, ['check', file('ok.jsonl', ok().text())]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Verdict: CONFORMANT (no must rule violated in this trace)');
    expect(r.stderr).toBe('');
  });

  it('exits 1 on a violation and names rule, events, explanation and citation', async () => {
    const b = new TraceBuilder(); b.call('q', 's'); b.ret('q'); b.status('f1', 's', 'q'); b.sret('f1'); b.status('f2', 's', 'q'); b.sret('f2');
    const r = await runCommand(registerCheck, ['check', file('twice.jsonl', b.text())]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('NOT CONFORMANT');
    expect(r.stdout).toMatch(/violation FINAL-STATUS-ONCE\n  .*second final status.*\n  events: 3, 5   source: /);
    expect(r.stdout).toContain('one and only one call');
  });

  it('prints the JSON shape of wbemsim run with --json', async () => {
    const r = await runCommand(registerCheck, ['check', '--json', file('ok2.jsonl', ok().text())]);
    const j = JSON.parse(r.stdout);
    expect(Object.keys(j)).toEqual(expect.arrayContaining(['conformant', 'runs', 'steps', 'violations', 'warnings', 'lint', 'inconclusive', 'results']));
    expect(j).toMatchObject({ conformant: true, runs: 1, steps: 5 });
    expect(j.results).toHaveLength(73);
  });

  it('makes lint fatal with --fail-on lint, and rejects an unknown outcome with exit 2', async () => {
    const b = ok(); b.cancel('k', 's'); b.cret('k');
    const p = file('lint.jsonl', b.text());
    expect((await runCommand(registerCheck, ['check', p])).code).toBe(0);
    expect((await runCommand(registerCheck, ['check', '--fail-on', 'warning,lint', p])).code).toBe(1);
    const bad = await runCommand(registerCheck, ['check', '--fail-on', 'bogus', p]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('bogus');
  });
});

describe('wbemsim check on a trace with nothing to judge', () => {
  it('exits 2 with one line when the trace has no call', async () => {
    const b = new TraceBuilder(); b.end();
    const r = await runCommand(registerCheck, ['check', file('no-call.jsonl', b.text())]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/nothing to judge \(the trace has no call\.entered event\)/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('wbemsim check on bad input exits 2 with one line naming the problem', () => {
  const cases: [string, string | null, RegExp][] = [
    ['a file that does not exist', null, /no such file/],
    ['an empty file', '', /empty file/],
    ['a line that is not JSON', `${HEADER}\n{"seq":1,`, /line 2: not JSON/],
    ['a line that is not an object', `${HEADER}\n[1,2]`, /line 2: not a JSON object/],
    ['an unknown event type', `${HEADER}\n{"seq":1,"type":"call.exploded"}`, /line 2: unknown event type "call.exploded"/],
    ['a missing required field', `${HEADER}\n{"seq":1,"type":"call.entered","call":"q","op":"ExecQueryAsync","services":"svc","sink":"s"}`, /line 2: call.entered event lacks required field "flags"/],
    ['an ill-typed field', `${HEADER}\n{"seq":1,"type":"call.entered","call":"q","op":"ExecQueryAsync","services":"svc","sink":"s","flags":"0"}`, /line 2: call.entered field "flags" must be an integer/],
    ['sequence numbers out of order', `${HEADER}\n{"seq":2,"type":"marker.no-security"}\n{"seq":2,"type":"marker.no-security"}`, /line 3: seq 2 is not greater than the previous seq 2/],
    ['a first line that is not the header', '{"seq":1,"type":"marker.no-security"}', /line 1: the first line must be the header/],
    ['a callback naming a call never issued', `${HEADER}\n{"seq":1,"type":"indicate.entered","cb":"i","sink":"s","call":"nope","count":1}`, /line 2: indicate.entered names call "nope", which was never issued/],
    ['a callback return never entered', `${HEADER}\n{"seq":1,"type":"indicate.returned","cb":"i","ret":0}`, /line 2: indicate.returned names callback "i", which is not in progress/],
    ['a cancel return never entered', `${HEADER}\n{"seq":1,"type":"cancel.returned","cancel":"k","hr":0}`, /line 2: cancel.returned names cancel "k"/],
    ['a call return never entered', `${HEADER}\n{"seq":1,"type":"call.returned","call":"q","hr":0}`, /line 2: call.returned names call "q"/],
  ];
  for (const [what, text, message] of cases) {
    it(what, async () => {
      const p = text === null ? join(dir, 'missing.jsonl') : file(`${what.replace(/\W+/g, '-')}.jsonl`, text);
      const r = await runCommand(registerCheck, ['check', p]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).not.toMatch(/\bat .*\.ts:\d+/);
    });
  }
});
