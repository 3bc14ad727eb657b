/**
 * The worker body of `wbemsim check` (cli/check-command.ts runs it in a worker thread whose old
 * generation is bounded by `--max-memory`, so that the memory of a long check stays what its
 * open state needs, not what the garbage collector lets grow). Polls the shared stop flag.
 */
import { TraceInputError } from '../trace/reader.ts';
import type { JudgeResult } from '../specs/judge.ts';
import { checkTraceFile } from './check-command.ts';
import { UsageError } from './usage-error.ts';

/** The entry point cli/task-worker.mjs calls. */
export async function runTask(task: string, payload: unknown, stop: Int32Array): Promise<JudgeResult> {
  if (task !== 'check') throw new Error(`unknown task ${JSON.stringify(task)}`);
  const { path } = payload as { path: string };
  try {
    return await checkTraceFile(path, () => Atomics.load(stop, 0) !== 0);
  } catch (err) {
    if (err instanceof TraceInputError) throw new UsageError(err.line > 0 ? `${path}: ${err.message}` : err.message);
    throw err;
  }
}
