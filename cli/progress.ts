/**
 * The progress line of a long command, on stderr: runs done (of those planned), states, the rate
 * (states per second for an exploration, runs per second otherwise), the rules violated so far,
 * and the time left (in the --time-budget, else estimated from the rate). On an interactive
 * terminal, one line rewritten in place; with --progress-every N, a line of its own at most every
 * N seconds instead (for logs and CI, where nothing is shown otherwise); never with --quiet. stdout
 * and the results are the same with or without it. It reads the wall clock, never the simulation.
 */
import { Option } from 'commander';
import { intOption } from './options.ts';

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

/** `--progress-every <seconds>`, for the commands that show progress; it contradicts `--quiet`. */
export function progressEveryOption(): Option {
  return new Option('--progress-every <seconds>', 'a progress line of its own on stderr at most every this many seconds while runs or paths are made, on a terminal or not (logs, CI), instead of the line rewritten in place')
    .argParser(intOption('--progress-every', 1))
    .conflicts('quiet');
}

export interface ProgressLineOptions {
  /** Nothing at all. */
  quiet?: boolean;
  /** The --time-budget, in ms: the line says how much of it is left. */
  budgetMs?: number;
  /** A line of its own every this many ms (logs), instead of one line rewritten on a terminal. */
  everyMs?: number;
  clock?: () => number;
}

/**
 * Progress on `out` (stderr): on a terminal, one line rewritten in place; with `everyMs`, a line of
 * its own at most that often, terminal or not; never when `quiet`.
 */
export class ProgressLine {
  private readonly started: number;
  private shown = false;
  /** When the last line of its own was written (log lines only). */
  private lastLine: number;
  private readonly budgetMs: number | undefined;
  private readonly everyMs: number | undefined;
  private readonly clock: () => number;
  readonly enabled: boolean;
  /** The progress of a command, from its --quiet, --time-budget and --progress-every (in seconds). */
  static ofCommand(out: ProgressTarget, opts: { quiet?: boolean; timeBudget?: number; progressEvery?: number }): ProgressLine {
    const ms = (seconds: number | undefined) => (seconds ? seconds * 1000 : undefined);
    return new ProgressLine(out, { quiet: opts.quiet === true, budgetMs: ms(opts.timeBudget), everyMs: ms(opts.progressEvery) });
  }
  constructor(private readonly out: ProgressTarget, o: ProgressLineOptions = {}) {
    this.budgetMs = o.budgetMs;
    this.everyMs = o.everyMs;
    this.clock = o.clock ?? (() => performance.now());
    this.enabled = o.quiet !== true && (o.everyMs !== undefined || out.isTTY === true);
    this.started = this.lastLine = this.clock();
  }
  /** The callback for runTask, or undefined when nothing is shown (the worker then posts nothing). */
  get listener(): ((p: Progress) => void) | undefined {
    return this.enabled ? (p) => this.update(p) : undefined;
  }
  update(p: Progress): void {
    if (!this.enabled) return;
    const now = this.clock();
    if (this.everyMs !== undefined) {
      if (now - this.lastLine < this.everyMs) return;
      this.lastLine = now;
      this.out.write(`${progressText(p, now - this.started, this.budgetMs)}\n`);
      return;
    }
    this.out.write(`\r\x1b[2K${progressText(p, now - this.started, this.budgetMs)}`);
    this.shown = true;
  }
  /** Erases the line, so that what is printed next starts clean (log lines stay). */
  done(): void {
    if (this.shown) this.out.write('\r\x1b[2K');
    this.shown = false;
  }
}
