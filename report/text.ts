/**
 * The text every command prints (`run`, `explore`, `check`, `mutants`, `replay`), rendered from
 * the command's ReportResult alone: the same result `--json` prints and `--report` writes, so the
 * text, the JSON, the HTML, the Markdown and the JUnit of one command never disagree. The verdict
 * line is `verdictLine(result)`; findings are written by `findingLines` (report/finding-text.ts).
 * Every string that came from a workload, a trace or a broker goes through `inert` (or
 * `inertLines`) on its way into the text; the text needs no witness.
 */
import { deadlockLines } from './deadlock.ts';
import type { ReportFinding, ReportResult } from './report-result.ts';
import { verdictLine, verdictWordOf } from './report-result.ts';
import { inert, inertLines } from './inert.ts';
import { findingLines } from './finding-text.ts';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** What `p` and `d` in an explanation stand for, in words. */
export const MOMENTS_LEGEND = 'p = the moment the broker processed the cancel; d = the moment it called the final status (decided it, where the broker annotates it)';

/** The legend line, when some explanation speaks of `p` or `d`. */
function momentsLegend(findings: readonly ReportFinding[]): string[] {
  return findings.some((f) => /\b[pd] at \d/.test(f.explanation)) ? ['', `(${MOMENTS_LEGEND})`] : [];
}

/** Rules counted apart from findings: a rule violated in three workloads is one rule, three findings. */
export function violationCounts(r: Pick<ReportResult, 'findings'>): { rules: number; workloads: number; findings: number } {
  const v = r.findings.filter((f) => f.class === 'violation');
  return { rules: new Set(v.map((f) => f.rule)).size, workloads: new Set(v.map((f) => f.workload)).size, findings: v.length };
}

/** Findings of one class. */
const ofClass = (r: ReportResult, cls: ReportFinding['class']) => r.findings.filter((f) => f.class === cls);

/** Rule-level inconclusive verdicts that came with no finding: listed all the same, with their reason. */
function bareInconclusive(r: ReportResult): string[] {
  const withFinding = new Set(ofClass(r, 'inconclusive').map((f) => f.rule));
  return r.rules.filter((x) => x.verdict === 'inconclusive' && !withFinding.has(x.rule))
    .map((x) => `inconclusive ${inert(x.rule)}: ${inert(x.reason ?? 'some placements of the broker\'s unseen moments break it, others do not')}`);
}

/** "1 rule violated, in 3 workloads (3 findings)" */
function violatedText(r: ReportResult): string {
  const c = violationCounts(r);
  return `${plural(c.rules, 'rule')} violated${c.workloads > 1 ? `, in ${plural(c.workloads, 'workload')}` : ''}${c.findings !== c.rules ? ` (${plural(c.findings, 'finding')})` : ''}`;
}

/** Each deadlock of a result: where, how often, and what waited on what, one line each. */
export function deadlockTextLines(r: Pick<ReportResult, 'deadlocks'>): string[] {
  const out: string[] = [];
  for (const d of r.deadlocks ?? []) {
    out.push(`    deadlock in ${inert(d.workload)} (${plural(d.runs, 'run')}; first at seed ${d.seed}):`);
    for (const l of d.cycle) out.push(`      ${inert(l)}`);
    out.push(`      replay: wbemsim replay ${inert(d.replay)}`);
  }
  return out;
}

/**
 * `wbemsim run`: a summary a person reads in a minute: what ran, each finding with its replay
 * command, the verdict. `verbose` names the rules not exercised; otherwise they are counted.
 */
