/**
 * The result every report renders: one document per command run (`run`, `check`, `explore`,
 * `mutants`), written as `result.json` and read back by `wbemsim report`. Its verdict comes from
 * report/result.ts (`decideOutcome`), the one place that decides conformance; the renderers of
 * report/ (text, JSON, HTML, Markdown, JUnit) read it and decide nothing. It embeds the witness
 * events of the findings it shows, so that a report never needs the broker again. Wall-clock
 * figures sit in `wall` alone; everything else is a pure function of the command's inputs.
 * The format is described by report/result.schema.json and docs/reports.md.
 */
import type { Finding } from '../specs/check.ts';
import type { JudgeResult } from '../specs/judge.ts';
import type { TraceLine } from '../trace/event.ts';
import { ruleInfo } from '../specs/rules.ts';
import type { ShrinkInfo } from './finding-text.ts';
import { decideOutcome, type Outcome } from './result.ts';
import { allStateNodes } from './machine-svg.ts';

const STATE_NODES_TOTAL = () => allStateNodes().length;

export const RESULT_FORMAT = 'wbemsim-result';
export const RESULT_VERSION = 1;

export type FindingClass = 'violation' | 'warning' | 'inconclusive' | 'lint';

/** One finding as a report shows it. */
export interface ReportFinding {
  class: FindingClass;
  rule: string;
  kind: string;
  party: string;
  workload?: string;
  /** In how many runs the finding was given. */
  runs: number;
  /** Scheduler steps of the run shown (the shortest found). */
  steps?: number;
  /** Sequence numbers of the offending events in the witness. */
  events: number[];
  explanation: string;
  citation: { page: string; seed?: string; phrase: string };
  derivedFrom?: string;
  replay?: string;
  /** Index into `witnesses` of the trace this finding's events refer to. */
  witness?: number;
  /** Set when the witness was shrunk: `replay` is then the shrunk run's token, `shrink.original` the run as found. */
  shrink?: ShrinkInfo;
}

/** A rule's verdict over everything the command judged. */
export interface ReportRule {
  rule: string;
  kind: string;
  party: string;
  verdict: string;
  reason?: string;
  /** The rule's one-line summary. */
  summary: string;
}

export interface ReportWitness {
  /** Where the trace came from: a replay token, or the file checked. */
  source: string;
  workload?: string;
  events: TraceLine[];
  /** Per rule, the sequence numbers of the events the judge named in this trace. */
  findings?: Record<string, number[]>;
}

/** The result a report renders. */
export interface ReportResult {
  format: typeof RESULT_FORMAT;
  version: typeof RESULT_VERSION;
  command: 'run' | 'check' | 'explore' | 'mutants';
  /** What the verdict is made of (report/result.ts). */
  outcome: Outcome;
  summary: {
    impl: string;
    strategy: string;
    seed?: number;
    workloads: string[];
    runs: number;
    steps: number;
    /** Distinct states explored (`explore`, `run --strategy exhaustive`). */
    states?: number;
    rulesChecked: number;
    rulesExercised: number;
    partial?: boolean;
    /** Why the outcome is not conclusive, in words, when it is not. */
    notConclusive?: string;
  };
  /** Coverage of the lifecycle machine: state nodes (`region.state`) reached. */
  coverage?: { reachedStates: string[]; statesTotal: number; transitions: number; transitionsTotal: number; unreachedTransitions: string[] };
  findings: ReportFinding[];
  rules: ReportRule[];
  advice: string[];
  brokerFailures: { workload: string; seed?: number; reason: string; detail?: string; replay?: string }[];
  /** `mutants`: one row per mutant of the zoo. */
  mutants?: { name: string; targets: string[]; killed: boolean; byTarget: boolean; suspect: boolean; caughtBy: string[]; runsToDetect: number | null; workload?: string; replay?: string; evidence?: string; shrink?: ShrinkInfo }[];
  witnesses: ReportWitness[];
  /** Wall-clock figures: never part of determinism. */
  wall: { ms: number };
}

export const CLASSES: [FindingClass, 'violations' | 'warnings' | 'inconclusive' | 'lint'][] = [['violation', 'violations'], ['warning', 'warnings'], ['inconclusive', 'inconclusive'], ['lint', 'lint']];

