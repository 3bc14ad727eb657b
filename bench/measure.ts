/**
 * Timing helpers for the benchmarks: a clock, medians, timed loops and the description of the
 * machine a run was taken on. Wall-clock time is read here and in bench/ only, never in sim/.
 */
import { cpus, totalmem } from 'node:os';

/** Milliseconds from an arbitrary origin, sub-millisecond resolution. */
export const now = (): number => performance.now();

/** The median of a non-empty list (the mean of the two middle values for an even length). */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** What one timed repetition did: how many units of work (runs, steps) in how long. */
export interface Sample {
  ms: number;
  runs: number;
  steps: number;
}

/** Per-second rates of a sample. */
export function rates(s: Sample): { runsPerSec: number; stepsPerSec: number } {
  return { runsPerSec: (s.runs * 1000) / s.ms, stepsPerSec: (s.steps * 1000) / s.ms };
}

/**
 * Calls `batch` (which does some runs and says how many steps they took) until `budgetMs` has
 * passed, at least once. Batches keep the clock reads off the measured path.
 */
export function timeFor(budgetMs: number, batch: () => { runs: number; steps: number }): Sample {
  const t0 = now();
  let runs = 0;
  let steps = 0;
  let ms = 0;
  do {
    const b = batch();
    runs += b.runs;
    steps += b.steps;
    ms = now() - t0;
  } while (ms < budgetMs);
  return { ms, runs, steps };
}

/** The asynchronous form of `timeFor`, for the fast-check alternative whose runs are promises. */
export async function timeForAsync(budgetMs: number, batch: () => Promise<{ runs: number; steps: number }>): Promise<Sample> {
  const t0 = now();
  let runs = 0;
  let steps = 0;
  let ms = 0;
  do {
    const b = await batch();
    runs += b.runs;
    steps += b.steps;
    ms = now() - t0;
  } while (ms < budgetMs);
  return { ms, runs, steps };
}

/** The machine a run was taken on, generically: never a host name. */
export interface MachineInfo {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  platform: string;
  arch: string;
}

export function machineInfo(): MachineInfo {
  const c = cpus();
  return {
    cpu: c[0]?.model.trim() ?? 'unknown',
    cores: c.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: process.platform,
    arch: process.arch,
  };
}

/** Peak resident set size of the process so far, in MiB (resourceUsage reports KiB on Linux and macOS). */
export function peakRssMiB(): number {
  return Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10;
}

/** Rounds a figure for display and JSON: 3 significant digits, integers kept whole. */
export function sig(x: number): number {
  if (!Number.isFinite(x) || x === 0) return x;
  if (Math.abs(x) >= 1000) return Math.round(x);
  return Number(x.toPrecision(3));
}
