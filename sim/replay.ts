/**
 * Replaying a run from its token, for the CLI (`wbemsim replay`) and for library users: the same
 * implementation (a factory of adapters), the token's workload and options, its choices, and its
 * strategy remade from name and seed where the token leaves the choices to it. The replay is strict:
 * a step not taken as recorded stops it with a ReplayDivergence naming the window of steps.
 */
import type { BrokerAdapter, BrokerFactory } from './broker-adapter.ts';
import { resolveWorkload } from './explore-workloads.ts';
import { decodeToken, TokenError, type ReplaySpec } from './replay-token.ts';
import { runOnce, type RunResult } from './run.ts';
import type { ClientModel } from './client-api.ts';
import { builtinClient, ClientError } from '../clients/index.ts';
import { makeStrategy, type StrategyName } from './strategies.ts';
import type { Strategy } from './strategy.ts';
import { parseWorkload, WorkloadError } from './workloads.ts';
import type { Workload } from './workload.ts';

/**
 * Re-runs the run of `token` with an adapter from `factory`, keeping its trace. Throws TokenError
 * for a token that does not parse (or names a workload that does not exist) and ReplayDivergence
 * for one that no longer replays (the model or the implementation changed since it was made).
 * `stop`, polled between steps, cuts the replay short: the run then ends `stopped`.
 */
export function replay(token: string, factory: BrokerFactory, stop?: () => boolean): RunResult {
  const spec = decodeToken(token);
  const workload = workloadOf(spec);
  const broker = factory();
  try {
    return replaySpec(spec, workload, broker, true, stop);
  } finally {
    broker.close?.();
  }
}

/**
 * Re-runs the run of a decoded token with `broker` (which the caller keeps and closes), strictly;
 * `keepTrace` keeps its trace. The token's workload, resolved, is `workload`.
 */
export function replaySpec(spec: ReplaySpec, workload: Workload, broker: BrokerAdapter, keepTrace: boolean, stop?: () => boolean): RunResult {
  const steps = spec.steps ?? spec.choices.length;
  return runOnce({
    impl: spec.impl, broker, workload, seed: spec.seed, choices: spec.choices, strict: true, client: clientOf(spec),
    recorded: { steps, ...(spec.checks ? { checks: spec.checks } : {}) },
    maxSteps: spec.maxSteps, watchdog: spec.watchdog, ...(spec.untimedProviders ? { untimedProviders: true } : {}), depth: spec.depth, keepTrace, shouldStop: stop,
    strategy: steps > spec.choices.length ? remade(spec, workload) : { name: spec.strategy, choose: () => 0 },
  });
}

/** The client model a token names (built-in models only); TokenError for one that is not built in. */
function clientOf(spec: ReplaySpec): ClientModel | undefined {
  try {
    return builtinClient(spec.client);
  } catch (err) {
    if (err instanceof ClientError) throw new TokenError(`replay token: ${err.message}`);
    throw err;
  }
}

/** The strategy that made the choices the token leaves out. */
function remade(spec: ReplaySpec, workload: Workload): Strategy {
  if (spec.strategy !== 'random' && spec.strategy !== 'pct') throw new TokenError(`replay token: its choices are left to strategy ${JSON.stringify(spec.strategy)}, which cannot be remade from a seed`);
  return makeStrategy(spec.strategy as StrategyName, spec.seed, spec.depth, workload);
}

/** The workload a decoded token names or carries; TokenError when it does not load. */
export function workloadOf(spec: ReplaySpec): Workload {
  try {
    return typeof spec.workload === 'string' ? resolveWorkload(spec.workload) : parseWorkload(JSON.stringify(spec.workload), 'the replay token\'s workload');
  } catch (err) {
    if (err instanceof WorkloadError) throw new TokenError(`replay token: ${err.message}`);
    throw err;
  }
}
