/**
 * The public API of the executable spec: the rule table, the judge, and the types of what they
 * produce. Everything else in specs/ is internal.
 */
export { RULES, ruleInfo } from './rules.ts';
export { createJudge, judgeTrace, type Judge, type JudgeOptions, type JudgeResult, type Footprint } from './judge.ts';
export type { Citation, Finding, RuleCheck, RuleInfo, RuleKind, RuleParty, RuleResult, Verdict } from './check.ts';
export { FINDINGS_CAP } from './rule-outcome.ts';
