/**
 * The progress line of a long command, on stderr: runs done (of those planned), states, the rate
 * (states per second for an exploration, runs per second otherwise), the rules violated so far,
 * and the time left (in the --time-budget, else estimated from the rate). Only on an interactive
 * terminal and without --quiet; otherwise nothing, so that stdout, logs and the results are the
 * same with or without it. It reads the wall clock, never the simulation.
 */

/** What a worker reports while it works (cli/tasks.ts posts it, throttled). */
export interface Progress {
  runs: number;
  planned?: number;
  steps: number;
  violations: number;
  states?: number;
  /** `mutants`: mutants finished and caught by a rule they target, of how many. */
  mutants?: { done: number; caught: number; total: number };
}

export interface ProgressTarget { isTTY?: boolean; write(s: string): unknown }

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

/** The line, without control characters: what the terminal shows. */
export function progressText(p: Progress, elapsedMs: number, budgetMs?: number): string {
  const rate = elapsedMs > 0 ? (p.runs * 1000) / elapsedMs : 0;
  const parts = [`runs ${p.runs}${p.planned ? `/${p.planned}` : ''}`];
  const perSecond = (r: number) => (r >= 10 ? String(Math.round(r)) : r.toFixed(1));
  // An exploration's pace is its states per second: its runs are paths, most of them ending at a state seen before.
  if (p.states !== undefined) parts.push(`states ${p.states} (${perSecond(elapsedMs > 0 ? (p.states * 1000) / elapsedMs : 0)}/s)`);
  else parts.push(`${perSecond(rate)} runs/s`);
  if (p.mutants) parts.push(`${p.mutants.done} of ${plural(p.mutants.total, 'mutant')} done, ${p.mutants.caught} caught so far`);
  else parts.push(`${plural(p.violations, 'rule')} violated so far`);
  if (budgetMs !== undefined) parts.push(`${duration(budgetMs - elapsedMs)} left of the budget`);
  else if (p.planned && rate > 0) parts.push(`about ${duration(((p.planned - p.runs) / rate) * 1000)} left`);
  return parts.join(', ');
}

/** A progress line on `out` (stderr), shown only when it is a terminal and not `quiet`. */
export class ProgressLine {
  private readonly started: number;
  private shown = false;
  readonly enabled: boolean;
  constructor(private readonly out: ProgressTarget, quiet: boolean, private readonly budgetMs?: number, private readonly clock: () => number = () => performance.now()) {
    this.enabled = out.isTTY === true && !quiet;
    this.started = clock();
  }
  /** The callback for runTask, or undefined when nothing is shown (the worker then posts nothing). */
  get listener(): ((p: Progress) => void) | undefined {
    return this.enabled ? (p) => this.update(p) : undefined;
  }
  update(p: Progress): void {
    if (!this.enabled) return;
    this.out.write(`\r\x1b[2K${progressText(p, this.clock() - this.started, this.budgetMs)}`);
    this.shown = true;
  }
  /** Erases the line, so that what is printed next starts clean. */
  done(): void {
    if (this.shown) this.out.write('\r\x1b[2K');
    this.shown = false;
  }
}
