/**
 * The text of every command is rendered from its ReportResult alone, ends with the verdict
 * `verdictOf` gives, and says what it means: rules counted apart from findings, true counts,
 * inconclusive verdicts with their reasons, `p` and `d` in words.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Finding } from '../specs/check.ts';
import type { JudgeResult } from '../specs/judge.ts';
import { ruleInfo } from '../specs/rules.ts';
import { runCli } from '../cli/cli-test-helper.ts';
import { resultOfCheck, verdictLine, verdictOf, type ReportResult } from './report-result.ts';
import { resultOfZoo } from './results-of-runs.ts';
import { checkText, MOMENTS_LEGEND, mutantsText, replayText, textOf } from './text.ts';

const finding = (rule: string, explanation: string, events: number[]): Finding => {
  const info = ruleInfo(rule);
  return { rule, kind: info.kind, party: info.party, verdict: 'violated', events, citation: info.citation, explanation };
};

/** A judged trace: one rule violated twice, one lint finding shown and four more counted, an inconclusive finding, a bare inconclusive verdict. */
function judged(): JudgeResult {
  const v1 = finding('FINAL-STATUS-ONCE', 'call q got a second final status.', [3, 5]);
  const v2 = finding('FINAL-STATUS-ONCE', 'call r got a second final status.', [7, 9]);
  const lint = finding('LINT-ONE-SINK-PER-CALL', 'call c1 shares its sink with call c2.', [2]);
  const inc = { ...finding('CANCELLED-STATUS', 'the final status came at event 8; p at 6 or later would break it.', [8]), verdict: 'inconclusive' } as Finding;
  const rr = (rule: string, verdict: string, findings: Finding[], extra: object = {}) => ({ rule, kind: ruleInfo(rule).kind, party: ruleInfo(rule).party, verdict, findings, ...extra });
  return {
    conformant: false, events: 12, advice: [],
    violations: [v1, v2], warnings: [], lint: [lint], inconclusive: [inc],
    results: [
      rr('FINAL-STATUS-ONCE', 'violated', [v1, v2]),
      rr('LINT-ONE-SINK-PER-CALL', 'violated', [lint], { more: 4 }),
      rr('CANCELLED-STATUS', 'inconclusive', [inc]),
      rr('CANCEL-DOES-NOT-WAIT-FOR-CLIENT', 'inconclusive', [], { reason: 'the cancel returned after the watchdog let a held callback go' }),
      rr('RELEASE-AFTER-FINAL', 'not exercised', [], { reason: 'no call ended' }),
    ],
  } as unknown as JudgeResult;
}

/** The lines of a text that give a verdict. */
const verdictLines = (text: string) => text.split('\n').filter((l) => /^Verdict\b/.test(l));

describe('check\'s text', () => {
  const r = resultOfCheck('t.jsonl', judged(), [], undefined, false);
  const text = checkText(r);

  it('counts rules violated apart from findings, and lint findings truly (those not shown too)', () => {
    expect(text.split('\n')[0]).toBe('t.jsonl: 12 events; 1 rule violated (2 findings), 0 warnings, 5 lint findings, 1 inconclusive');
    expect(r.outcome.lint).toBe(5);
    expect(text).toContain('(LINT-ONE-SINK-PER-CALL: 4 more finding(s) not shown)');
  });

  it('lists each inconclusive finding with its reason, and a rule-level inconclusive verdict without a finding', () => {
    expect(text).toContain('inconclusive CANCELLED-STATUS\n  the final status came at event 8; p at 6 or later would break it.');
    expect(text).toContain('inconclusive CANCEL-DOES-NOT-WAIT-FOR-CLIENT: the cancel returned after the watchdog let a held callback go');
  });

  it('says what p and d stand for when an explanation speaks of them', () => {
    expect(text).toContain(`(${MOMENTS_LEGEND})`);
    expect(MOMENTS_LEGEND).toContain('p = the moment the broker processed the cancel');
  });

  it('ends with the verdict verdictOf gives, naming the rule of the one trace', () => {
    expect(verdictLines(text)).toEqual(['Verdict: NOT CONFORMANT (1 must rule violated: FINAL-STATUS-ONCE)']);
    expect(verdictLines(text)).toEqual([verdictLine(r)]);
  });
});

