/**
 * The verdict of one rule over one trace, accumulated as the trace streams by (RULES.md,
 * "How a trace is judged", item 2): `violated` when some instance breaks the rule in every
 * placement, `inconclusive` when one breaks it in some placements only, `held` when the rule's
 * situation occurred and was kept, `not exercised` otherwise; `used` for freedoms (`may`) and
 * advice (`info`). Findings are stored up to a cap, the rest only counted.
 */
import type { Finding, RuleInfo, RuleResult, Verdict } from './check.ts';
import { RESTORE, SAVE, type SelfSaving } from './state-snapshot.ts';

/** How many findings of one rule are kept in full; beyond it they are counted in `more`. */
export const FINDINGS_CAP = 20;

export class RuleOutcome implements SelfSaving {
  private findings: Finding[] = [];
  private more = 0;
  private violations = 0;
  private doubts = 0;
  private exercised = 0;
  private usedCount = 0;
  private doubtReason: string | undefined;
  private notJudgedReason: string | undefined;
  private heldNote: string | undefined;
  private exemptReason: string | undefined;
  /** Set by checks whose verdicts rest on which call a callback belongs to (item 2, last sentence). */
  attributionDependent = false;

  constructor(
    readonly rule: RuleInfo,
    /** How many callbacks the trace left unattributed (read at the end). */
    private readonly ambiguity: () => number = () => 0,
    private readonly cap = FINDINGS_CAP,
  ) {}

  /** The value [SAVE] last returned or [RESTORE] took, while nothing changed since (saved states share it). */
  private savedAs: unknown = undefined;

  /**
   * Its state for stateful search. A findings array is only ever appended to, never shortened in
   * place, so the array and its length then say which findings a state had: states saved on
   * different paths (a breadth-first search restores them in any order) stay intact.
   */
  [SAVE](): unknown {
    return this.savedAs ??= [this.findings, this.findings.length, this.more, this.violations, this.doubts, this.exercised, this.usedCount,
      this.doubtReason, this.notJudgedReason, this.heldNote, this.exemptReason, this.attributionDependent];
  }

  [RESTORE](saved: unknown): void {
    const s = saved as [Finding[], number, number, number, number, number, number, string | undefined, string | undefined, string | undefined, string | undefined, boolean];
    this.findings = s[0].length === s[1] ? s[0] : s[0].slice(0, s[1]);
    this.savedAs = saved;
    [, , this.more, this.violations, this.doubts, this.exercised, this.usedCount, this.doubtReason, this.notJudgedReason, this.heldNote, this.exemptReason, this.attributionDependent] = s;
  }

  /** The rule's situation occurred (a `must`/`should` rule can now be `held`). */
  exercise(): void {
    this.savedAs = undefined;
    this.exercised++;
  }

  /** The first decided breach found so far (a `must` or `should` rule), before the trace ends. */
  firstViolation(): Finding | undefined {
    return this.violations > 0 ? this.findings.find((f) => f.verdict === 'violated') : undefined;
  }

  /** A freedom (`may`) was taken, or advice (`info`) applies. Never a finding. */
  use(): void {
    this.savedAs = undefined;
    this.usedCount++;
  }

  /** A decided breach: every placement breaks the rule. Returns the stored finding, if under the cap. */
  violate(events: number[], explanation: string): Finding | undefined {
    this.savedAs = undefined;
    this.violations++;
    this.exercised++;
    return this.store('violated', events, explanation);
  }

  /** Some placements (or attributions) break the rule, some keep it: say why. */
  doubt(events: number[], explanation: string, reason: string): Finding | undefined {
    this.savedAs = undefined;
    this.doubts++;
    this.exercised++;
    this.doubtReason ??= reason;
    return this.store('inconclusive', events, explanation);
  }

  /** Liveness excused by a client fault (item 6). */
  notJudged(reason: string): void {
    this.savedAs = undefined;
    this.notJudgedReason ??= reason;
  }

  /**
   * An instance of the rule's situation was set aside (an exemption, another rule's business, an
   * input the trace lacks): if nothing else exercises the rule, this is why it was not exercised.
   */
  exempt(reason: string): void {
    this.savedAs = undefined;
    this.exemptReason ??= reason;
  }

  /** A remark attached to a `held` verdict (for example calls whose liveness was not judged). */
  note(remark: string): void {
    this.savedAs = undefined;
    this.heldNote ??= remark;
  }

  private store(verdict: 'violated' | 'inconclusive', events: number[], explanation: string): Finding | undefined {
    if (this.rule.kind === 'may' || this.rule.kind === 'info') {
      // A freedom is never flagged (RULES.md, "may"): reaching here is a defect of the check.
      throw new Error(`${this.rule.id} is a ${this.rule.kind} rule and cannot produce a finding`);
    }
    if (this.findings.length >= this.cap) {
      this.more++;
      return undefined;
    }
    const f: Finding = {
      rule: this.rule.id, kind: this.rule.kind, party: this.rule.party, verdict,
      events: events.filter((e) => e >= 0).sort((a, b) => a - b), explanation, citation: this.rule.citation,
    };
    this.findings.push(f);
    return f;
  }

  /** The rule's verdict and findings; `context` is appended to the reason of `not exercised`. */
  result(notExercised = 'the trace never reached this rule\'s situation', context = ''): RuleResult {
    const { id, kind, party } = this.rule;
    let verdict: Verdict;
    let reason: string | undefined;
    if (kind === 'may' || kind === 'info') {
      verdict = this.usedCount > 0 ? 'used' : 'not exercised';
      if (verdict === 'not exercised') reason = (this.exemptReason ?? notExercised) + context;
    } else if (this.violations > 0) {
      verdict = 'violated';
    } else if (this.doubts > 0) {
      verdict = 'inconclusive';
      reason = this.doubtReason;
    } else if (this.exercised > 0) {
      verdict = 'held';
      reason = this.heldNote;
      const n = this.ambiguity();
      if (this.attributionDependent && n > 0) {
        verdict = 'inconclusive';
        reason = `inconclusive (attribution bound): ${n} callback(s) without a call id on shared sinks with more attributions than are judged; another might break this rule`;
      }
    } else if (this.notJudgedReason !== undefined) {
      verdict = 'not judged';
      reason = this.notJudgedReason;
    } else {
      verdict = 'not exercised';
      reason = (this.exemptReason ?? notExercised) + context;
    }
    // An empty list may be the one a reset judge starts from again (specs/judge.ts), and findings
    // of a later trace would be appended to it: the result gets its own. A list with findings is
    // never appended to after a reset, which starts from a shorter copy.
    const r: RuleResult = { rule: id, kind, party, verdict, findings: this.findings.length > 0 ? this.findings : [] };
    if (reason !== undefined) r.reason = reason;
    if (this.more > 0) r.more = this.more;
    return r;
  }
}
