/**
 * Exit codes: 0 when no `must` rule is violated and every run ran to its end, 1 when a rule is
 * violated or the result is not conclusive (a run cut by a bound, an exploration incomplete;
 * `--allow-cut` accepts those), 2 for bad usage or bad input (raised as UsageError).
 * `--fail-on warning,inconclusive,lint` makes more outcomes fatal. The outcome itself is decided
 * in report/result.ts; this only maps it to a number.
 */
import type { Outcome } from '../report/result.ts';
import { UsageError } from './usage-error.ts';

/** Outcomes that `--fail-on` can make fatal besides a violated `must` rule. */
export const FAIL_ON = ['warning', 'inconclusive', 'lint'] as const;
export type FailOn = Record<(typeof FAIL_ON)[number], boolean>;

/** Nothing made fatal beyond a violation. */
export const NO_FAIL_ON: FailOn = { warning: false, inconclusive: false, lint: false };

export function parseFailOn(text: string): FailOn {
  const out: FailOn = { ...NO_FAIL_ON };
  for (const part of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    if (!(FAIL_ON as readonly string[]).includes(part)) throw new UsageError(`--fail-on: unknown outcome ${JSON.stringify(part)} (expected ${FAIL_ON.join(', ')})`);
    out[part as keyof FailOn] = true;
  }
  return out;
}

/** The exit code of a decided outcome. */
export function exitCodeFor(o: Outcome, failOn: FailOn = NO_FAIL_ON, allowCut = false): number {
  if (!o.conformant) return 1;
  if (!o.conclusive && !allowCut) return 1;
  if (failOn.warning && o.warnings) return 1;
  if (failOn.inconclusive && o.inconclusive) return 1;
  if (failOn.lint && o.lint) return 1;
  return 0;
}
