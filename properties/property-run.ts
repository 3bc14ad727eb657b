/**
 * Running a property's (workload, schedule) pair, and reporting a counterexample the way a person
 * needs it: the rules broken and the replay token first, then the shrunk sizes (the
 * token is one command away from the failure).
 */
import fc from 'fast-check';
import type { BrokerAdapter } from '../sim/broker-adapter.ts';
import { runOnce, type RunResult } from '../sim/run.ts';
import type { Strategy } from '../sim/strategy.ts';
import type { Workload } from '../sim/workload.ts';

/** After the generated choices, the first enabled step: deterministic, and what shrinking aims at. */
const FIRST: Strategy = { name: 'choices', choose: () => 0 };

/** One run of `workload` following `choices`, with its trace. */
export function runSchedule(impl: string, broker: BrokerAdapter, workload: Workload, choices: readonly number[]): RunResult {
  return runOnce({ impl, broker, workload, seed: 0, strategy: FIRST, choices, keepTrace: true });
}

/** The run breaks no `must` rule, the lifecycle machine rejects nothing, and the broker did not fail. */
export function conformantRun(r: RunResult): boolean {
  return r.judge.conformant && r.monitor.length === 0 && !['crash', 'timeout', 'protocol-error'].includes(r.end.reason);
}

/** The rules a run broke: checks' violations first, then the lifecycle machine's rejections. */
export function brokenRules(r: RunResult): string[] {
  return [...new Set([...r.judge.violations.map((f) => f.rule), ...r.monitor.flatMap((x) => x.rules)])];
}

/** The failure message of a property: rule IDs, replay token, explanation, shrunk sizes. */
export function formatCounterexample(r: RunResult, details: { numRuns: number; numShrinks: number }, choices: readonly number[]): string {
  const rules = brokenRules(r);
  return [
    `property failed: ${rules.length ? rules.join(', ') : `run ended ${r.end.reason}`} (after ${details.numRuns} runs, ${details.numShrinks} shrinks)`,
    `  replay: wbemsim replay ${r.token}`,
    ...r.judge.violations.map((f) => `  ${f.rule}: ${f.explanation}`),
    ...r.monitor.map((x) => `  lifecycle machine: ${x.event} on ${x.call} (event ${x.seq}) breaks ${x.rules.join(', ')}`),
    `  shrunk to ${choices.length} choices; the run took ${r.steps} steps`,
  ].join('\n');
}

/** A property over (workload, schedule) that reports a failure with its rules and replay token. */
export interface ScheduleCheck {
  failed: boolean;
  /** The shrunk counterexample's run, when it failed. */
  run?: RunResult;
  workload?: Workload;
  choices?: number[];
  message?: string;
}

/** Checks that every (workload, schedule) pair runs conformantly; a failure is shrunk, re-run and formatted. */
export function checkSchedules(
  impl: string, broker: () => BrokerAdapter, arb: fc.Arbitrary<[Workload, number[]]>, params: fc.Parameters<[[Workload, number[]]]>,
): ScheduleCheck {
  const details = fc.check(fc.property(arb, ([w, choices]) => conformantRun(runSchedule(impl, broker(), w, choices))), params);
  if (!details.failed) return { failed: false };
  if (!details.counterexample) return { failed: true, message: fc.defaultReportMessage(details) ?? 'property failed' };
  const [[workload, choices]] = details.counterexample;
  let run: RunResult;
  try {
    run = runSchedule(impl, broker(), workload, choices);
  } catch (err) {
    return { failed: true, workload, choices, message: `property failed: ${(err as Error).message}\n  workload: ${JSON.stringify(workload)}\n  choices: ${JSON.stringify(choices)}` };
  }
  return { failed: true, run, workload, choices, message: formatCounterexample(run, details, choices) };
}
