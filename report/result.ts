/**
 * The one place that decides a result's outcome: whether it is conformant, whether it is
 * conclusive, and the counts an exit code is computed from. `run`, `explore`, `check`, `replay`
 * and `mutants` all build their outcome here, so that no two commands can disagree on what a
 * verdict means.
 *
 * - `conformant` is false exactly when a `must` rule was violated or the broker itself failed
 *   (crash, hang, protocol error): a failure is a finding against the broker.
 * - A run stopped by a bound (`--max-steps`, `--time-budget`) or never made because the budget ran
 *   out is *cut*; an exploration that did not cover its space is *incomplete*. Either makes the
 *   outcome not conclusive: a pass that only covered part of what was asked is not a pass.
 */

/** What an outcome is decided from. */
export interface OutcomeInput {
  /** The `must` rules violated (one entry per finding or per rule, only the count matters). */
  violations: readonly unknown[];
  /** Broker failures (crash, hang, protocol error). */
  brokerFailures?: number;
  /** Runs made. */
  runs: number;
  /** Runs meant to be made (at least `runs`); `runs` when not known ahead. */
  planned?: number;
  /** Runs made that a bound stopped before their end. */
  cutRuns?: number;
  /** Explorations that did not cover their whole space. */
  incomplete?: number;
  warnings?: readonly unknown[];
  inconclusive?: readonly unknown[];
  lint?: readonly unknown[];
  /** Findings beyond those listed (a judge keeps the first few per rule): counted all the same. */
  notShown?: { warnings?: number; inconclusive?: number; lint?: number };
}

/** A decided outcome: what every command's verdict and exit code are made of. */
export interface Outcome {
  conformant: boolean;
  runs: number;
  planned: number;
  /** Runs that did not run to their end: stopped by a bound, or never made. */
  cut: number;
  /** Explorations that did not cover their whole space. */
  incomplete: number;
  /** No run cut and no exploration incomplete. */
  conclusive: boolean;
  warnings: number;
  inconclusive: number;
  lint: number;
}

/** Decides the outcome. */
export function decideOutcome(i: OutcomeInput): Outcome {
  const planned = Math.max(i.planned ?? i.runs, i.runs);
  const cut = (i.cutRuns ?? 0) + (planned - i.runs);
  const incomplete = i.incomplete ?? 0;
  return {
    conformant: i.violations.length === 0 && (i.brokerFailures ?? 0) === 0,
    runs: i.runs, planned, cut, incomplete, conclusive: cut === 0 && incomplete === 0,
    warnings: (i.warnings?.length ?? 0) + (i.notShown?.warnings ?? 0), inconclusive: (i.inconclusive?.length ?? 0) + (i.notShown?.inconclusive ?? 0),
    lint: (i.lint?.length ?? 0) + (i.notShown?.lint ?? 0),
  };
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * Why an outcome is not conclusive, in words: `3 of 200 runs cut`, `1 of 2 explorations
 * incomplete`; undefined when it is conclusive.
 */
export function notConclusiveReason(o: Outcome, explorations?: number): string | undefined {
  if (o.conclusive) return undefined;
  const parts: string[] = [];
  if (o.cut) parts.push(`${o.cut} of ${plural(o.planned, 'run')} cut`);
  if (o.incomplete) parts.push(explorations === undefined ? `${plural(o.incomplete, 'exploration')} incomplete` : `${o.incomplete} of ${plural(explorations, 'exploration')} incomplete`);
  return parts.join(', ');
}
