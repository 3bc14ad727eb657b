// @ts-check
/**
 * The worker thread in which the long commands run (cli/interrupt.ts explains why): it loads
 * the task module, TypeScript through tsx when the harness runs from its sources, runs the task,
 * and posts its result or its error to the main thread. Plain JavaScript, so that it starts
 * without any loader.
 */
import { parentPort, workerData } from 'node:worker_threads';

/** @type {{ entry: string, task?: string, payload?: unknown, stop: Int32Array }} */
const { entry, stop } = workerData;
const port = /** @type {import('node:worker_threads').MessagePort} */ (parentPort);

/** @param {unknown} err */
const errorOf = (err) => {
  const e = /** @type {Error} */ (err);
  return e?.name === 'UsageError' ? { kind: 'usage', message: e.message } : { kind: 'bug', message: String(e?.message ?? e), stack: e?.stack };
};

/** The task module, loading from now on; a failure is reported once the task has come. */
const loading = (async () => {
  if (entry.endsWith('.ts')) {
    const { register } = await import('tsx/esm/api');
    register();
  }
  return import(entry);
})();
loading.catch(() => {});

// A worker started ahead of its task (cli/worker.ts, startAhead) gets it as its first message.
/** @type {{ task: string, payload: unknown }} */
const job = workerData.task !== undefined ? { task: workerData.task, payload: workerData.payload } : await new Promise((resolve) => port.once('message', resolve));
try {
  const { runTask } = await loading;
  port.postMessage({ t: 'result', result: await runTask(job.task, job.payload, stop) });
} catch (err) {
  port.postMessage({ t: 'error', error: errorOf(err) });
}