export function reportFinding(cls: FindingClass, f: Finding & { workload?: string; runs?: number; steps?: number; shrink?: ShrinkInfo }): ReportFinding {
  return {
    class: cls, rule: f.rule, kind: f.kind, party: f.party, ...(f.workload !== undefined ? { workload: f.workload } : {}), runs: f.runs ?? 1,
    ...(f.steps !== undefined ? { steps: f.steps } : {}), events: [...f.events], explanation: f.explanation,
    citation: { page: f.citation.page, ...(f.citation.seed ? { seed: f.citation.seed } : {}), phrase: f.citation.phrase },
    ...(f.derivedFrom ? { derivedFrom: f.derivedFrom } : {}), ...(f.replay ? { replay: f.replay } : {}), ...(f.shrink ? { shrink: f.shrink } : {}),
  };
}

export function summaryOf(id: string): string {
  try {
    return ruleInfo(id).summary;
  } catch {
    return '';
  }
}

/** Attaches each finding to the witness whose source is its replay token. */
export function attach(findings: ReportFinding[], witnesses: ReportWitness[]): void {
  for (const f of findings) {
    const i = witnesses.findIndex((w) => w.source === f.replay);
    if (i >= 0) f.witness = i;
  }
}


/** The result of `check` on one trace file; `events` is the trace (or its first part) as read. */
export function resultOfCheck(path: string, r: JudgeResult, events: TraceLine[], reachedStates: string[] | undefined, partial: boolean): ReportResult {
  const witnesses: ReportWitness[] = [{ source: path, events }];
  const findings = CLASSES.flatMap(([cls, key]) => r[key].map((f) => ({ ...reportFinding(cls, f), witness: 0 })));
  const outcome = decideOutcome({ violations: r.violations, runs: 1, warnings: r.warnings, inconclusive: r.inconclusive, lint: r.lint });
  return {
    format: RESULT_FORMAT, version: RESULT_VERSION, command: 'check', outcome,
    summary: {
      impl: headerName(events) ?? 'recorded trace', strategy: 'recorded', workloads: [path], runs: 1, steps: r.events,
      rulesChecked: r.results.length, rulesExercised: r.results.filter((x) => x.verdict !== 'not exercised').length, ...(partial ? { partial: true } : {}),
    },
    ...(reachedStates ? { coverage: { reachedStates, statesTotal: STATE_NODES_TOTAL(), transitions: 0, transitionsTotal: 0, unreachedTransitions: [] } } : {}),
    findings,
    rules: r.results.map((x) => ({ rule: x.rule, kind: x.kind, party: x.party, verdict: x.verdict, ...(x.reason ? { reason: x.reason } : {}), summary: summaryOf(x.rule) })),
    advice: [...r.advice], brokerFailures: [], witnesses, wall: { ms: 0 },
  };
}

function headerName(events: TraceLine[]): string | undefined {
  const h = events[0] as { type?: string; broker?: { name?: string } } | undefined;
  return h?.type === 'header' && typeof h.broker?.name === 'string' ? h.broker.name : undefined;
}

/** The verdict in words, the same in every rendering: decided by `outcome` alone. */
export function verdictOf(r: ReportResult): { word: 'CONFORMANT' | 'NOT CONFORMANT' | 'NOT CONCLUSIVE'; detail: string } {
  const o = r.outcome;
  const n = (k: number, w: string) => `${k} ${w}${k === 1 ? '' : 's'}`;
  if (r.command === 'mutants') {
    return o.conformant ? { word: 'CONFORMANT', detail: `every mutant caught by a rule it targets (${n(r.mutants?.length ?? 0, 'mutant')})` }
      : { word: 'NOT CONFORMANT', detail: `${n(r.mutants?.filter((m) => !m.byTarget || m.suspect).length ?? 0, 'mutant')} not caught by a rule it targets` };
  }
  const violated = new Set(r.findings.filter((f) => f.class === 'violation').map((f) => f.rule));
  if (!o.conformant) {
    const where = new Set(r.findings.filter((f) => f.class === 'violation').map((f) => f.workload ?? '')).size;
    const parts = [`${n(violated.size, 'must rule')} violated${where > 1 ? `, in ${n(where, 'workload')}` : ''}`];
    if (r.brokerFailures.length) parts.push(n(r.brokerFailures.length, 'broker failure'));
    return { word: 'NOT CONFORMANT', detail: parts.join(', ') };
  }
  if (!o.conclusive) return { word: 'NOT CONCLUSIVE', detail: `${r.summary.notConclusive ?? 'some runs were cut'}; no must rule violated in what ran` };
  return { word: 'CONFORMANT', detail: `no must rule violated in ${n(o.runs, 'run')}` };
}

export { citationText, replayCommand } from './finding-text.ts';
