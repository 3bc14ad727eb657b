/**
 * Exit codes (CORE-NOTES 6): 0 when no `must` rule is violated, 1 when one is, 2 for bad usage or
 * bad input (raised as UsageError). `--fail-on warning,inconclusive` makes more outcomes fatal.
 */
import { UsageError } from './usage-error.ts';

export type FailOn = { warning: boolean; inconclusive: boolean };

export function parseFailOn(text: string): FailOn {
  const out: FailOn = { warning: false, inconclusive: false };
  for (const part of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    if (part !== 'warning' && part !== 'inconclusive') throw new UsageError(`--fail-on takes warning and/or inconclusive (got ${JSON.stringify(part)})`);
    out[part] = true;
  }
  return out;
}

/** What a verdict needs to say for an exit code. */
export interface Outcome {
  conformant: boolean;
  warnings: unknown[];
  inconclusive: unknown[];
}

export function exitCodeFor(o: Outcome, failOn: FailOn): number {
  if (!o.conformant) return 1;
  if (failOn.warning && o.warnings.length) return 1;
  if (failOn.inconclusive && o.inconclusive.length) return 1;
  return 0;
}
