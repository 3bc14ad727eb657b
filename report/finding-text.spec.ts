/**
 * One formatter of findings and citations: `run`'s summary, `check`'s summary and the reports'
 * citation all read the same text for the same finding.
 */
import { describe, expect, it } from 'vitest';
import type { Finding } from '../specs/check.ts';
import { ruleInfo } from '../specs/rules.ts';
import { checkText } from './text.ts';
import { resultOfCheck } from './report-result.ts';
import type { JudgeResult } from '../specs/judge.ts';
import type { Campaign, FoldedFinding } from '../sim/campaign.ts';
import { formatCampaign } from './campaign-text.ts';
import { citationText, findingLines, shrinkText } from './finding-text.ts';
import { citationText as reportCitation } from './report-result.ts';
import { renderMarkdown } from './markdown.ts';
import { md as mdEscape } from './escape.ts';

const info = ruleInfo('FINAL-STATUS-ONCE');
const finding: Finding = {
  rule: 'FINAL-STATUS-ONCE', kind: 'must', party: 'broker', verdict: 'violated', events: [3, 5], citation: info.citation,
  explanation: 'call q got a second final status \x1b[2K f2.',
};
const size = (steps: number, calls: number) => ({ steps, calls, actions: 1, objects: 2, sinks: 1, choices: 0 });
const folded: FoldedFinding = {
  ...finding, workload: 'mixed', runs: 3, steps: 12, replay: 'wbs2.a.b',
  shrink: { rule: 'FINAL-STATUS-ONCE', before: size(70, 8), after: size(12, 1), runs: 40, budget: 500, exhausted: false, original: 'wbs2.c.d' },
};

function campaignWith(f: FoldedFinding): Campaign {
  return {
    impl: 'x', strategy: 'random', seed: 1, workloads: ['mixed'], runs: 3, planned: 3, steps: 30, conformant: false, cut: 0, incomplete: 0, conclusive: true,
    violations: [f], warnings: [], lint: [], inconclusive: [], advice: [], rules: [], ends: { quiescent: 3 }, brokerFailures: [],
    coverage: { states: 1, statesTotal: 2, transitions: 1, transitionsTotal: 2, unreachedStates: [], unreachedTransitions: [] }, budgetExhausted: false, wall: { ms: 0 },
  };
}

describe('the finding formatter', () => {
  it('is the one `run` and `check` print with', () => {
    const judged = { violations: [finding], warnings: [], lint: [], inconclusive: [], advice: [], results: [], events: 6, conformant: false } as unknown as JudgeResult;
    expect(checkText(resultOfCheck('t.jsonl', judged, [], undefined, false))).toContain(findingLines(finding, 'violation').join('\n'));
    expect(formatCampaign(campaignWith(folded))).toContain(findingLines(folded, 'VIOLATED', '  ').join('\n'));
  });

  it('makes text from a trace inert and says how the witness was shrunk', () => {
    const lines = findingLines(folded, 'VIOLATED');
    expect(lines.join('\n')).not.toContain('\x1b');
    expect(lines[0]).toBe('VIOLATED FINAL-STATUS-ONCE  (mixed, 3 runs; shrunk witness 12 steps)');
    expect(lines).toContain('  shrunk from 70 steps, 8 calls, 1 action, 2 objects to 12 steps, 1 call, 1 action, 2 objects (40 of 500 shrink runs)');
    expect(lines).toContain('  replay: wbemsim replay wbs2.a.b');
    expect(lines).toContain(`  events: 3, 5   source: ${citationText(info.citation)}`);
  });

  it('gives the reports their citation and shrink text', () => {
    expect(reportCitation).toBe(citationText);
    const md = renderMarkdown({
      format: 'wbemsim-result', version: 1, command: 'run',
      outcome: { conformant: false, runs: 3, planned: 3, cut: 0, incomplete: 0, conclusive: true, warnings: 0, inconclusive: 0, lint: 0 },
      summary: { impl: 'x', strategy: 'random', workloads: ['mixed'], runs: 3, steps: 30, rulesChecked: 1, rulesExercised: 1 },
      findings: [{ class: 'violation', rule: folded.rule, kind: 'must', party: 'broker', workload: 'mixed', runs: 3, steps: 12, events: [3, 5], explanation: 'x', citation: info.citation, replay: folded.replay, shrink: folded.shrink }],
      rules: [], advice: [], brokerFailures: [], witnesses: [], wall: { ms: 0 },
    });
    expect(md).toContain(mdEscape(shrinkText(folded.shrink!)));
  });
});
