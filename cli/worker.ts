/**
 * Running a task in a worker thread (cli/task-worker.mjs): the one place that starts a worker and
 * speaks its protocol (result, error, progress). The long commands run their work there so that
 * the main thread keeps the signals (cli/interrupt.ts); `check` so that its heap is bounded. It
 * loads nothing of the simulator.
 */
import { Worker } from 'node:worker_threads';
import type { Progress } from './progress.ts';
import { stopFlag } from './stop-flag.ts';
import { UsageError } from './usage-error.ts';

/** Workers running a task now (a hard stop ends them). */
export const workers = new Set<Worker>();

/** What a task may throw back across the thread boundary. */
type TaskError = { kind: 'usage'; message: string } | { kind: 'bug'; message: string; stack?: string };

// The worker bodies are TypeScript beside this file (or JavaScript once compiled): the same extension.
const HERE = import.meta.url;
const BOOT = new URL('./task-worker.mjs', HERE);

/** The module `name` of cli/ (e.g. `tasks`, `check-task`) with this file's extension, as a worker entry. */
export function taskEntry(name: string): string {
  return new URL(`./${name}${HERE.slice(HERE.lastIndexOf('.'))}`, HERE).href;
}

export interface WorkerOptions {
  /** Progress messages the task posts on the way. */
  onProgress?: (p: Progress) => void;
  /** Limits of the worker's heap (`check --max-memory`). */
  resourceLimits?: { maxOldGenerationSizeMb: number };
  /** Turns an error event of the worker (e.g. out of memory) into the error to throw; the error itself when absent. */
  workerError?: (err: Error & { code?: string }) => Error;
}

/**
 * Runs the task `task` of the worker module `entry` (its `runTask(task, payload, stop)`) in a
 * worker thread, through cli/task-worker.mjs, and returns its result. A UsageError thrown there is
 * thrown here again (exit 2); the stop flag is shared, so a signal reaches it. The one place that
 * starts a worker and speaks its protocol (result, error, progress).
 */
export async function runInWorker<T>(entry: string, task: string, payload: unknown, options: WorkerOptions = {}): Promise<T> {
  const worker = new Worker(BOOT, {
    workerData: { entry, task, payload, stop: stopFlag }, execArgv: [],
    ...(options.resourceLimits ? { resourceLimits: options.resourceLimits } : {}),
  });
  workers.add(worker);
  try {
    return await new Promise<T>((resolve, reject) => {
      worker.on('message', (m: { t: 'result'; result: T } | { t: 'error'; error: TaskError } | { t: 'progress'; progress: Progress }) => {
        if (m.t === 'progress') options.onProgress?.(m.progress);
        else if (m.t === 'result') resolve(m.result);
        else if (m.error.kind === 'usage') reject(new UsageError(m.error.message));
        else {
          const err = new Error(m.error.message);
          if (m.error.stack) err.stack = m.error.stack;
          reject(err);
        }
      });
      worker.once('error', (err: Error & { code?: string }) => reject(options.workerError ? options.workerError(err) : err));
      worker.once('exit', (code) => reject(new Error(`the worker thread of ${task} ended with code ${code} before it answered`)));
    });
  } finally {
    workers.delete(worker);
    void worker.terminate();
  }
}

