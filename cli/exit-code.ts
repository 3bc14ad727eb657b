/**
 * Exit codes (CORE-NOTES 6): 0 when no `must` rule is violated, 1 when one is, 2 for bad usage or
 * bad input (raised as UsageError). `--fail-on warning,inconclusive,lint` makes more outcomes fatal.
 */
import { UsageError } from './usage-error.ts';

/** Outcomes that `--fail-on` can make fatal besides a violated `must` rule. */
export const FAIL_ON = ['warning', 'inconclusive', 'lint'] as const;
export type FailOn = Record<(typeof FAIL_ON)[number], boolean>;

export function parseFailOn(text: string): FailOn {
  const out: FailOn = { warning: false, inconclusive: false, lint: false };
  for (const part of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    if (!(FAIL_ON as readonly string[]).includes(part)) throw new UsageError(`--fail-on: unknown outcome ${JSON.stringify(part)} (expected ${FAIL_ON.join(', ')})`);
    out[part as keyof FailOn] = true;
  }
  return out;
}

/** What a verdict needs to say for an exit code. */
export interface Outcome {
  conformant: boolean;
  warnings: unknown[];
  inconclusive: unknown[];
  lint?: unknown[];
}

export function exitCodeFor(o: Outcome, failOn: FailOn): number {
  if (!o.conformant) return 1;
  if (failOn.warning && o.warnings.length) return 1;
  if (failOn.inconclusive && o.inconclusive.length) return 1;
  if (failOn.lint && o.lint?.length) return 1;
  return 0;
}
