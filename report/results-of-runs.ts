/**
 * The results of the commands that run a broker (`run`, `explore`, `mutants`) as the ReportResult
 * every report renders (report/report-result.ts), with the verdict from report/result.ts.
 */
import type { Campaign } from '../sim/campaign.ts';
import type { Exploration } from '../sim/explorer.ts';
import type { ZooResult } from '../brokers/mutants/run-mutant-zoo.ts';
import type { ShrinkReport } from '../sim/shrink.ts';
import { RULES, ruleInfo } from '../specs/rules.ts';
import { compiledMachine } from '../specs/compiled-machine.ts';
import { decideOutcome } from './result.ts';
import { allStateNodes } from './machine-svg.ts';
import { rejectionText } from '../specs/rejection-words.ts';
import type { RunResult } from '../sim/run.ts';
import { deadlockLines } from './deadlock.ts';
import { attach, CLASSES, reportFinding, RESULT_FORMAT, RESULT_VERSION, summaryOf, type ReportFinding, type ReportResult, type ReportWitness } from './report-result.ts';

function coverageOf(c: Campaign['coverage'], reached: string[]): NonNullable<ReportResult['coverage']> {
  return { reachedStates: reached, statesTotal: c.statesTotal, transitions: c.transitions, transitionsTotal: c.transitionsTotal, unreachedTransitions: c.unreachedTransitions, unreachedStates: [...c.unreachedStates] };
}

/**
 * The result of a campaign (`run`), with the witnesses fetched for its findings (none: the text and
 * `--json` need none).
 */
export function resultOfCampaign(c: Campaign, witnesses: ReportWitness[] = [], allNodes: readonly string[] = allStateNodes()): ReportResult {
  const findings = CLASSES.flatMap(([cls, key]) => c[key].map((f) => reportFinding(cls, f)));
  attach(findings, witnesses);
  const exercised = c.rules.filter((r) => r.verdict !== 'not exercised').length;
  const outcome = decideOutcome({
    violations: c.violations, brokerFailures: c.brokerFailures.length, runs: c.runs, planned: c.planned, cutRuns: c.cut - (c.planned - c.runs),
    incomplete: c.incomplete, warnings: c.warnings, inconclusive: c.inconclusive, lint: c.lint,
  });
  const unreached = new Set(c.coverage.unreachedStates);
  return {
    format: RESULT_FORMAT, version: RESULT_VERSION, command: 'run', outcome,
    summary: {
      impl: c.impl, strategy: c.strategy, seed: c.seed, workloads: c.workloads, runs: c.runs, steps: c.steps,
      ...(c.explorations ? { states: c.explorations.reduce((n, x) => n + x.states, 0) } : {}),
      rulesChecked: c.rules.length, rulesExercised: exercised,
      ...(c.interrupted ? { partial: true } : {}),
    },
    ...(c.steps > 0 ? { coverage: coverageOf(c.coverage, allNodes.filter((n) => !unreached.has(n))) } : {}),
    ends: { ...c.ends }, ...(c.deadlocks?.length ? { deadlocks: c.deadlocks.map((d) => ({ workload: d.workload, seed: d.seed, runs: d.runs, replay: d.token, cycle: deadlockLines(d.detail) })) } : {}),
    budgetExhausted: c.budgetExhausted, ...(c.gaveUp ? { gaveUp: c.gaveUp } : {}),
    ...(c.suite ? { suite: c.suite } : {}), ...(c.explorations ? { explorations: c.explorations.map((x) => ({ ...x })) } : {}),
    ...(c.traceOf ? { traceOf: { ...c.traceOf } } : {}),
    findings,
    rules: c.rules.map((r) => ({ rule: r.rule, kind: r.kind, party: r.party, verdict: r.verdict, ...(r.reason ? { reason: r.reason } : {}), summary: summaryOf(r.rule) })),
    advice: [...c.advice],
    brokerFailures: c.brokerFailures.map((b) => ({ workload: b.workload, seed: b.seed, reason: b.reason, ...(b.detail ? { detail: b.detail } : {}), ...(b.token ? { replay: b.token } : {}) })),
    witnesses,
    wall: { ms: c.wall.ms },
  };
}

type Explored = Omit<Exploration, 'coverage'> & { coverage?: unknown };

