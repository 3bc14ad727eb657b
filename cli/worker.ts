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

/**
 * A worker started ahead of its task (`startAhead`): it loads the task module while the main
 * thread loads the command's own modules and reads its options, then waits for the task.
 */
let ahead: { entry: string; worker: Worker; failed: boolean } | undefined;

/**
 * Starts a worker for the task module `entry` now, to be used by the next `runInWorker` of that
 * module (one without resource limits), and returns it. It does not keep the process alive;
 * `dropAhead` ends it when no task came.
 */
export function startAhead(entry: string): Worker {
  if (ahead?.entry === entry) return ahead.worker;
  dropAhead();
  const worker = new Worker(BOOT, { workerData: { entry, stop: stopFlag }, execArgv: [] });
  worker.unref();
  const a = { entry, worker, failed: false };
  // A worker that failed before its task came is not used: a fresh one meets the failure again and reports it.
  const fail = () => { a.failed = true; };
  worker.once('error', fail);
  worker.once('exit', fail);
  ahead = a;
  return worker;
}

/** Ends the worker started ahead if no task took it. */
export function dropAhead(): void {
  if (ahead) void ahead.worker.terminate();
  ahead = undefined;
}

/** The worker started ahead for `entry`, if it is still fine, handed `task` and `payload`; else a new worker for them. */
function workerFor(entry: string, task: string, payload: unknown, options: WorkerOptions): Worker {
  const a = ahead;
  if (a && a.entry === entry && !a.failed && !options.resourceLimits) {
    ahead = undefined;
    a.worker.removeAllListeners();
    a.worker.ref();
    a.worker.postMessage({ task, payload });
    return a.worker;
  }
  return new Worker(BOOT, {
    workerData: { entry, task, payload, stop: stopFlag }, execArgv: [],
    ...(options.resourceLimits ? { resourceLimits: options.resourceLimits } : {}),
  });
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
  const worker = workerFor(entry, task, payload, options);
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

