/**
 * The JUnit XML report (`junit.xml`): one test case per rule (per mutant for `mutants`), so that
 * CI systems show the verdict natively. A violated `must` rule is a failure; a rule not exercised
 * is skipped with its reason; warnings and inconclusive verdicts pass with their findings in
 * system-out. It renders a ReportResult and decides nothing; every text is escaped.
 */
import { RULES } from '../specs/rules.ts';
import { citationText, replayCommand, verdictOf, type ReportResult } from './report-result.ts';
import { html as xml } from './escape.ts';

interface Case { name: string; failure?: string; skipped?: string; out?: string }

function ruleCases(r: ReportResult): Case[] {
  const rules = r.command === 'explore' ? RULES.map((x) => ({ rule: x.id, verdict: 'not violated', reason: undefined as string | undefined })) : r.rules;
  return rules.map((x) => {
    const fs = r.findings.filter((f) => f.rule === x.rule);
    const text = fs.map((f) => [`${f.class} ${f.rule}${f.workload ? ` (${f.workload})` : ''}: ${f.explanation}`, `source: ${citationText(f.citation)}`, `events: ${f.events.join(', ') || '-'}`, replayCommand(f) ?? ''].filter(Boolean).join('\n')).join('\n\n');
    const violated = fs.some((f) => f.class === 'violation');
    if (violated) return { name: x.rule, failure: text };
    if (x.verdict === 'not exercised') return { name: x.rule, skipped: `not exercised${x.reason ? `: ${x.reason}` : ''}` };
    return { name: x.rule, ...(text ? { out: text } : x.reason ? { out: `${x.verdict}: ${x.reason}` } : {}) };
  });
}

function mutantCases(r: ReportResult): Case[] {
  return (r.mutants ?? []).map((m) => (m.byTarget && !m.suspect
    ? { name: m.name, out: `caught by ${m.caughtBy.join(', ')} in ${m.runsToDetect ?? '-'} runs` }
    : { name: m.name, failure: m.killed ? `caught only by ${m.caughtBy.join(', ')}${m.suspect ? ' (suspect: the reference broker violates it too)' : ''}, targets ${m.targets.join(', ')}` : `not caught; targets ${m.targets.join(', ')}` }));
}

/** The whole report as JUnit XML. */
export function renderJunit(r: ReportResult): string {
  const cases = r.command === 'mutants' ? mutantCases(r) : ruleCases(r);
  const failures = cases.filter((c) => c.failure !== undefined).length;
  const skipped = cases.filter((c) => c.skipped !== undefined).length;
  const v = verdictOf(r);
  const suite = `wbemsim ${r.command} ${r.summary.impl}`;
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites name="wbemsim" tests="${cases.length}" failures="${failures}" skipped="${skipped}">`,
    `  <testsuite name="${xml(suite)}" tests="${cases.length}" failures="${failures}" skipped="${skipped}" errors="0">`,
    `    <properties><property name="verdict" value="${xml(v.word)}"/><property name="detail" value="${xml(v.detail)}"/><property name="runs" value="${r.outcome.runs}"/></properties>`];
  for (const c of cases) {
    const open = `    <testcase classname="${xml(suite)}" name="${xml(c.name)}"`;
    if (c.failure !== undefined) lines.push(`${open}><failure message="${xml(c.failure.split('\n')[0]!)}" type="violation">${xml(c.failure)}</failure></testcase>`);
    else if (c.skipped !== undefined) lines.push(`${open}><skipped message="${xml(c.skipped)}"/></testcase>`);
    else if (c.out) lines.push(`${open}><system-out>${xml(c.out)}</system-out></testcase>`);
    else lines.push(`${open}/>`);
  }
  if (r.brokerFailures.length) {
    lines.push(`    <testcase classname="${xml(suite)}" name="broker"><error message="${xml(`${r.brokerFailures.length} broker failure(s)`)}" type="broker-failure">${xml(r.brokerFailures.map((b) => `${b.reason} in ${b.workload}: ${b.detail ?? ''}`).join('\n'))}</error></testcase>`);
  }
  lines.push('  </testsuite>', '</testsuites>', '');
  return lines.join('\n');
}
