/**
 * The scenarios as the conformance suite runs them against any implementation: each one's
 * workload and pinned choices (a scenario written to show another implementation's behaviour
 * runs the same steps with the implementation under test).
 */
import { scenarios, workloadOf } from './scenario.ts';
import { builtinClient } from '../clients/index.ts';
import type { SuiteScenario } from '../sim/campaign.ts';

/**
 * A suite scenario as plain data, parsed and checked: its client by name (a client model holds
 * functions), so that it crosses to a worker thread as it is and is not read and checked again there.
 */
export interface SuiteScenarioData extends Omit<SuiteScenario, 'client'> {
  client?: string;
}

let data: SuiteScenarioData[] | undefined;
/** The suite's scenarios as plain data, sorted by name: read and checked once per thread. */
export function suiteScenarioData(): SuiteScenarioData[] {
  return (data ??= scenarios().map((s) => ({ name: s.name, workload: workloadOf(s), ...(s.choices ? { choices: s.choices } : {}), ...(s.client ? { client: s.client } : {}) })));
}

/** The suite's scenarios from their data (suiteScenarioData), each client resolved to its model. */
export function suiteOf(scenarios: readonly SuiteScenarioData[]): SuiteScenario[] {
  return scenarios.map(({ client, ...s }) => ({ ...s, ...(client ? { client: builtinClient(client) } : {}) }));
}

let cached: SuiteScenario[] | undefined;
/** The suite's scenarios, sorted by name. */
export function suiteScenarios(): SuiteScenario[] {
  return (cached ??= suiteOf(suiteScenarioData()));
}
