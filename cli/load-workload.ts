/** `--workload` as `run` and `explore` read it. */
import { resolveWorkload } from '../sim/explore-workloads.ts';
import type { Workload } from '../sim/workload.ts';
import { WorkloadError } from '../sim/workloads.ts';
import { UsageError } from './usage-error.ts';

/** A workload by name or file; one that does not load is bad usage. */
export function load(nameOrPath: string): Workload {
  try {
    return resolveWorkload(nameOrPath);
  } catch (err) {
    if (err instanceof WorkloadError) throw new UsageError(err.message);
    throw err;
  }
}
