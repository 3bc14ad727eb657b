// @ts-check
/**
 * The worker thread in which the long commands run (cli/interrupt.ts explains why): it loads
 * the task module, TypeScript through tsx when the harness runs from its sources, runs the task,
 * and posts its result or its error to the main thread. Plain JavaScript, so that it starts
 * without any loader.
 */
import { parentPort, workerData } from 'node:worker_threads';

/** @type {{ entry: string, task: string, payload: unknown, stop: Int32Array }} */
const { entry, task, payload, stop } = workerData;
const port = /** @type {import('node:worker_threads').MessagePort} */ (parentPort);

try {
  if (entry.endsWith('.ts')) {
    const { register } = await import('tsx/esm/api');
    register();
  }
  const { runTask } = await import(entry);
  port.postMessage({ t: 'result', result: await runTask(task, payload, stop) });
} catch (err) {
  const e = /** @type {Error} */ (err);
  port.postMessage({ t: 'error', error: e?.name === 'UsageError' ? { kind: 'usage', message: e.message } : { kind: 'bug', message: String(e?.message ?? e), stack: e?.stack } });
}
