/**
 * Ctrl-C and SIGTERM for every command: the command stops within a second, every process it
 * started (and its process group) is ended, what was done so far is printed as a partial summary,
 * and the exit code is 130 (SIGINT) or 143 (SIGTERM).
 *
 * The design: a JavaScript signal handler runs only when the main thread's event loop turns, and
 * a campaign is synchronous (a stdio broker even sleeps in `Atomics.wait`). So the long commands
 * (`run`, `explore`, `mutants`, `replay`) run their work in a worker thread (runTask below,
 * cli/task-worker.mjs) while the main thread keeps the signals and only waits. A signal raises a
 * shared flag (`stopFlag`) that the worker polls between steps, and that a stdio broker polls
 * every ≤ 100 ms while it waits for its process; the worker then returns what it finished, marked
 * interrupted. Should it not answer within GRACE_MS (a module broker stuck in a loop), the main
 * thread ends the worker and the process groups itself: stdio brokers announce every group they
 * start on a BroadcastChannel (brokers/stdio-broker.ts). The same worker is the place where
 * several campaign workers can later run side by side.
 */
import { BroadcastChannel } from 'node:worker_threads';
import { CHILDREN_CHANNEL, type ChildNotice } from '../brokers/stdio-broker.ts';
import type { Progress } from './progress.ts';
import { runInWorker, taskEntry, workers } from './worker.ts';
import { SIGNAL_EXIT, stopFlag, interruptedBy, type StopSignal } from './stop-flag.ts';

export { SIGNAL_EXIT, stopFlag, interruptedBy, type StopSignal };

/** How long the worker may take to hand back its partial result before it is ended. */
const GRACE_MS = 700;

/** Process groups of stdio brokers alive in any thread of this process. */
const groups = new Set<number>();

function killGroups(): void {
  for (const pgid of groups) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  groups.clear();
}

/** Installed handlers; `dispose` removes them. */
export interface InterruptGuard {
  /** The exit code the command must end with when a signal came, otherwise undefined. */
  exitCode(): number | undefined;
  dispose(): void;
}

/**
 * Takes SIGINT and SIGTERM for the length of one command. The first signal asks the work to
 * stop; if it has not come back within GRACE_MS, or at a second signal, the workers and process
 * groups are ended here, a line says so, and the process exits with the signal's code.
 */
export function installInterrupts(): InterruptGuard {
  Atomics.store(stopFlag, 0, 0);
  const channel = new BroadcastChannel(CHILDREN_CHANNEL);
  channel.onmessage = (ev: unknown) => {
    const n = (ev as { data: ChildNotice }).data;
    if (n.alive) groups.add(n.pgid);
    else groups.delete(n.pgid);
  };
  channel.unref();
  let timer: NodeJS.Timeout | undefined;
  const hardStop = () => {
    const code = Atomics.load(stopFlag, 0);
    killGroups();
    for (const w of workers) void w.terminate();
    process.stderr.write(`wbemsim: interrupted by ${interruptedBy()}; the work did not stop in time, so no summary was printed (partial: nothing to report)\n`);
    process.exit(code);
  };
  const onSignal = (sig: StopSignal) => {
    if (Atomics.load(stopFlag, 0) !== 0) return hardStop();
    Atomics.store(stopFlag, 0, SIGNAL_EXIT[sig]);
    Atomics.notify(stopFlag, 0);
    timer = setTimeout(hardStop, GRACE_MS);
    timer.unref();
  };
  const onInt = () => onSignal('SIGINT');
  const onTerm = () => onSignal('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  return {
    exitCode: () => {
      const code = Atomics.load(stopFlag, 0);
      return code === 0 ? undefined : code;
    },
    dispose: () => {
      if (timer) clearTimeout(timer);
      process.removeListener('SIGINT', onInt);
      process.removeListener('SIGTERM', onTerm);
      killGroups();
      channel.close();
    },
  };
}

/**
 * Runs the named task of cli/tasks.ts in a worker thread and returns its result (runInWorker).
 * Progress messages the task posts on the way go to `onProgress`.
 */
export function runTask<T>(task: string, payload: unknown, onProgress?: (p: Progress) => void): Promise<T> {
  return runInWorker<T>(taskEntry('tasks'), task, payload, onProgress ? { onProgress } : {});
}