export function runText(r: ReportResult, options: { verbose?: boolean } = {}): string {
  const out: string[] = [];
  const s = r.summary;
  const o = r.outcome;
  const seed = s.seed ?? 0;
  if (r.suite) out.push(`wbemsim run: ${inert(s.impl)}, the conformance suite: ${r.suite.scenarios} scenarios, then a swarm campaign of ${r.suite.swarmRuns} generated workloads (seeds ${seed}..${seed + Math.max(0, r.suite.swarmRuns - 1)}), strategy ${s.strategy}`);
  else out.push(`wbemsim run: ${inert(s.impl)} over ${plural(s.workloads.length, 'workload')} (${s.workloads.map(inert).join(', ')}), strategy ${s.strategy}, seeds ${seed}..${seed + Math.max(0, Math.ceil(s.runs / Math.max(1, s.workloads.length)) - 1)}`);
  if (s.partial) out.push(`  PARTIAL: interrupted after ${plural(s.runs, 'finished run')}; everything below covers only those`);
  if (s.runs === 0) out.push('  no run was made');
  else {
    out.push(`  runs ${s.runs}${o.cut ? ` (${o.cut} of ${o.planned} cut)` : ''}, steps ${s.steps}, rules ${s.rulesChecked} (${s.rulesExercised} exercised, ${s.rulesChecked - s.rulesExercised} not exercised)`);
    out.push(`  run ends: ${Object.entries(r.ends ?? {}).map(([k, v]) => `${k} ${v}`).join(', ')}`);
    out.push(...deadlockTextLines(r));
  }
  const cov = r.coverage;
  if (s.steps > 0 && cov) {
    out.push(`  model coverage: ${cov.reachedStates.length}/${cov.statesTotal} states, ${cov.transitions}/${cov.transitionsTotal} transitions of the lifecycle machine`);
    // Say what was not reached, briefly: a few names, then how many more.
    const brief = (xs: string[]) => xs.slice(0, 6).join('; ') + (xs.length > 6 ? `; and ${xs.length - 6} more` : '');
    if (cov.unreachedStates?.length) out.push(`    states not reached: ${brief(cov.unreachedStates)}`);
    if (cov.unreachedTransitions.length) out.push(`    transitions not reached: ${brief(cov.unreachedTransitions)}`);
  }
  if (r.suite) out.push(...suiteLines(r.suite));
  for (const x of r.explorations ?? []) out.push(`  explored ${inert(x.workload)}: ${x.states} states, ${x.transitions} transitions, ${x.runs} runs, ${x.complete ? 'complete' : `incomplete (cut by ${x.cut})`}`);
  if (r.budgetExhausted) out.push('  the time budget ran out: not every planned run was made');
  if (r.gaveUp) out.push(`  ${r.gaveUp}`);
  // The first broker failure in full (with the broker's stderr); the others counted.
  for (const b of r.brokerFailures.slice(0, 1)) out.push(`  broker failure (${inert(b.reason)}) in ${inert(b.workload)} seed ${b.seed}: ${inertLines(b.detail ?? '')}${b.replay ? `\n    replay: wbemsim replay ${inert(b.replay)}` : ''}`);
  if (r.brokerFailures.length > 1) out.push(`  and ${r.brokerFailures.length - 1} more broker failure(s): ${[...new Set(r.brokerFailures.slice(1).map((b) => b.reason))].join(', ')} (--json lists each)`);
  const violations = ofClass(r, 'violation');
  if (violations.length) {
    out.push('', `Violations: ${violatedText(r)}:`);
    for (const f of violations) out.push(findingLines(f, 'VIOLATED', '  ').join('\n'));
  }
  const warnings = ofClass(r, 'warning');
  if (warnings.length) {
    out.push('', `Warnings (${warnings.length}):`);
    for (const f of warnings) out.push(findingLines(f, 'warning', '  ').join('\n'));
  }
  // Rule-level inconclusive verdicts are listed even when no finding came with them.
  const inconclusive = ofClass(r, 'inconclusive');
  const bare = bareInconclusive(r);
  if (inconclusive.length || bare.length) {
    out.push('', `Inconclusive (${plural(new Set(inconclusive.map((f) => f.rule)).size + bare.length, 'rule')}):`);
    for (const f of inconclusive) out.push(findingLines(f, 'inconclusive', '  ').join('\n'));
    for (const line of bare) out.push(`  ${line}`);
  }
  out.push(...momentsLegend([...violations, ...warnings, ...inconclusive]));
  const lint = ofClass(r, 'lint');
  if (lint.length) {
    out.push('', `Client findings, not broker failures (${plural(new Set(lint.map((f) => f.rule)).size, 'rule')}, ${plural(lint.length, 'finding')}):`);
    for (const f of lint) out.push(`  ${inert(f.rule)} (${inert(f.workload ?? '')}, ${plural(f.runs, 'run')}): ${inert(f.explanation)}`);
  }
  const unexercised = r.rules.filter((x) => x.verdict === 'not exercised').map((x) => x.rule);
  if (unexercised.length && s.steps > 0) {
    out.push('', options.verbose ? `Not exercised by these workloads: ${unexercised.join(', ')}` : `Not exercised by these workloads: ${plural(unexercised.length, 'rule')} (--verbose names them)`);
  }
  for (const a of r.advice) out.push(`Advice: ${inert(a)}`);
  out.push('', verdictLine(r));
  return out.join('\n') + '\n';
}

