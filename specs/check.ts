/**
 * The interface of a rule check, and the records it produces. A check is a streaming predicate
 * over a trace: it sees each event once, in order, and gives its verdict at the end. The same
 * checks run online inside a simulation and offline over a recorded file (`wbemsim check`).
 */
import type { TraceEvent, TraceEventType, TraceHeader } from '../trace/event.ts';

export type RuleKind = 'must' | 'should' | 'may' | 'info';
export type RuleParty = 'broker' | 'scripting' | 'client';

/** Where a rule comes from: the seed file (when the page is one), the page, the phrase. */
export interface Citation {
  seed?: string;
  page: string;
  phrase: string;
}

/** One row of the project's rule table (specs/rules.ts), mirrored from RULES.md. */
export interface RuleInfo {
  id: string;
  kind: RuleKind;
  party: RuleParty;
  /** One line, in the project's own words. */
  summary: string;
  /** The source column of RULES.md. */
  source: string;
  citation: Citation;
}

/**
 * Per-rule verdicts (RULES.md, "How a trace is judged", item 2). `used` is for `may` rules whose
 * freedom the trace exercised; `not judged` is liveness excused by a client fault.
 */
export type Verdict = 'violated' | 'held' | 'inconclusive' | 'not exercised' | 'used' | 'not judged';

/** One thing found: a violation (must), a warning (should), a lint finding (client), advice (info). */
export interface Finding {
  rule: string;
  kind: RuleKind;
  party: RuleParty;
  /** `violated` for a decided breach, `inconclusive` when only some placements break the rule. */
  verdict: 'violated' | 'inconclusive';
  /** Sequence numbers of the events involved, in order. */
  events: number[];
  /** One sentence: what happened versus what the rule requires. */
  explanation: string;
  citation: Citation;
  /** Set when the finding follows from a broker convicted of waiting (item 4). */
  derivedFrom?: string;
  /** The replay token of the run that produced it (filled in by the runner). */
  replay?: string;
}

export interface RuleResult {
  rule: string;
  kind: RuleKind;
  party: RuleParty;
  verdict: Verdict;
  /** Why, for `inconclusive`, `not exercised` and `not judged`. */
  reason?: string;
  findings: Finding[];
  /** Findings beyond the stored cap (bounded memory), counted only. */
  more?: number;
}

/** A rule check: fed every event in order, then asked for its result. */
export interface RuleCheck {
  readonly rule: RuleInfo;
  /**
   * The event types this check reads; the judge calls `event` only for these (absent: every
   * event). Keeps the per-event cost proportional to the checks that care.
   */
  readonly types?: readonly TraceEventType[];
  begin(header: TraceHeader): void;
  event(e: TraceEvent): void;
  finish(): RuleResult;
}
