/**
 * The conformance suite's scenarios: each `NAME.json` of this folder is data in one format
 * (scenarios/scenario.schema.json, docs/scenarios.md): a title, the rules it exercises, its
 * source, the implementation, the workload (a built-in name or inline), where the point is one
 * race the pinned choice list of the virtual scheduler, and the verdict each rule must get.
 * `NAME.trace.jsonl` beside it is its golden trace; `npm run scenarios:update` rewrites the
 * golden traces, and a test compares them byte for byte, so a change to the model, a broker or a
 * workload that changes a pinned run must be deliberate.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { resolveImpl } from '../brokers/implementations.ts';
import type { BrokerFactory } from '../sim/broker-adapter.ts';
import { runOnce, type RunResult } from '../sim/run.ts';
import { ChoiceListStrategy } from '../sim/strategy.ts';
import { loadWorkload, nearestName, parseWorkload, WorkloadError } from '../sim/workloads.ts';
import type { Workload } from '../sim/workload.ts';
import { RULES } from '../specs/rules.ts';
import { packagePath } from '../package-root.ts';
import type { Verdict } from '../specs/check.ts';
import { builtinClient, ClientError } from '../clients/index.ts';
import type { ClientModel } from '../sim/client-api.ts';
// scenario.schema.json compiled ahead of time (scripts/gen-validators.ts).
import validator from './scenario-validator.generated.mjs';

/** The scenarios ship beside the code (package-root.ts explains why not beside this module). */
export const SCENARIO_DIR = packagePath('scenarios');
export const SCENARIO_SCHEMA_PATH = join(SCENARIO_DIR, 'scenario.schema.json');

/** A scenario as its file holds it, with its name (the file name without `.json`). */
export interface Scenario {
  name: string;
  title: string;
  rules: string[];
  source: string;
  impl: string;
  /** The client model driving the workload (clients/, docs/clients.md); `workload`, its own client, by default. */
  client?: string;
  /** A built-in workload's name, or the workload itself. */
  workload: string | Workload;
  /** The scheduler's pinned choices (each read modulo the steps enabled), then the first step always. */
  choices?: number[];
  /** The verdict each rule must get from a run with `impl`. */
  expected: Record<string, Verdict>;
}

/** A scenario file that is not a scenario: bad input. */
export class ScenarioError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScenarioError';
  }
}

/** Parses and checks one scenario's JSON text; `where` names it in errors. */
export function parseScenario(text: string, name: string, where = `${name}.json`): Scenario {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ScenarioError(`${where}: not JSON (${(err as Error).message})`);
  }
  if (!validator(json)) {
    const errors = validator.errors ?? [];
    const e = errors.find((x) => x.keyword === 'additionalProperties') ?? errors[0]!;
    const field = e.keyword === 'additionalProperties' ? ` "${(e.params as { additionalProperty: string }).additionalProperty}"` : '';
    throw new ScenarioError(`${where}: ${e.instancePath ? `"${e.instancePath.slice(1).replace(/\//g, '.')}" ` : ''}${e.message ?? 'is not valid'}${field}`);
  }
  const s = { name, ...(json as Omit<Scenario, 'name'>) };
  const known = RULES.map((r) => r.id);
  for (const id of [...s.rules, ...Object.keys(s.expected)]) {
    if (!known.includes(id)) {
      const near = nearestName(id, known);
      throw new ScenarioError(`${where}: unknown rule ${JSON.stringify(id)}${near ? ` (did you mean ${near}?)` : ''}`);
    }
  }
  for (const id of s.rules) if (!(id in s.expected)) throw new ScenarioError(`${where}: rule ${id} is exercised but has no expected verdict`);
  for (const id of s.rules) {
    if (s.expected[id] === 'not exercised') throw new ScenarioError(`${where}: rule ${id} is listed as exercised but expected "not exercised"`);
  }
  workloadOf(s, where);
  try {
    builtinClient(s.client);
  } catch (err) {
    if (err instanceof ClientError) throw new ScenarioError(`${where}: ${err.message}`);
    throw err;
  }
  return s;
}

