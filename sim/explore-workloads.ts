/**
 * The built-in explore configurations (`workloads/explore/*.json`): workloads small enough for
 * `wbemsim explore` to cover every interleaving. Their state counts are pinned by a test. They are
 * kept apart from `workloads/*.json` so that `wbemsim run`'s default suite does not change with them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Workload } from './workload.ts';
import { packagePath } from '../package-root.ts';
import { loadWorkload, parseWorkload } from './workloads.ts';

const DIR = packagePath('workloads', 'explore');

let configs: Workload[] | undefined;
/** The explore configurations, sorted by file name. */
export function exploreWorkloads(): Workload[] {
  return (configs ??= readdirSync(DIR).filter((f) => f.endsWith('.json')).sort()
    .map((f) => parseWorkload(readFileSync(join(DIR, f), 'utf8'), `workloads/explore/${f}`)));
}

/** A workload by name (built-in, then explore configuration) or by file path; throws WorkloadError. */
export function resolveWorkload(nameOrPath: string): Workload {
  return exploreWorkloads().find((w) => w.name === nameOrPath) ?? loadWorkload(nameOrPath);
}