describe('replay\'s text', () => {
  it('writes its findings with the one finding formatter (source included), a rejection in words, p and d explained', () => {
    const f = finding('CANCELLED-STATUS', 'At event 55 the broker called the final status; p at 40.', [55]);
    const r: ReportResult = {
      ...resultOfCheck('-', { ...judged(), violations: [f], lint: [], inconclusive: [], results: [] } as unknown as JudgeResult, [], undefined, false),
      command: 'replay',
      replay: { token: 'wbs2.a.b', workload: 'mixed', strategy: 'random', seed: 3, steps: 28, end: { reason: 'quiescent' } },
    };
    r.findings.push({ ...r.findings[0]!, rule: 'FINAL-STATUS-ONCE', explanation: 'a second final status came while the call was already finished (FINAL-STATUS-ONCE)', by: 'monitor' });
    const text = replayText(r);
    expect(text).toContain(`  VIOLATED CANCELLED-STATUS\n    At event 55 the broker called the final status; p at 40.\n    events: 55   source: ${ruleInfo('CANCELLED-STATUS').citation.page}`);
    expect(text).toContain('  also REJECTED by the lifecycle machine: a second final status came while the call was already finished (FINAL-STATUS-ONCE)');
    expect(text).toContain(`(${MOMENTS_LEGEND})`);
    expect(verdictLines(text)).toEqual(['Verdict: NOT CONFORMANT (2 must rules violated: CANCELLED-STATUS, FINAL-STATUS-ONCE)']);
    expect(text.trimEnd().split('\n').at(-1)).toBe('replay: wbemsim replay wbs2.a.b');
  });
});

describe('mutants\' text', () => {
  it('ends with the score and the verdict verdictOf gives', () => {
    const m = { name: 'double-final', targets: ['FINAL-STATUS-ONCE'], description: 'd', interleaving: false, killed: true, byTarget: true, caughtBy: ['FINAL-STATUS-ONCE'], runsToDetect: 2, suspect: false, runsMade: 2 };
    const miss = { ...m, name: 'swbem-cancel-only-first', targets: ['SWBEM-CANCEL-ALL'], killed: false, byTarget: false, caughtBy: [], runsToDetect: null, runsMade: 17 };
    const r = resultOfZoo({ mutants: [m, miss], score: { killed: 1, weak: 0, suspect: 0, total: 2 }, baseline: [], options: { runs: 5, seed: 1, strategy: 'random', workloads: ['mixed'] } }, [], 0);
    const text = mutantsText(r);
    expect(text).toContain('Weaknesses:\n  swbem-cancel-only-first: not killed in 17 runs; none of SWBEM-CANCEL-ALL was violated');
    expect(text).toContain('mutant zoo: 1/2 killed by their targeted rules (1 not killed)\nVerdict: NOT CONFORMANT (1 mutant not caught by a rule it targets)');
    expect(verdictLines(text)).toEqual([verdictLine(r)]);
  });
});

describe('every command\'s text verdict', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wbemsim-text-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** The text and the --json of one command line: the text's verdict line is verdictLine of the JSON's result. */
  async function same(...argv: string[]): Promise<ReportResult> {
    // `check` and `replay` draw no progress line.
    const quiet = argv[0] === 'check' || argv[0] === 'replay' ? [] : ['--quiet'];
    const text = await runCli(...argv, ...quiet);
    const json = await runCli(...argv, ...quiet, '--json');
    expect(json.code).toBe(text.code);
    const r = JSON.parse(json.out) as ReportResult;
    expect(verdictLines(text.out)).toEqual([verdictLine(r)]);
    expect(verdictLine(r)).toMatch(new RegExp(`^Verdict: ${verdictOf(r).word}\\b`));
    // The text is a function of the result alone.
    expect(text.out).toBe(textOf(r));
    return r;
  }

  it('is verdictOf(result) for run, check and replay', async () => {
    const trace = join(dir, 'witness.jsonl');
    const bad = await same('run', '--impl', 'mutant:planted-race', '--workload', 'three-queries-one-sink', '--runs', '30', '--shrink-budget', '0', '--trace', trace);
    expect(verdictOf(bad).word).toBe('NOT CONFORMANT');
    expect((await same('run', '--workload', 'mixed', '--runs', '3')).outcome.conformant).toBe(true);
    expect(verdictOf(await same('run', '--workload', 'held-query-cancel', '--runs', '2', '--max-steps', '3')).word).toBe('NOT CONCLUSIVE');
    expect(verdictOf(await same('check', trace)).word).toBe('NOT CONFORMANT');
    expect(verdictOf(await same('replay', bad.findings.find((f) => f.class === 'violation')!.replay!)).word).toBe('NOT CONFORMANT');
  }, 120_000);

  it('is verdictOf(result) for explore and mutants', async () => {
    expect(verdictOf(await same('explore', '--workload', 'explore-method-progress-wrapped')).word).toBe('CONFORMANT');
    expect(verdictOf(await same('explore', '--workload', 'explore-shared-sink-cancel', '--max-states', '5')).word).toBe('NOT CONCLUSIVE');
    expect(verdictOf(await same('mutants', '--only', 'leaks-sink', '--runs', '3', '--swarm-runs', '0', '--shrink-budget', '0')).word).toBe('CONFORMANT');
  }, 120_000);
});