/** The conformance suite's lines in `run`'s text: what the scenarios and the swarm covered, and what the steering aimed at. */
export function suiteLines(s: NonNullable<ReportResult['suite']>): string[] {
  const out: string[] = [];
  const strategies = Object.entries(s.strategies).map(([k, v]) => `${k} ${v}`).join(', ');
  if (strategies) out.push(`  swarm strategies: ${strategies}`);
  out.push(`  rules covered by a scenario: ${s.byScenario.length}; only by the swarm campaign: ${s.onlyByCampaign.length}${s.onlyByCampaign.length ? ` (${s.onlyByCampaign.join(', ')})` : ''}; by no run: ${s.notCovered.length}${s.notCovered.length ? ` (${s.notCovered.join(', ')})` : ''}`);
  if (!s.targets.length) out.push('  steering: every rule and machine transition the generator can aim at was reached; nothing targeted');
  else {
    const reached = s.targets.filter((t) => t.reachedAt !== undefined).length;
    out.push(`  steering: ${s.targets.length} target(s) the swarm had not reached, ${reached} reached after their features' odds rose:`);
    for (const t of s.targets) {
      const what = t.because === 'rule' ? `rule ${t.rule}` : `transition ${t.transition}`;
      out.push(`    ${what}: features ${t.features.join(', ')} from run ${t.from}, ${t.reachedAt !== undefined ? `reached at run ${t.reachedAt}` : 'not reached'}`);
    }
  }
  return out;
}

/** `wbemsim explore`: one block per workload explored, then the verdict. */
export function exploreText(r: ReportResult): string {
  const out: string[] = [];
  const xs = r.explorations ?? [];
  if (r.summary.partial) out.push(`wbemsim explore: PARTIAL: interrupted after ${xs.length} workload(s) (the last one cut); the verdicts cover only what was explored`, '');
  for (const x of xs) {
    out.push(`wbemsim explore: ${inert(x.impl ?? r.summary.impl)} on ${inert(x.workload)}`);
    out.push(`  states ${x.states}, transitions ${x.transitions}, ${x.mode === 'stateful' ? 'paths' : 'runs'} ${x.runs}, steps ${x.steps ?? 0}`);
    out.push(x.mode === 'stateful' ? '  mode: stateful (world, broker, monitor and judge saved at branch points and restored)'
      : x.mode === 'breadth-first' ? '  mode: breadth-first (each level of states saved; each rule\'s witness is a shortest run that breaks it)'
      : '  mode: re-execution (every branch runs again from the start; the broker cannot be saved and restored, or --mode re-execution)');
    if (x.symmetry) out.push(`  symmetry: states that differ only by swapping ${x.symmetry.map((g) => g.join(' / ')).join(', or ')} explored once`);
    if (x.por) {
      out.push('refusal' in x.por
        ? `  partial-order reduction: not applied (${inert(x.por.refusal)})${x.por.untimedProviders ? '; providers untimed' : ''}`
        : `  partial-order reduction: providers untimed; one sink's steps explored alone where the others' commute with them (${x.por.reduced} expansions)`);
    }
    if (x.hashCompaction) out.push(`  hash compaction: ${x.hashCompaction.bytesPerState.toFixed(1)} bytes per state stored; estimated probability that a state was omitted: ${x.hashCompaction.omission.toExponential(1)}`);
    if (x.stateTable) out.push(`  stored states: ${x.stateTable.bytesPerState.toFixed(1)} bytes each, whole (no omission)`);
    if (x.sharedClaims) out.push(`  workers: the threads shared the states they explored by a 64-bit hash; estimated probability that a state was omitted: ${x.sharedClaims.omission.toExponential(1)}`);
    out.push(x.complete ? '  complete: every reachable state was explored' : `  complete: no (cut by ${x.cut}): the verdict covers only what was explored`);
    if (x.brokerFailure) out.push(`  broker failure (${inert(x.brokerFailure.reason)}): ${inertLines(x.brokerFailure.detail ?? '')}`);
    const deadlocks = x.ends?.deadlock ?? 0;
    if (deadlocks > 0) {
      out.push(`  deadlock: ${deadlocks} of ${x.runs} ${x.mode === 'stateful' ? 'paths' : 'runs'} ended with nothing able to move while something still waited${x.deadlock ? `; the first (${x.deadlock.steps} steps):` : ''}`);
      if (x.deadlock) {
        for (const l of deadlockLines(x.deadlock.detail)) out.push(`    ${inert(l)}`);
        out.push(`    replay: wbemsim replay ${inert(x.deadlock.token)}`);
      }
    }
    for (const v of x.violations ?? []) {
      out.push(`  VIOLATED ${inert(v.rule)} (${v.by === 'monitor' ? 'lifecycle machine' : 'check'}, ${plural(v.runs, 'run')}, shortest ${v.steps} steps): ${inert(v.explanation)}`);
      out.push(`    replay: wbemsim replay ${inert(v.token)}`);
    }
    // This workload's own verdict, in the same words as the command's.
    const word = verdictWordOf({ ...x, conclusive: x.complete });
    out.push(`  verdict${r.summary.partial ? ' (PARTIAL, interrupted)' : ''}: ${word === 'CONFORMANT' ? `${word} on every interleaving` : word === 'NOT CONCLUSIVE' ? 'no violation in the part explored' : word}`, '');
  }
  const legend = momentsLegend(r.findings);
  if (legend.length) out.push(legend[1]!, '');
  out.push(verdictLine(r), '');
  return out.join('\n');
}

