/**
 * The Markdown report (`report.md`): the HTML report's content for a pull request or an issue.
 * It renders a ReportResult and decides nothing. Text from traces and implementations is escaped
 * by `md` (or kept inside code by `mdCode`).
 */
import { citationText, replayCommand, verdictOf, type ReportFinding, type ReportResult } from './report-result.ts';
import { otherRegions, regionGraph } from './machine-svg.ts';
import { md, mdCode } from './escape.ts';
import { shrinkText } from './finding-text.ts';

const n = (k: number, w: string) => `${k} ${w}${k === 1 ? '' : 's'}`;
const LABEL: Record<ReportFinding['class'], string> = { violation: 'VIOLATED', warning: 'warning', inconclusive: 'inconclusive', lint: 'lint' };

function finding(r: ReportResult, f: ReportFinding): string[] {
  const out = [`### ${LABEL[f.class]} \`${mdCode(f.rule)}\` (${md(f.kind)}, ${md(f.party)})`, ''];
  out.push(`${f.workload ? `Workload **${md(f.workload)}**, ` : ''}${n(f.runs, 'run')}${f.steps !== undefined ? `; ${f.shrink ? 'shrunk' : 'shortest'} witness ${n(f.steps, 'step')}` : ''}${f.derivedFrom ? `; derived from ${md(f.derivedFrom)}` : ''}.`, '');
  if (f.shrink) out.push(`The witness was ${md(shrinkText(f.shrink))}.`, '');
  out.push(md(f.explanation), '');
  out.push(`Source: **${md(f.citation.page)}**${f.citation.seed ? ` \`${mdCode(f.citation.seed)}\`` : ''}`, '', `> ${md(f.citation.phrase)}`, '');
  out.push(`Offending events: ${f.events.join(', ') || '-'}`, '');
  const replay = replayCommand(f);
  if (replay) out.push('```sh', mdCode(replay), '```', '');
  const w = f.witness !== undefined ? r.witnesses[f.witness] : undefined;
  if (w) {
    const hl = new Set(f.events);
    out.push(`<details><summary>The trace (${n(w.events.length, 'event')}; offending events in bold)</summary>`, '', '| seq | time | event | fields |', '| --: | --: | --- | --- |');
    for (const e of w.events) {
      const { seq, t, type, ...rest } = e as { seq: number; t?: number; type: string } & Record<string, unknown>;
      const b = hl.has(seq) ? '**' : '';
      out.push(`| ${b}${seq}${b} | ${t ?? ''} | ${b}${md(type)}${b} | ${md(JSON.stringify(rest))} |`);
    }
    out.push('', '</details>', '');
  }
  return out;
}

/** The whole report as Markdown. */
export function renderMarkdown(r: ReportResult): string {
  const v = verdictOf(r);
  const s = r.summary;
  const o = r.outcome;
  const out = [`## wbemsim report: ${v.word}`, '', md(v.detail), ''];
  out.push('| | |', '| --- | --- |');
  out.push(`| command | \`wbemsim ${r.command}\` |`, `| implementation | ${md(s.impl)} |`, `| strategy | ${md(s.strategy)} |`);
  if (s.seed !== undefined) out.push(`| seed | ${s.seed} |`);
  out.push(`| workloads | ${md(s.workloads.join(', ') || '-')} |`, `| runs | ${o.runs}${o.cut ? ` (${o.cut} of ${o.planned} cut)` : ''} |`, `| steps | ${s.steps} |`);
  if (s.states !== undefined) out.push(`| states explored | ${s.states} |`);
  out.push(`| rules checked | ${s.rulesChecked} |`, `| rules exercised | ${s.rulesExercised} |`);
  out.push(`| violations | ${n(new Set(r.findings.filter((f) => f.class === 'violation').map((f) => f.rule)).size, 'rule')}, ${n(r.findings.filter((f) => f.class === 'violation').length, 'finding')} |`);
  out.push(`| warnings | ${o.warnings} |`, `| inconclusive | ${o.inconclusive} |`, `| lint findings | ${o.lint} |`);
  if (r.coverage) out.push(`| lifecycle machine coverage | ${r.coverage.reachedStates.length}/${r.coverage.statesTotal || r.coverage.reachedStates.length} states${r.coverage.transitionsTotal ? `, ${r.coverage.transitions}/${r.coverage.transitionsTotal} transitions` : ''} |`);
  if (s.partial) out.push('| partial | interrupted: everything here covers only the work finished |');
  out.push('');
  if (v.word === 'CONFORMANT') out.push('No must rule was violated: this run is conformant.', '');
  if (r.deadlocks?.length) {
    out.push('### Deadlocks', '');
    for (const d of r.deadlocks) {
      out.push(`- deadlock in **${md(d.workload)}** (${n(d.runs, 'run')}; first at seed ${d.seed}):`);
      for (const l of d.cycle) out.push(`  - ${md(l)}`);
      out.push(`  - replay: \`${mdCode(`wbemsim replay ${d.replay}`)}\``);
    }
    out.push('');
  }
  for (const b of r.brokerFailures) out.push(`- broker failure (${md(b.reason)}) in ${md(b.workload)}: ${md(b.detail ?? '')}`);
  for (const f of r.findings.filter((x) => x.class !== 'lint')) out.push(...finding(r, f));
  const lint = r.findings.filter((f) => f.class === 'lint');
  if (lint.length) {
    out.push('### Client findings (lint, never a broker failure)', '');
    for (const f of lint) out.push(`- \`${mdCode(f.rule)}\`${f.workload ? ` (${md(f.workload)}, ${n(f.runs, 'run')})` : ''}: ${md(f.explanation)}; ${md(citationText(f.citation))}`);
    out.push('');
  }
  if (r.mutants) {
    out.push('### Mutants', '', '| mutant | targets | caught | caught by | runs |', '| --- | --- | --- | --- | --: |');
    for (const m of r.mutants) out.push(`| ${md(m.name)} | ${md(m.targets.join(', '))} | ${m.byTarget && !m.suspect ? 'yes' : m.killed ? (m.suspect ? 'suspect' : 'other rule') : 'no'} | ${md(m.caughtBy.join(', ') || '-')} | ${m.runsToDetect ?? '-'} |`);
    out.push('');
  }
  if (r.coverage) {
    const reached = new Set(r.coverage.reachedStates);
    const { states } = regionGraph('lifecycle');
    out.push('### Coverage of the lifecycle machine', '', `Main region (\`lifecycle\`): ${states.map((x) => (reached.has(`lifecycle.${x}`) ? `**${x}** ✓` : `${x} (not reached)`)).join(', ')}`, '');
    for (const g of otherRegions(reached)) out.push(`- ${g.region}: ${g.states.map((x) => (x.reached ? `**${x.name}** ✓` : x.name)).join(', ')}`);
    out.push('');
  }
  if (r.rules.length) {
    const ex = r.rules.filter((x) => x.verdict !== 'not exercised').length;
    out.push(`<details><summary>Every rule's verdict (${ex} exercised, ${r.rules.length - ex} not exercised)</summary>`, '', '| rule | kind | verdict | reason |', '| --- | --- | --- | --- |');
    for (const x of r.rules) out.push(`| \`${mdCode(x.rule)}\` | ${md(x.kind)} | ${md(x.verdict)} | ${md(x.reason ?? '')} |`);
    out.push('', '</details>', '');
  }
  for (const a of r.advice) out.push(`Advice: ${md(a)}`, '');
  return out.join('\n');
}
