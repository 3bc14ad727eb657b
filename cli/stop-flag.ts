/**
 * The stop request of this process, shared with its worker threads: element 0 is 0 until a
 * signal came, then the exit code it asks for (cli/interrupt.ts sets it). Kept apart so that
 * commands which only poll it (`check`) load nothing of the simulator.
 */

/** Exit codes of an interrupted command: 128 + the signal's number, as shells report it. */
export const SIGNAL_EXIT = { SIGINT: 130, SIGTERM: 143 } as const;
export type StopSignal = keyof typeof SIGNAL_EXIT;

/** The stop request shared with worker threads. */
export const stopFlag = new Int32Array(new SharedArrayBuffer(4));

/** The signal that interrupted this process, if one did. */
export function interruptedBy(): StopSignal | undefined {
  const code = Atomics.load(stopFlag, 0);
  return code === 0 ? undefined : code === SIGNAL_EXIT.SIGTERM ? 'SIGTERM' : 'SIGINT';
}
