/**
 * The text and JSON renderings of a campaign (what `wbemsim run` prints). Reports read the
 * campaign result only; they never import the simulator. Every string that came from a workload,
 * a trace or a broker goes through `inert` (or `inertLines`) on its way into the text.
 */
import type { Campaign, FoldedFinding } from '../sim/campaign.ts';
import { notConclusiveReason, type Outcome } from './result.ts';
import { inert, inertLines } from './inert.ts';
import { findingLines } from './finding-text.ts';
import { suiteHeader, suiteLines } from './suite-text.ts';

/** The campaign's outcome, as report/result.ts decided it when the campaign was folded. */
export function campaignOutcome(c: Campaign): Outcome {
  return {
    conformant: c.conformant, runs: c.runs, planned: c.planned, cut: c.cut, incomplete: c.incomplete, conclusive: c.conclusive,
    warnings: c.warnings.length, inconclusive: c.inconclusive.length, lint: c.lint.length,
  };
}

/** The `--json` shape: `conformant`, `runs`, `steps`, `violations[]` (each with `rule` and `replay`), and the rest. */
export function campaignJson(c: Campaign) {
  return {
    conformant: c.conformant,
    impl: c.impl,
    strategy: c.strategy,
    seed: c.seed,
    workloads: c.workloads,
    conclusive: c.conclusive,
    runs: c.runs,
    planned: c.planned,
    cut: c.cut,
    incomplete: c.incomplete,
    steps: c.steps,
    violations: c.violations,
    warnings: c.warnings,
    lint: c.lint,
    inconclusive: c.inconclusive,
    advice: c.advice,
    brokerFailures: c.brokerFailures,
    rules: c.rules,
    ends: c.ends,
    coverage: c.coverage,
    budgetExhausted: c.budgetExhausted,
    ...(c.gaveUp ? { gaveUp: c.gaveUp } : {}),
    ...(c.interrupted ? { partial: true, interrupted: true } : {}),
    ...(c.explorations ? { explorations: c.explorations } : {}),
    ...(c.suite ? { suite: c.suite } : {}),
    ...(c.traceOf ? { traceOf: c.traceOf } : {}),
    wall: c.wall,
  };
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function finding(f: FoldedFinding, label: string): string {
  return findingLines(f, label, '  ').join('\n');
}

/** What `p` and `d` in an explanation stand for, in words. */
export const MOMENTS_LEGEND = 'p = the moment the broker processed the cancel; d = the moment it called the final status (decided it, where the broker annotates it)';

/** Rules counted apart from findings: a rule violated in three workloads is one rule, three findings. */
export function violationCounts(c: Pick<Campaign, 'violations'>): { rules: number; workloads: number; findings: number } {
  return { rules: new Set(c.violations.map((f) => f.rule)).size, workloads: new Set(c.violations.map((f) => f.workload)).size, findings: c.violations.length };
}

/**
 * A summary a person reads in a minute: what ran, the verdict, each finding with its replay
 * command. `verbose` lists the rules not exercised by name; otherwise they are counted.
 */
export function formatCampaign(c: Campaign, options: { verbose?: boolean } = {}): string {
  const out: string[] = [];
  const checked = c.rules.filter((r) => r.verdict !== 'not exercised').length;
  if (c.suite) out.push(suiteHeader(inert(c.impl), c.suite, c.seed, c.strategy));
  else out.push(`wbemsim run: ${inert(c.impl)} over ${plural(c.workloads.length, 'workload')} (${c.workloads.map(inert).join(', ')}), strategy ${c.strategy}, seeds ${c.seed}..${c.seed + Math.max(0, Math.ceil(c.runs / Math.max(1, c.workloads.length)) - 1)}`);
  if (c.interrupted) out.push(`  PARTIAL: interrupted after ${plural(c.runs, 'finished run')}; everything below covers only those`);
  if (c.runs === 0) out.push('  no run was made');
  else {
    out.push(`  runs ${c.runs}${c.cut ? ` (${c.cut} of ${c.planned} cut)` : ''}, steps ${c.steps}, rules ${c.rules.length} (${checked} exercised, ${c.rules.length - checked} not exercised)`);
    out.push(`  run ends: ${Object.entries(c.ends).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  }
  if (c.steps > 0) {
    out.push(`  model coverage: ${c.coverage.states}/${c.coverage.statesTotal} states, ${c.coverage.transitions}/${c.coverage.transitionsTotal} transitions of the lifecycle machine`);
    // Say what was not reached, briefly: a few names, then how many more.
    const brief = (xs: string[]) => xs.slice(0, 6).join('; ') + (xs.length > 6 ? `; and ${xs.length - 6} more` : '');
    if (c.coverage.unreachedStates.length) out.push(`    states not reached: ${brief(c.coverage.unreachedStates)}`);
    if (c.coverage.unreachedTransitions.length) out.push(`    transitions not reached: ${brief(c.coverage.unreachedTransitions)}`);
  }
  if (c.suite) out.push(...suiteLines(c.suite));
  for (const x of c.explorations ?? []) out.push(`  explored ${inert(x.workload)}: ${x.states} states, ${x.transitions} transitions, ${x.runs} runs, ${x.complete ? 'complete' : `incomplete (cut by ${x.cut})`}`);
  if (c.budgetExhausted) out.push('  the time budget ran out: not every planned run was made');
  if (c.gaveUp) out.push(`  ${c.gaveUp}`);
  // The first broker failure in full (with the broker's stderr); the others counted.
  for (const b of c.brokerFailures.slice(0, 1)) out.push(`  broker failure (${inert(b.reason)}) in ${inert(b.workload)} seed ${b.seed}: ${inertLines(b.detail ?? '')}${b.token ? `\n    replay: wbemsim replay ${inert(b.token)}` : ''}`);
  if (c.brokerFailures.length > 1) out.push(`  and ${c.brokerFailures.length - 1} more broker failure(s): ${[...new Set(c.brokerFailures.slice(1).map((b) => b.reason))].join(', ')} (--json lists each)`);
  const counts = violationCounts(c);
  const where = counts.workloads > 1 ? `, in ${plural(counts.workloads, 'workload')}` : '';
  if (c.violations.length) {
    out.push('', `Violations: ${plural(counts.rules, 'rule')} violated${where}${counts.findings !== counts.rules ? ` (${plural(counts.findings, 'finding')})` : ''}:`);
    for (const f of c.violations) out.push(finding(f, 'VIOLATED'));
  }
  if (c.warnings.length) {
    out.push('', `Warnings (${c.warnings.length}):`);
    for (const f of c.warnings) out.push(finding(f, 'warning'));
  }
  // Rule-level inconclusive verdicts are listed even when no finding came with them.
  const withFinding = new Set(c.inconclusive.map((f) => f.rule));
  const bare = c.rules.filter((r) => r.verdict === 'inconclusive' && !withFinding.has(r.rule));
  if (c.inconclusive.length || bare.length) {
    out.push('', `Inconclusive (${plural(withFinding.size + bare.length, 'rule')}):`);
    for (const f of c.inconclusive) out.push(finding(f, 'inconclusive'));
    for (const r of bare) out.push(`  inconclusive ${inert(r.rule)}: ${inert(r.reason ?? 'some placements of the broker\'s unseen moments break it, others do not')}`);
  }
  if ([...c.violations, ...c.warnings, ...c.inconclusive].some((f) => /\b[pd] at \d/.test(f.explanation))) out.push('', `(${MOMENTS_LEGEND})`);
  if (c.lint.length) {
    out.push('', `Client findings, not broker failures (${plural(new Set(c.lint.map((f) => f.rule)).size, 'rule')}, ${plural(c.lint.length, 'finding')}):`);
    for (const f of c.lint) out.push(`  ${inert(f.rule)} (${inert(f.workload)}, ${plural(f.runs, 'run')}): ${inert(f.explanation)}`);
  }
  const unexercised = c.rules.filter((r) => r.verdict === 'not exercised').map((r) => r.rule);
  if (unexercised.length && c.steps > 0) {
    out.push('', options.verbose ? `Not exercised by these workloads: ${unexercised.join(', ')}` : `Not exercised by these workloads: ${plural(unexercised.length, 'rule')} (--verbose names them)`);
  }
  for (const a of c.advice) out.push(`Advice: ${inert(a)}`);
  const verdict = c.interrupted ? 'Verdict (PARTIAL, interrupted)' : 'Verdict';
  const cut = notConclusiveReason(campaignOutcome(c), c.explorations ? c.workloads.length : undefined);
  if (!c.conformant) out.push('', `${verdict}: NOT CONFORMANT (${plural(counts.rules, 'must rule')} violated${where}${c.brokerFailures.length ? `, ${plural(c.brokerFailures.length, 'broker failure')}` : ''}${cut ? `; ${cut}` : ''})`);
  else if (cut && !c.interrupted) out.push('', `${verdict}: NOT CONCLUSIVE: ${cut} (no must rule violated in what ran; a cut run is not a pass: raise --max-steps or --time-budget, or accept it with --allow-cut)`);
  else out.push('', `${verdict}: CONFORMANT (no must rule violated in ${plural(c.runs, 'run')})`);
  return out.join('\n') + '\n';
}