/** The scenario's workload: the built-in one it names, or its inline workload checked like a workload file. */
export function workloadOf(s: Scenario, where = `${s.name}.json`): Workload {
  try {
    return typeof s.workload === 'string' ? loadWorkload(s.workload) : parseWorkload(JSON.stringify(s.workload), `${where}: workload`);
  } catch (err) {
    if (err instanceof WorkloadError) throw new ScenarioError(err.message.startsWith(where) ? err.message : `${where}: ${err.message}`);
    throw err;
  }
}

/** Every scenario of this folder, sorted by name. */
export function scenarios(): Scenario[] {
  return readdirSync(SCENARIO_DIR).filter((f) => f.endsWith('.json') && f !== 'scenario.schema.json').sort()
    .map((f) => parseScenario(readFileSync(join(SCENARIO_DIR, f), 'utf8'), basename(f, '.json')));
}

/** A scenario by name, or by the path of a scenario file of one's own. */
export function loadScenario(nameOrPath: string): Scenario {
  const path = join(SCENARIO_DIR, `${nameOrPath}.json`);
  if (/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(nameOrPath) && existsSync(path)) return parseScenario(readFileSync(path, 'utf8'), nameOrPath);
  if (nameOrPath.endsWith('.json') && existsSync(nameOrPath)) {
    return parseScenario(readFileSync(nameOrPath, 'utf8'), basename(nameOrPath, '.json'), nameOrPath);
  }
  const names = readdirSync(SCENARIO_DIR).filter((f) => f.endsWith('.json') && f !== 'scenario.schema.json').map((f) => basename(f, '.json'));
  const near = nearestName(nameOrPath, names);
  throw new ScenarioError(`no scenario named ${JSON.stringify(nameOrPath)}${near ? ` (did you mean ${near}?)` : ''}; wbemsim scenario --list shows them`);
}

/**
 * Runs a scenario as pinned: its choices, then the first enabled step at every later choice
 * point. The seed is 0 and unused (no random choice is made). `factory` defaults to the
 * scenario's own implementation; another one runs the same workload and choices. `shouldStop`
 * (polled between steps) cuts the run short.
 */
export async function runScenario(s: Scenario, factory?: BrokerFactory, impl = s.impl, shouldStop?: () => boolean, client?: ClientModel): Promise<RunResult> {
  const make = factory ?? await resolveImpl(impl);
  const broker = make();
  try {
    return runOnce({
      impl, broker, workload: workloadOf(s), seed: 0, keepTrace: true, shouldStop,
      strategy: new ChoiceListStrategy(s.choices ?? []), client: client ?? builtinClient(s.client),
    });
  } finally {
    broker.close?.();
  }
}

/** The trace as JSON lines, as `wbemsim run --trace` writes it. */
export function traceText(r: RunResult): string {
  return r.trace!.map((l) => JSON.stringify(l)).join('\n') + '\n';
}

export function goldenPath(s: Scenario): string {
  return join(SCENARIO_DIR, `${s.name}.trace.jsonl`);
}

/** Each rule's verdict in a run, by rule ID. */
export function verdicts(r: RunResult): Record<string, Verdict> {
  return Object.fromEntries(r.judge.results.map((x) => [x.rule, x.verdict]));
}

/**
 * How a run differs from what the scenario expects: a rule whose verdict is not the expected
 * one (a listed rule always has one, never `not exercised`), and a rule violated or inconclusive
 * that `expected` does not name. Empty when the run is as pinned.
 */
export function mismatches(s: Scenario, r: RunResult): string[] {
  const got = verdicts(r);
  const out: string[] = [];
  for (const [rule, want] of Object.entries(s.expected)) {
    if (got[rule] !== want) out.push(`${rule}: expected ${want}, got ${got[rule]}`);
  }
  for (const [rule, v] of Object.entries(got)) {
    if ((v === 'violated' || v === 'inconclusive') && !(rule in s.expected)) out.push(`${rule}: ${v}, not expected`);
  }
  return out;
}
