/**
 * Named scenarios: a pinned run (a replay token, or an implementation, workload and seed), the
 * verdict it must give, and its golden trace (`NAME.trace.jsonl`). `npm run scenarios:update`
 * rewrites the golden traces; a test replays every scenario and compares byte for byte, so a
 * change to the model that changes a trace must be deliberate.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { resolveImpl } from '../brokers/implementations.ts';
import { replayToken } from '../cli/replay-command.ts';
import { runOnce, type RunResult } from '../sim/run.ts';
import { loadWorkload } from '../sim/workloads.ts';

export const SCENARIO_DIR = fileURLToPath(new URL('.', import.meta.url));

export interface Scenario {
  name: string;
  description: string;
  token?: string;
  run?: { impl: string; workload: string; seed: number };
  expect: { conformant: boolean; violated: string[] };
}

/** Every scenario of this folder, by name. */
export function scenarios(): Scenario[] {
  return readdirSync(SCENARIO_DIR).filter((f) => f.endsWith('.json')).sort()
    .map((f) => JSON.parse(readFileSync(join(SCENARIO_DIR, f), 'utf8')) as Scenario);
}

/** Runs a scenario exactly as pinned. */
export async function runScenario(s: Scenario): Promise<RunResult> {
  if (s.token) {
    const impl = JSON.parse(Buffer.from(s.token.split('.')[1]!, 'base64url').toString('utf8')).impl as string;
    return replayToken(s.token, await resolveImpl(impl));
  }
  const factory = await resolveImpl(s.run!.impl);
  const broker = factory();
  try {
    return runOnce({ impl: s.run!.impl, broker, workload: loadWorkload(s.run!.workload), seed: s.run!.seed, keepTrace: true });
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
