/**
 * The scenarios as the conformance suite runs them against any implementation: each one's
 * workload and pinned choices (a scenario written to show another implementation's behaviour
 * runs the same steps with the implementation under test).
 */
import { scenarios, workloadOf } from './scenario.ts';
import { builtinClient } from '../clients/index.ts';
import type { SuiteScenario } from '../sim/campaign.ts';

let cached: SuiteScenario[] | undefined;
/** The suite's scenarios, sorted by name. */
export function suiteScenarios(): SuiteScenario[] {
  return (cached ??= scenarios().map((s) => ({ name: s.name, workload: workloadOf(s), ...(s.choices ? { choices: s.choices } : {}), ...(s.client ? { client: builtinClient(s.client) } : {}) })));
}