/** The result of `explore`: each violated rule of each exploration, with its shortest witness. */
export function resultOfExplorations(results: Explored[], witnesses: ReportWitness[], wallMs: number, interrupted: boolean, reached?: { reachedStates: string[]; reachedTransitions: string[] }): ReportResult {
  const findings: ReportFinding[] = [];
  for (const x of results) {
    for (const v of x.violations) {
      const info = safeInfo(v.rule);
      const w = witnesses.findIndex((s) => s.source === v.token);
      findings.push({
        class: 'violation', rule: v.rule, kind: info?.kind ?? 'must', party: info?.party ?? 'broker', workload: x.workload, runs: v.runs, steps: v.steps,
        events: w >= 0 ? witnessEventsOf(v.rule, witnesses[w]!) : [],
        explanation: v.explanation, citation: info ? { page: info.citation.page, ...(info.citation.seed ? { seed: info.citation.seed } : {}), phrase: info.citation.phrase } : { page: '', phrase: '' },
        replay: v.token, ...(w >= 0 ? { witness: w } : {}), by: v.by,
      });
    }
  }
  const outcome = decideOutcome({
    violations: results.flatMap((r) => r.violations), brokerFailures: results.filter((r) => r.brokerFailure).length,
    runs: results.reduce((n, r) => n + r.runs, 0), incomplete: results.filter((r) => !r.complete).length,
  });
  const violated = new Set(findings.map((f) => f.rule));
  return {
    format: RESULT_FORMAT, version: RESULT_VERSION, command: 'explore', outcome,
    summary: {
      impl: results[0]?.impl ?? '-', strategy: 'exhaustive', workloads: results.map((r) => r.workload), runs: outcome.runs, steps: results.reduce((n, r) => n + r.steps, 0),
      states: results.reduce((n, r) => n + r.states, 0), rulesChecked: RULES.length, rulesExercised: violated.size, ...(interrupted ? { partial: true } : {}),
    },
    ...(reached && results.some((r) => r.steps > 0) ? { coverage: explorationCoverage(reached) } : {}),
    explorations: results.map(({ coverage: _, ...x }) => {
      const outcome = decideOutcome({ violations: x.violations, brokerFailures: x.brokerFailure ? 1 : 0, runs: x.runs, incomplete: x.complete ? 0 : 1 });
      return { ...x, conformant: outcome.conformant };
    }),
    findings,
    rules: [...violated].map((id) => ({ rule: id, kind: safeInfo(id)?.kind ?? 'must', party: safeInfo(id)?.party ?? 'broker', verdict: 'violated', summary: summaryOf(id) })),
    advice: [],
    brokerFailures: results.filter((r) => r.brokerFailure).map((r) => ({ workload: r.workload, reason: r.brokerFailure!.reason, ...(r.brokerFailure!.detail ? { detail: r.brokerFailure!.detail } : {}), replay: r.brokerFailure!.token })),
    witnesses, wall: { ms: wallMs },
  };
}

/** The lifecycle machine's coverage of explorations, as a campaign's is reported. */
function explorationCoverage(reached: { reachedStates: string[]; reachedTransitions: string[] }): NonNullable<ReportResult['coverage']> {
  const m = compiledMachine();
  const took = new Set(reached.reachedTransitions);
  return {
    reachedStates: reached.reachedStates, statesTotal: m.stateNodes.length, transitions: took.size, transitionsTotal: m.transitions.length,
    unreachedTransitions: m.transitions.filter((t) => !took.has(t.id)).map((t) => t.id),
  };
}

/** The findings' events of one witness, as the judge gives them for `rule` (the witness was replayed). */
function witnessEventsOf(rule: string, w: ReportWitness): number[] {
  return w.findings?.[rule] ?? [];
}

function safeInfo(id: string) {
  try {
    return ruleInfo(id);
  } catch {
    return undefined;
  }
}

