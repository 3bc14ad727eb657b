/**
 * The HTML report: one self-contained `index.html` (inline CSS and SVG; no script, no network,
 * no font). It renders a ReportResult and decides nothing: the verdict is `verdictOf(result)`.
 * Every string from a trace, a workload or an implementation is escaped by `html`.
 */
import { citationText, replayCommand, verdictOf, type ReportFinding, type ReportResult } from './report-result.ts';
import { shrinkText } from './finding-text.ts';
import { sequenceDiagram } from './sequence-diagram.ts';
import { machineSvg, otherRegions } from './machine-svg.ts';
import { html } from './escape.ts';

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1d1d1f;background:#f6f7f9}
main{max-width:1400px;margin:0 auto;padding:20px 28px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:0 0 6px}h3{font-size:15px;margin:16px 0 6px}
.verdict{display:inline-block;padding:3px 10px;border-radius:4px;font-weight:700;color:#fff}
.verdict.bad{background:#c0182c}.verdict.good{background:#1a7f37}.verdict.cut{background:#9a6700}
section{background:#fff;border:1px solid #d8dce2;border-radius:6px;padding:16px 20px;margin:16px 0}
section.finding.violation{border-left:6px solid #c0182c}section.finding.warning{border-left:6px solid #9a6700}section.finding.inconclusive{border-left:6px solid #6e40c9}
dl.summary{display:grid;grid-template-columns:max-content 1fr;gap:2px 18px;margin:8px 0}dl.summary dt{color:#57606a}dl.summary dd{margin:0}
.rule{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-weight:700}
.badge{font-size:12px;border:1px solid #999;border-radius:10px;padding:0 7px;margin-left:6px;color:#444}
blockquote{margin:6px 0;padding:4px 12px;border-left:4px solid #d0d7de;color:#444}
pre{background:#f0f2f4;padding:8px 10px;border-radius:4px;overflow-x:auto;white-space:pre-wrap;word-break:break-all}
table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #d8dce2;padding:2px 8px;text-align:left;vertical-align:top}
tr.hl td{background:#ffe3e6;font-weight:600}
.scroll{overflow-x:auto}
svg.seq text{font:12px ui-monospace,SFMono-Regular,Menlo,monospace;fill:#1d1d1f}
svg.seq .colhead{font-weight:700;fill:#57606a}svg.seq .seqno,svg.seq .time{fill:#57606a}
svg.seq .lanehead{fill:#eaeef2;stroke:#8c959f}svg.seq .lanehead.client{fill:#ddf4ff}svg.seq .lanehead.sink{fill:#fff8c5}svg.seq .lanehead.broker{fill:#e6e0f8}svg.seq .lanehead.provider{fill:#dafbe1}
svg.seq .lanename{font-weight:700}
svg.seq .lifeline{stroke:#afb8c1;stroke-dasharray:4 3}
svg.seq .arrow{stroke:#333;stroke-width:1.4}svg.seq .return .arrow{stroke-dasharray:5 3}svg.seq .ref .arrow{stroke:#aaa}svg.seq .ref text.label{fill:#8c959f}
svg.seq .dot{fill:#57606a}
svg.seq .hl .arrow{stroke:#c0182c;stroke-width:3}svg.seq .hl .dot{fill:#c0182c}svg.seq .hl text.label{fill:#c0182c;font-weight:700}
svg.seq .hlrow{fill:#ffe3e6;stroke:#c0182c;stroke-width:1}
svg.seq .state rect{fill:#f3eefe;stroke:#8250df}svg.seq .state text{font-size:10.5px;fill:#5a32a3}
svg.machine .mstate rect{fill:#fff;stroke:#8c959f;stroke-dasharray:4 3}svg.machine .mstate.reached rect{fill:#dafbe1;stroke:#1a7f37;stroke-dasharray:none;stroke-width:2}
svg.machine text{font:13px system-ui,sans-serif}svg.machine .edge{fill:none;stroke:#555}svg.machine .initial{fill:#333}
.legend span{margin-right:14px}
.reached{color:#1a7f37;font-weight:600}.unreached{color:#8c959f}
`;

const n = (k: number, w: string) => `${k} ${w}${k === 1 ? '' : 's'}`;

function summary(r: ReportResult): string {
  const s = r.summary;
  const o = r.outcome;
  const rows: [string, string][] = [
    ['command', html(`wbemsim ${r.command}`)],
    ['implementation', html(s.impl)],
    ['strategy', html(s.strategy)],
    ...(s.seed !== undefined ? [['seed', html(s.seed)] as [string, string]] : []),
    ['workloads', html(s.workloads.join(', ') || '-')],
    ['runs', `${o.runs}${o.cut ? ` (${o.cut} of ${o.planned} cut)` : ''}`],
    ['steps', html(s.steps)],
    ...(s.states !== undefined ? [['states explored', html(s.states)] as [string, string]] : []),
    ['rules checked', html(s.rulesChecked)],
    ['rules exercised', html(s.rulesExercised)],
    ['violations', `${n(new Set(r.findings.filter((f) => f.class === 'violation').map((f) => f.rule)).size, 'rule')}, ${n(r.findings.filter((f) => f.class === 'violation').length, 'finding')}`],
    ['warnings', html(o.warnings)],
    ['inconclusive', html(o.inconclusive)],
    ['lint findings (client, not broker failures)', html(o.lint)],
  ];
  if (r.coverage) {
    const c = r.coverage;
    rows.push(['lifecycle machine coverage', `${c.reachedStates.length}/${c.statesTotal || c.reachedStates.length} states${c.transitionsTotal ? `, ${c.transitions}/${c.transitionsTotal} transitions` : ''}`]);
  }
  if (s.partial) rows.push(['partial', 'interrupted: everything here covers only the work finished']);
  return `<dl class="summary">${rows.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('')}</dl>`;
}

/** Each deadlock: where, how often, what waited on what (one item per line), and its replay command. */
function deadlocks(r: ReportResult): string {
  if (!r.deadlocks?.length) return '';
  const items = r.deadlocks.map((d) => `<li class="deadlock">deadlock in <b>${html(d.workload)}</b> (${n(d.runs, 'run')}; first at seed ${html(d.seed)}):<ul class="cycle">${d.cycle.map((l) => `<li>${html(l)}</li>`).join('')}</ul><pre>${html(`wbemsim replay ${d.replay}`)}</pre></li>`).join('');
  return `<section class="deadlocks"><h2>Deadlocks</h2><p>Runs that ended with nothing able to move while something still waited: what waited on what (thread → waits on → held by).</p><ul>${items}</ul></section>`;
}

function coverage(r: ReportResult): string {
  if (!r.coverage) return '';
  const reached = new Set(r.coverage.reachedStates);
  const table = otherRegions(reached).map((g) => `<tr><th>${html(g.region)}</th><td>${g.states.map((s) => `<span class="${s.reached ? 'reached' : 'unreached'}">${html(s.name)}${s.reached ? ' ✓' : ''}</span>`).join(', ')}</td></tr>`).join('');
  const unreached = r.coverage.unreachedTransitions;
  return `<section class="coverage"><h2>Coverage of the lifecycle machine</h2>
<p class="legend">The main region of one call's lifecycle, drawn from the machine: <span class="reached">reached ✓</span> <span class="unreached">not reached (dashed)</span>. Hover an arrow for its events and rules.</p>
<div class="scroll">${machineSvg(reached)}</div>
<h3>The other regions</h3><table>${table}</table>
${unreached.length ? `<details><summary>${n(unreached.length, 'transition')} not reached</summary><ul>${unreached.map((t) => `<li>${html(t)}</li>`).join('')}</ul></details>` : ''}
</section>`;
}

function traceTable(r: ReportResult, f: ReportFinding): string {
  const w = f.witness !== undefined ? r.witnesses[f.witness] : undefined;
  if (!w) return '';
  const hl = new Set(f.events);
  const rows = w.events.map((e) => {
    const { seq, t, type, ...rest } = e as { seq: number; t?: number; type: string } & Record<string, unknown>;
    return `<tr${hl.has(seq) ? ' class="hl"' : ''}><td>${html(seq)}</td><td>${html(t ?? '')}</td><td>${html(type)}</td><td>${html(JSON.stringify(rest))}</td></tr>`;
  }).join('\n');
  return `<details><summary>The trace (${n(w.events.length, 'event')}; offending events highlighted)</summary><div class="scroll"><table class="trace"><tr><th>seq</th><th>time</th><th>event</th><th>fields</th></tr>\n${rows}</table></div></details>`;
}

const LABEL: Record<ReportFinding['class'], string> = { violation: 'VIOLATED', warning: 'warning', inconclusive: 'inconclusive', lint: 'lint' };

function finding(r: ReportResult, f: ReportFinding, i: number): string {
  const w = f.witness !== undefined ? r.witnesses[f.witness] : undefined;
  const replay = replayCommand(f);
  return `<section class="finding ${f.class}" id="finding-${i}">
<h2>${LABEL[f.class]} <span class="rule">${html(f.rule)}</span><span class="badge">${html(f.kind)}</span><span class="badge">${html(f.party)}</span></h2>
<p>${f.workload ? `workload <b>${html(f.workload)}</b>, ` : ''}${n(f.runs, 'run')}${f.steps !== undefined ? `; the ${f.shrink ? 'shrunk witness' : 'shortest witness found'} takes ${n(f.steps, 'step')}` : ''}${f.derivedFrom ? `; derived from ${html(f.derivedFrom)}` : ''}</p>
${f.shrink ? `<p class="shrink">The witness was ${html(shrinkText(f.shrink))}.</p>` : ''}
<p class="explanation">${html(f.explanation)}</p>
<p>Source: <b>${html(f.citation.page)}</b>${f.citation.seed ? ` <code>${html(f.citation.seed)}</code>` : ''}</p>
<blockquote>${html(f.citation.phrase)}</blockquote>
<p>Offending events: ${f.events.length ? f.events.map((e) => `<b>${html(e)}</b>`).join(', ') : '-'}</p>
${w ? `<h3>The interleaving</h3><div class="scroll">${sequenceDiagram(w.events, new Set(f.events))}</div>` : '<p>(no witness trace in this result)</p>'}
${replay ? `<h3>Replay</h3><pre>${html(replay)}</pre>` : ''}
${traceTable(r, f)}
</section>`;
}

function rulesTable(r: ReportResult): string {
  if (!r.rules.length) return '';
  const rows = r.rules.map((x) => `<tr><td class="rule">${html(x.rule)}</td><td>${html(x.kind)}</td><td>${html(x.party)}</td><td>${html(x.verdict)}</td><td>${html(x.reason ?? '')}</td></tr>`).join('\n');
  const ex = r.rules.filter((x) => x.verdict !== 'not exercised').length;
  return `<section><details><summary>Every rule's verdict (${ex} exercised, ${r.rules.length - ex} not exercised)</summary><table><tr><th>rule</th><th>kind</th><th>party</th><th>verdict</th><th>reason</th></tr>\n${rows}</table></details></section>`;
}

function mutantsTable(r: ReportResult): string {
  if (!r.mutants) return '';
  const rows = r.mutants.map((m) => `<tr><td>${html(m.name)}</td><td>${html(m.targets.join(', '))}</td><td>${m.byTarget && !m.suspect ? 'yes' : m.killed ? (m.suspect ? 'suspect' : 'other rule') : 'no'}</td><td>${html(m.caughtBy.join(', ') || '-')}</td><td>${m.runsToDetect ?? '-'}</td></tr>`).join('\n');
  return `<section><h2>Mutants</h2><table><tr><th>mutant</th><th>targets</th><th>caught</th><th>caught by</th><th>runs</th></tr>\n${rows}</table></section>`;
}

/** The whole report as one HTML document. */
export function renderHtml(r: ReportResult): string {
  const v = verdictOf(r);
  const cls = v.word === 'CONFORMANT' ? 'good' : v.word === 'NOT CONCLUSIVE' ? 'cut' : 'bad';
  const shown = r.findings.filter((f) => f.class !== 'lint');
  const lint = r.findings.filter((f) => f.class === 'lint');
  const failures = r.brokerFailures.map((b) => `<li>${html(b.reason)} in ${html(b.workload)}${b.seed !== undefined ? ` seed ${html(b.seed)}` : ''}: <pre>${html(b.detail ?? '')}</pre>${b.replay ? `<pre>${html(`wbemsim replay ${b.replay}`)}</pre>` : ''}</li>`).join('');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>wbemsim report: ${html(v.word)} (${html(r.summary.impl)})</title><style>${CSS}</style></head>
<body><main>
<h1>wbemsim report <span class="verdict ${cls}" id="verdict">${html(v.word)}</span></h1>
<p>${html(v.detail)}</p>
<section class="summary"><h2>Summary</h2>${summary(r)}
${v.word === 'CONFORMANT' ? '<p>No must rule was violated: this run is conformant. The coverage below says how much of the lifecycle was exercised.</p>' : ''}
${shown.length ? `<p>Findings: ${shown.map((f, i) => `<a href="#finding-${i}">${LABEL[f.class]} ${html(f.rule)}</a>`).join(' · ')}</p>` : ''}</section>
${deadlocks(r)}
${failures ? `<section><h2>Broker failures</h2><ul>${failures}</ul></section>` : ''}
${shown.map((f, i) => finding(r, f, i)).join('\n')}
${lint.length ? `<section><h2>Client findings (lint, never a broker failure)</h2><ul>${lint.map((f) => `<li><span class="rule">${html(f.rule)}</span>${f.workload ? ` (${html(f.workload)}, ${n(f.runs, 'run')})` : ''}: ${html(f.explanation)}<br><small>${html(citationText(f.citation))}</small></li>`).join('')}</ul></section>` : ''}
${mutantsTable(r)}
${coverage(r)}
${rulesTable(r)}
${r.advice.length ? `<section><h2>Advice</h2><ul>${r.advice.map((a) => `<li>${html(a)}</li>`).join('')}</ul></section>` : ''}
<footer><small>result format ${html(r.format)} v${html(r.version)}</small></footer>
</main></body></html>
`;
}
