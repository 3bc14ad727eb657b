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
import { decideOutcome, notConclusiveReason, type Outcome } from './result.ts';
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
  /** Who found it: the lifecycle machine (`monitor`) or a rule's check (`judge`); set by `explore`. */
  by?: 'monitor' | 'judge';
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
  /** Findings of this rule beyond those listed in `findings` (the judge keeps the first few per rule). */
  more?: number;
}

/** The conformance suite's summary (`run` without `--workload`). */
export interface ReportSuite {
  scenarios: number;
  swarmRuns: number;
  /** Rules exercised by at least one scenario run. */
  byScenario: string[];
  /** Rules exercised by the swarm's runs and by no scenario. */
  onlyByCampaign: string[];
  /** Rules no run exercised. */
  notCovered: string[];
  /** What the steering aimed the generator at, and whether a later run reached it. */
  targets: { because: 'rule' | 'transition'; rule: string; transition?: string; features: string[]; from: number; reachedAt?: number }[];
  /** Swarm runs per strategy of the portfolio. */
  strategies: Record<string, number>;
}

/** One exploration (`explore`, `run --strategy exhaustive`): the space explored and what broke in it. */
export interface ReportExploration {
  workload: string;
  impl?: string;
  mode?: 'stateful' | 'breadth-first' | 're-execution';
  states: number;
  transitions: number;
  /** Executions from the start (re-execution), or paths (stateful). */
  runs: number;
  steps?: number;
  complete: boolean;
  /** Why not complete: the bound that cut it. */
  cut?: string;
  hashCompaction?: { omission: number; bytesPerState: number };
  /** A search that stored its states whole: the bytes per state of its table of visited states. */
  stateTable?: { bytesPerState: number };
  /** Worker threads that shared the states they claimed by hash: the probability that one was not explored. */
  sharedClaims?: { omission: number };
  /** Groups of interchangeable calls the search merged the renamings of. */
  symmetry?: string[][];
  /** `--por`: at how many states one sink's steps were explored alone, or why never. */
  por?: { reduced: number } | { refusal: string; untimedProviders?: true };
  /** This exploration's own verdict (report/result.ts decides it). */
  conformant?: boolean;
  brokerFailure?: { reason: string; detail?: string; token: string };
  violations?: { rule: string; by: 'monitor' | 'judge'; explanation: string; token: string; steps: number; runs: number }[];
  ends?: Record<string, number>;
  /** The first run found that ended in a deadlock: what waited on what, and its replay token. */
  deadlock?: { detail: string; token: string; steps: number };
}

/** A replayed run (`replay`): what ran and how it ended. */
export interface ReportReplay {
  token: string;
  workload: string;
  strategy: string;
  seed: number;
  steps: number;
  end: { reason: string; detail?: string };
}