/** The result of `mutants`: here the suite is on trial, and a mutant not caught by a rule it targets is a finding. */
export function resultOfZoo(z: Omit<ZooResult, 'mutants'> & { mutants: (ZooResult['mutants'][number] & { shrink?: ShrinkReport })[] }, witnesses: ReportWitness[], wallMs: number): ReportResult {
  const misses = z.mutants.filter((m) => !m.byTarget || m.suspect);
  const outcome = decideOutcome({ violations: misses, runs: z.mutants.length });
  const findings: ReportFinding[] = [];
  for (const m of z.mutants) {
    if (!m.killed || !m.replay) continue;
    const rule = m.caughtBy.find((r) => m.targets.includes(r)) ?? m.caughtBy[0] ?? '';
    const info = safeInfo(rule);
    const w = witnesses.findIndex((s) => s.source === m.replay);
    findings.push({
      class: 'violation', rule, kind: info?.kind ?? 'must', party: info?.party ?? 'broker', workload: m.workload, runs: 1,
      events: w >= 0 ? witnessEventsOf(rule, witnesses[w]!) : [], explanation: `mutant ${m.name}: ${m.evidence ?? m.description}`,
      citation: info ? { page: info.citation.page, ...(info.citation.seed ? { seed: info.citation.seed } : {}), phrase: info.citation.phrase } : { page: '', phrase: '' },
      replay: m.replay, ...(w >= 0 ? { witness: w } : {}), ...(m.shrink ? { steps: m.shrink.after.steps, shrink: m.shrink } : {}),
    });
  }
  return {
    format: RESULT_FORMAT, version: RESULT_VERSION, command: 'mutants', outcome,
    summary: {
      impl: 'mutant zoo', strategy: z.options.strategy, seed: z.options.seed, workloads: z.options.workloads, runs: z.mutants.reduce((n, m) => n + (m.runsToDetect ?? 0), 0), steps: 0,
      rulesChecked: RULES.length, rulesExercised: new Set(z.mutants.flatMap((m) => m.caughtBy)).size, ...(z.interrupted ? { partial: true } : {}),
    },
    findings,
    rules: [],
    advice: [],
    brokerFailures: [],
    mutants: z.mutants.map((m) => ({
      name: m.name, targets: m.targets, killed: m.killed, byTarget: m.byTarget, suspect: m.suspect ?? false, caughtBy: m.caughtBy, runsToDetect: m.runsToDetect,
      ...(m.workload ? { workload: m.workload } : {}), ...(m.replay ? { replay: m.replay } : {}), ...(m.evidence ? { evidence: m.evidence } : {}), ...(m.shrink ? { shrink: m.shrink } : {}),
      interleaving: m.interleaving, runsMade: m.runsMade,
    })),
    zoo: { runs: z.options.runs, workloads: [...z.options.workloads], score: { ...z.score }, baseline: z.baseline.map((b) => ({ ...b })) },
    witnesses, wall: { ms: wallMs },
  };
}


/**
 * The result of `replay`: one run judged again. A rejection by the lifecycle machine that no check
 * said in the same words is a finding of its own (`by: 'monitor'`), its explanation in words.
 */
export function resultOfReplay(r: RunResult, witnesses: ReportWitness[] = [], interrupted = false): ReportResult {
  const findings = CLASSES.flatMap(([cls, key]) => r.judge[key].map((f) => reportFinding(cls, f)));
  const said = new Set(findings.map((f) => `${f.rule}|${f.explanation}`));
  for (const x of r.monitor) {
    for (const rule of x.rules) {
      const explanation = rejectionText(x, rule);
      if (said.has(`${rule}|${explanation}`)) continue;
      said.add(`${rule}|${explanation}`);
      const info = safeInfo(rule);
      findings.push({
        class: 'violation', rule, kind: info?.kind ?? 'must', party: info?.party ?? 'broker', runs: 1, events: [x.seq], explanation,
        citation: info ? { page: info.citation.page, ...(info.citation.seed ? { seed: info.citation.seed } : {}), phrase: info.citation.phrase } : { page: '', phrase: '' }, by: 'monitor',
      });
    }
  }
  for (const f of findings) f.replay = r.token;
  attach(findings, witnesses);
  const failed = r.end.reason === 'crash' || r.end.reason === 'timeout' || r.end.reason === 'protocol-error';
  const outcome = decideOutcome({
    violations: [...r.judge.violations, ...r.monitor], runs: 1, cutRuns: r.end.reason === 'bound' || r.end.reason === 'stopped' ? 1 : 0,
    brokerFailures: failed ? 1 : 0, warnings: r.judge.warnings, inconclusive: r.judge.inconclusive, lint: r.judge.lint,
  });
  return {
    format: RESULT_FORMAT, version: RESULT_VERSION, command: 'replay', outcome,
    summary: {
      impl: r.impl, strategy: r.strategy, seed: r.seed, workloads: [r.workload], runs: 1, steps: r.steps,
      rulesChecked: r.judge.results.length, rulesExercised: r.judge.results.filter((x) => x.verdict !== 'not exercised').length, ...(interrupted ? { partial: true } : {}),
    },
    replay: { token: r.token, workload: r.workload, strategy: r.strategy, seed: r.seed, steps: r.steps, end: { reason: r.end.reason, ...(r.end.detail ? { detail: r.end.detail } : {}) } },
    ends: { [r.end.reason]: 1 },
    findings,
    rules: r.judge.results.map((x) => ({ rule: x.rule, kind: x.kind, party: x.party, verdict: x.verdict, ...(x.reason ? { reason: x.reason } : {}), summary: summaryOf(x.rule), ...(x.more ? { more: x.more } : {}) })),
    advice: [...r.judge.advice],
    brokerFailures: failed ? [{ workload: r.workload, seed: r.seed, reason: r.end.reason, ...(r.end.detail ? { detail: r.end.detail } : {}), replay: r.token }] : [],
    witnesses, wall: { ms: 0 },
  };
}
