/**
 * wbemsim as a library: `import { ... } from 'wbemsim'`. Drive your own broker adapter through
 * the conformance suite from your own tests, judge recorded traces, or build on the simulator.
 * Everything else in the package is internal.
 */
import type { BrokerFactory } from './sim/broker-adapter.ts';
import { runMany, type Campaign } from './sim/campaign.ts';
import { builtinWorkloads } from './sim/workloads.ts';
import type { Workload } from './sim/workload.ts';
import type { StrategyName } from './sim/strategies.ts';

// The adapter API and the implementations that come with wbemsim.
export type { BrokerAdapter, BrokerFactory, BrokerInfo, BrokerInput, BrokerOutput, BrokerStep, CallTarget, RunSetup } from './sim/broker-adapter.ts';
export { BrokerFailure } from './sim/broker-adapter.ts';
export { ReferenceBroker } from './brokers/reference-broker.ts';
export { createStdioBroker, type StdioBrokerOptions } from './brokers/stdio-broker.ts';
export { resolveImpl, implNames, registerImpl, registerImplForm, ImplError } from './brokers/implementations.ts';
export { WineModel } from './brokers/wine-model.ts';
export { MUTANTS } from './brokers/mutants/index.ts';
export { runMutantZoo } from './brokers/mutants/run-mutant-zoo.ts';

// The simulator.
export { runOnce, ReplayDivergence, type RunOptions, type RunResult } from './sim/run.ts';
export { replay } from './sim/replay.ts';
export { runMany, type Campaign, type CampaignOptions, type FoldedFinding, type RuleTally } from './sim/campaign.ts';
export { explore } from './sim/explorer.ts';
export { builtinWorkloads, loadWorkload, parseWorkload, WorkloadError } from './sim/workloads.ts';
export type { Workload, CallSpec, SinkSpec, ClientAction, SinkBehaviour } from './sim/workload.ts';
export type { Strategy, Step } from './sim/strategy.ts';
export { encodeToken, decodeToken, TokenError, type ReplaySpec } from './sim/replay-token.ts';
export { lifecycleMachine, CALL_EVENTS } from './specs/lifecycle-machine.ts';
export { machineDiagram } from './specs/machine-diagram.ts';

// The executable spec and the trace.
export { createJudge, judgeTrace, RULES, ruleInfo, type JudgeResult, type Finding, type RuleInfo, type RuleResult, type Verdict } from './specs/index.ts';
export { readTrace, parseTrace } from './trace/reader.ts';
export { TraceInputError } from './trace/trace-input-error.ts';
export type { TraceEvent, TraceHeader, TraceLine } from './trace/event.ts';
export { formatCampaign, campaignJson } from './report/campaign-text.ts';

/** Options of `checkConformance`; every field has a default. */
export interface ConformanceOptions {
  /** Name recorded in replay tokens (default `module`). */
  impl?: string;
  workloads?: Workload[];
  runs?: number;
  seed?: number;
  strategy?: StrategyName;
  maxSteps?: number;
}

/**
 * The conformance suite over your adapter: every built-in workload (or yours), `runs` seeded runs
 * each. The result says `conformant` and lists each violation with its rule and replay token;
 * `formatCampaign(result)` turns it into the text `wbemsim run` prints. A token replays with
 * `replay(token, factory)`, or `wbemsim replay TOKEN --impl module:PATH` (a module exporting
 * `createBroker`).
 */
export function checkConformance(factory: BrokerFactory, options: ConformanceOptions = {}): Campaign {
  return runMany({
    impl: options.impl ?? 'module', factory, workloads: options.workloads ?? builtinWorkloads(),
    strategy: options.strategy ?? 'random', seed: options.seed ?? 1, runs: options.runs ?? 50, maxSteps: options.maxSteps,
  });
}