/** A deadlock as a report shows it (report/deadlock.ts). */
export interface ReportDeadlock {
  workload: string;
  seed: number;
  runs: number;
  replay: string;
  cycle: string[];
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
  command: 'run' | 'check' | 'explore' | 'mutants' | 'replay';
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
  /** Coverage of the lifecycle machine: state nodes (`region.state`) reached, and (`run`, `explore`) those not reached. */
  coverage?: { reachedStates: string[]; statesTotal: number; transitions: number; transitionsTotal: number; unreachedTransitions: string[]; unreachedStates?: string[] };
  /** How the runs ended (`quiescent`, `bound`, `deadlock`, ...), counted. */
  ends?: Record<string, number>;
  /**
   * Runs that ended in a deadlock, per workload (the first few workloads): the first such run's
   * seed and replay token, what waited on what, one line each (a client thread's reads thread →
   * waits on → held by), and how many runs of the workload deadlocked.
   */
  deadlocks?: ReportDeadlock[];
  /** Set when the time budget ran out before every planned run was made. */
  budgetExhausted?: boolean;
  /** Set when the campaign stopped because the broker kept failing, with why. */
  gaveUp?: string;
  /** `run` of the conformance suite: what the scenarios and the swarm covered. */
  suite?: ReportSuite;
  /** `explore`, `run --strategy exhaustive`: one entry per workload explored. */
  explorations?: ReportExploration[];
  /** `replay`: the run replayed. */
  replay?: ReportReplay;
  /** `run --trace`: which run the trace written is. */
  traceOf?: { workload: string; seed: number; token: string };
  /** `mutants`: the zoo's budget, its score and the reference broker's own violations. */
  zoo?: {
    runs: number;
    workloads: string[];
    score: { killed: number; weak: number; suspect: number; total: number };
    baseline: { rule: string; workload: string; replay: string; explanation: string }[];
  };
  findings: ReportFinding[];
  rules: ReportRule[];
  advice: string[];
  brokerFailures: { workload: string; seed?: number; reason: string; detail?: string; replay?: string }[];
  /** `mutants`: one row per mutant of the zoo. */
  mutants?: { name: string; targets: string[]; killed: boolean; byTarget: boolean; suspect: boolean; caughtBy: string[]; runsToDetect: number | null; workload?: string; replay?: string; evidence?: string; shrink?: ShrinkInfo; interleaving?: boolean; runsMade?: number }[];
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


/** Findings of each class beyond those the judge listed (its `more`, per rule). */
function notShownOf(r: JudgeResult): { warnings: number; inconclusive: number; lint: number } {
  const out = { warnings: 0, inconclusive: 0, lint: 0 };
  for (const x of r.results) {
    if (!x.more) continue;
    const key = r.lint.some((f) => f.rule === x.rule) ? 'lint' : r.warnings.some((f) => f.rule === x.rule) ? 'warnings' : r.inconclusive.some((f) => f.rule === x.rule) ? 'inconclusive' : undefined;
    if (key) out[key] += x.more;
  }
  return out;
}

/** The result of `check` on one trace file; `events` is the trace (or its first part) as read. */
export function resultOfCheck(path: string, r: JudgeResult, events: TraceLine[], reachedStates: string[] | undefined, partial: boolean): ReportResult {
  const witnesses: ReportWitness[] = events.length ? [{ source: path, events }] : [];
  const findings = CLASSES.flatMap(([cls, key]) => r[key].map((f) => ({ ...reportFinding(cls, f), ...(witnesses.length ? { witness: 0 } : {}) })));
  const outcome = decideOutcome({ violations: r.violations, runs: 1, warnings: r.warnings, inconclusive: r.inconclusive, lint: r.lint, notShown: notShownOf(r) });
  return {
    format: RESULT_FORMAT, version: RESULT_VERSION, command: 'check', outcome,
    summary: {
      impl: headerName(events) ?? 'recorded trace', strategy: 'recorded', workloads: [path], runs: 1, steps: r.events,
      rulesChecked: r.results.length, rulesExercised: r.results.filter((x) => x.verdict !== 'not exercised').length, ...(partial ? { partial: true } : {}),
    },
    ...(reachedStates ? { coverage: { reachedStates, statesTotal: STATE_NODES_TOTAL(), transitions: 0, transitionsTotal: 0, unreachedTransitions: [] } } : {}),
    findings,
    rules: r.results.map((x) => ({ rule: x.rule, kind: x.kind, party: x.party, verdict: x.verdict, ...(x.reason ? { reason: x.reason } : {}), summary: summaryOf(x.rule), ...(x.more ? { more: x.more } : {}) })),
    advice: [...r.advice], brokerFailures: [], witnesses, wall: { ms: 0 },
  };
}

function headerName(events: TraceLine[]): string | undefined {
  const h = events[0] as { type?: string; broker?: { name?: string } } | undefined;
  return h?.type === 'header' && typeof h.broker?.name === 'string' ? h.broker.name : undefined;
}

/**
 * The verdict word of an outcome (or of one exploration: `conformant` as its outcome decided it,
 * absent when not recorded): the one place that turns `conformant` and `conclusive` into words.
 */
export function verdictWordOf(o: { conformant?: boolean; conclusive: boolean }): 'CONFORMANT' | 'NOT CONFORMANT' | 'NOT CONCLUSIVE' {
  return o.conformant === false ? 'NOT CONFORMANT' : o.conclusive ? 'CONFORMANT' : 'NOT CONCLUSIVE';
}

/** What to do about a result that is not conclusive, per command. */
const NOT_CONCLUSIVE_HINT: Record<ReportResult['command'], string> = {
  run: 'no must rule violated in what ran; a cut run is not a pass: raise --max-steps or --time-budget, or accept it with --allow-cut',
  explore: 'no violation in what was explored; raise --max-states, --max-steps or --time-budget, or accept it with --allow-cut',
  replay: 'no must rule violated in what ran; a cut run is not a pass: accept it with --allow-cut',
  check: 'no must rule violated in what was read',
  mutants: 'some mutants were not run',
};

/**
 * The verdict in words, the same in every rendering (the text of every command, HTML, Markdown,
 * JUnit): decided by `outcome` alone. The word is one of three; the detail says what it rests on,
 * rules counted apart from findings ("1 must rule violated, in 3 workloads").
 */
export function verdictOf(r: ReportResult): { word: ReturnType<typeof verdictWordOf>; detail: string } {
  const o = r.outcome;
  const word = verdictWordOf(o);
  const n = (k: number, w: string) => `${k} ${w}${k === 1 ? '' : 's'}`;
  if (r.command === 'mutants') {
    return { word, detail: o.conformant ? `every mutant caught by a rule it targets (${n(r.mutants?.length ?? 0, 'mutant')})`
      : `${n(r.mutants?.filter((m) => !m.byTarget || m.suspect).length ?? 0, 'mutant')} not caught by a rule it targets` };
  }
  const violations = r.findings.filter((f) => f.class === 'violation');
  const violated = [...new Set(violations.map((f) => f.rule))];
  const cut = r.summary.notConclusive ?? notConclusiveReason(o, r.explorations?.length);
  if (!o.conformant) {
    const where = new Set(violations.map((f) => f.workload ?? '')).size;
    // One trace or one run: the rules themselves are named.
    const named = (r.command === 'check' || r.command === 'replay') && violated.length ? `: ${violated.join(', ')}` : '';
    const parts = [`${n(violated.length, 'must rule')} violated${named}${where > 1 ? `, in ${n(where, 'workload')}` : ''}`];
    if (r.brokerFailures.length) parts.push(n(r.brokerFailures.length, 'broker failure'));
    return { word, detail: parts.join(', ') + (cut ? `; ${cut}` : '') };
  }
  if (!o.conclusive) return { word, detail: `${cut ?? 'some runs were cut'} (${NOT_CONCLUSIVE_HINT[r.command]})` };
  const where = r.command === 'check' ? 'this trace' : r.command === 'replay' ? 'this run'
    : r.command === 'explore' ? `any interleaving explored, in ${n(r.explorations?.length ?? r.summary.workloads.length, 'workload')}` : n(o.runs, 'run');
  return { word, detail: `no must rule violated in ${where}` };
}

/**
 * The verdict as the text of every command ends: `Verdict: NOT CONFORMANT (…)`,
 * `Verdict: NOT CONCLUSIVE: …`, `Verdict: CONFORMANT (…)`; marked PARTIAL when a stop request
 * ended the work.
 */
export function verdictLine(r: ReportResult): string {
  const v = verdictOf(r);
  const head = r.summary.partial ? 'Verdict (PARTIAL, interrupted)' : 'Verdict';
  return v.word === 'NOT CONCLUSIVE' ? `${head}: ${v.word}: ${v.detail}` : `${head}: ${v.word} (${v.detail})`;
}

export { citationText, replayCommand } from './finding-text.ts';