/** `wbemsim check`: the counts, each finding with rule, events, explanation and source, then the verdict. */
export function checkText(r: ReportResult): string {
  const o = r.outcome;
  const c = violationCounts(r);
  const path = r.summary.workloads[0] ?? '-';
  const lines: string[] = [];
  if (r.summary.partial) lines.push(`PARTIAL: interrupted after ${r.summary.steps} events; the verdict covers only those (a missing end is judged as a cut run)`);
  lines.push(`${inert(path)}: ${plural(r.summary.steps, 'event')}; ${plural(c.rules, 'rule')} violated${c.findings !== c.rules ? ` (${plural(c.findings, 'finding')})` : ''}, ` +
    `${plural(o.warnings, 'warning')}, ${plural(o.lint, 'lint finding')}, ${o.inconclusive} inconclusive`);
  const label = { violation: 'violation', warning: 'warning', lint: 'lint', inconclusive: 'inconclusive' } as const;
  for (const cls of ['violation', 'warning', 'lint', 'inconclusive'] as const) {
    for (const f of ofClass(r, cls)) lines.push(...findingLines({ ...f, runs: undefined }, label[cls]));
  }
  lines.push(...bareInconclusive(r));
  for (const x of r.rules.filter((y) => (y.more ?? 0) > 0)) lines.push(`(${inert(x.rule)}: ${x.more} more finding(s) not shown)`);
  lines.push(...momentsLegend(r.findings).filter(Boolean));
  for (const a of r.advice) lines.push(`advice: ${inert(a)}`);
  const notExercised = r.rules.filter((x) => x.verdict === 'not exercised').length;
  lines.push(`${notExercised} of ${r.rules.length} rules not exercised by this trace (see --json for each verdict and reason)`);
  lines.push(verdictLine(r));
  return lines.join('\n') + '\n';
}

/** The findings of one replayed run, one block each; a rejection by the lifecycle machine is told in words. */
export function replayFindingLines(r: ReportResult): string[] {
  const label = { violation: 'VIOLATED', warning: 'warning', inconclusive: 'inconclusive', lint: 'client' } as const;
  const out: string[] = [];
  for (const cls of ['violation', 'warning', 'inconclusive', 'lint'] as const) {
    for (const f of ofClass(r, cls)) {
      if (f.by === 'monitor') out.push(`  also REJECTED by the lifecycle machine: ${inert(f.explanation)}`);
      // The run's replay command closes the text once; a finding's own would repeat it.
      else out.push(findingLines({ ...f, runs: undefined, workload: undefined, replay: undefined }, label[cls], '  ').join('\n'));
    }
  }
  out.push(...bareInconclusive(r).map((l) => `  ${l}`));
  out.push(...momentsLegend(r.findings).filter(Boolean));
  return out;
}

/** `wbemsim replay`: what ran, each finding, the verdict, the replay command. */
export function replayText(r: ReportResult): string {
  const x = r.replay!;
  const out: string[] = [];
  if (r.summary.partial) out.push(`PARTIAL: interrupted after ${x.steps} of the token's steps; the verdict covers only those`);
  out.push(`wbemsim replay: ${inert(r.summary.impl)} on ${inert(x.workload)} (strategy ${inert(x.strategy)}, seed ${x.seed}), ${x.steps} steps, run ended ${x.end.reason}${x.end.detail ? ` (${inertLines(x.end.detail)})` : ''}`);
  out.push(...replayFindingLines(r), verdictLine(r));
  out.push(`replay: wbemsim replay ${inert(x.token)}`);
  return out.join('\n') + '\n';
}

/** "mutant zoo: 30/31 killed by their targeted rules (1 not killed)" */
export function zooScoreLine(z: { score: { killed: number; weak: number; suspect: number; total: number } }): string {
  const { killed, weak, suspect, total } = z.score;
  const missed = total - killed - weak - suspect;
  const extra = [
    weak ? `${weak} caught only by other rules` : '', suspect ? `${suspect} caught by a rule the reference also violates` : '',
    missed ? `${missed} not killed` : '',
  ].filter(Boolean).join(', ');
  return `mutant zoo: ${killed}/${total} killed by their targeted rules${extra ? ` (${extra})` : ''}`;
}

type MutantRow = NonNullable<ReportResult['mutants']>[number];

/** `wbemsim mutants`: the zoo as a table, then the misses with their evidence, the score line and the verdict. */
export function mutantsText(r: ReportResult): string {
  const mutants = r.mutants ?? [];
  const zoo = r.zoo ?? { runs: 0, workloads: [], score: { killed: 0, weak: 0, suspect: 0, total: mutants.length }, baseline: [] };
  const seed = r.summary.seed ?? 0;
  const rows = mutants.map((m) => [
    m.name + (m.interleaving ? ' *' : ''), m.targets.join(', '), killedWord(m), m.caughtBy.join(', ') || '-', m.runsToDetect === null ? '-' : String(m.runsToDetect),
    m.shrink ? `${m.shrink.before.steps} -> ${m.shrink.after.steps}` : '-',
  ]);
  const head = ['mutant', 'targets', 'killed', 'caught by', 'runs', 'witness steps'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => Math.min(row[i]!.length, i === 3 ? 60 : 200))));
  const line = (cells: string[]) => cells.map((c, i) => (i >= cells.length - 2 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  const out = [
    ...(r.summary.partial ? [`wbemsim mutants: PARTIAL: interrupted; only the ${mutants.length} mutants finished are listed and scored`] : []),
    `wbemsim mutants: ${mutants.length} mutants, strategy ${r.summary.strategy}, seeds ${seed}..${seed + zoo.runs - 1}, ` +
      `${zoo.runs} runs per workload at most over ${zoo.workloads.length} workloads`,
    '',
    line(head),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    '',
    '* the fault shows only under a specific interleaving; runs = runs made until the first catch, over all workloads;',
    '  witness steps = the catching run\'s length as found -> shrunk (its replay token is the shrunk run\'s)',
  ];
  const misses = mutants.filter((m) => !m.byTarget || m.suspect);
  if (misses.length) {
    out.push('', 'Weaknesses:');
    for (const m of misses) {
      out.push(`  ${m.name}: ${weakness(m)}`);
      if (m.evidence) out.push(`    ${inert(m.evidence)}`);
      if (m.replay) out.push(`    replay: wbemsim replay ${m.replay}`);
    }
  }
  if (zoo.baseline.length) {
    out.push('', 'The reference broker violates these rules on the same suite (their catches are not trusted):');
    for (const b of zoo.baseline) out.push(`  ${inert(b.rule)} (${inert(b.workload)}): ${inert(b.explanation)}`, `    replay: wbemsim replay ${inert(b.replay)}`);
  }
  out.push('', zooScoreLine(zoo), verdictLine(r), '');
  return out.join('\n');
}

function killedWord(m: MutantRow): string {
  if (!m.killed) return 'no';
  if (!m.byTarget) return 'other rule';
  return m.suspect ? 'suspect' : 'yes';
}

function weakness(m: MutantRow): string {
  if (!m.killed) return `not killed in ${m.runsMade ?? '?'} runs; none of ${m.targets.join(', ')} was violated`;
  if (!m.byTarget) return `killed only by ${m.caughtBy.join(', ')}, never by ${m.targets.join(' or ')}`;
  return `caught by ${m.caughtBy.filter((x) => m.targets.includes(x)).join(', ')}, which the reference broker also violates`;
}

/** The text of a result, whatever command made it. */
export function textOf(r: ReportResult, options: { verbose?: boolean } = {}): string {
  switch (r.command) {
    case 'run': return runText(r, options);
    case 'explore': return exploreText(r);
    case 'check': return checkText(r);
    case 'mutants': return mutantsText(r);
    case 'replay': return replayText(r);
  }
}
