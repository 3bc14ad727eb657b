// @ts-check
/**
 * The worker thread behind `createStdioBroker` (stdio-broker.ts). It owns the broker's child
 * process and does the asynchronous I/O that the synchronous adapter cannot: it writes the
 * requests the main thread posts, cuts the child's stdout into lines and forwards every event
 * (a line, a stderr chunk, the exit) to the main thread, which sleeps in `Atomics.wait` until
 * the shared counter moves. Plain JavaScript because a worker cannot rely on a TypeScript loader.
 *
 * It never interprets JSON: judging the broker is the main thread's job, in one place.
 */
import { spawn } from 'node:child_process';
import { StringDecoder } from 'node:string_decoder';
import { workerData } from 'node:worker_threads';

/** @type {{ command: string, cwd: string, port: import('node:worker_threads').MessagePort, signal: SharedArrayBuffer, maxLineBytes: number }} */
const { command, cwd, port, signal, maxLineBytes } = workerData;
/** [0]: events posted (the main thread waits on it); [1]: requests the main thread has sent; [2]: 1 once stdin closed. */
const counter = new Int32Array(signal);

/** Posts an event, then wakes the main thread; posting first means a woken reader always finds it. */
function post(/** @type {Record<string, unknown>} */ msg) {
  port.postMessage(msg);
  Atomics.add(counter, 0, 1);
  Atomics.notify(counter, 0);
}

// A bug here must not leave the main thread waiting for a timeout without a word.
process.on('uncaughtException', (err) => post({ t: 'worker-error', message: String(err?.stack ?? err) }));

// detached: the child leads its own process group, so one kill(-pgid) also reaches whatever the
// shell started (a `python3` behind a pyenv shim is a grandchild).
const child = spawn(command, { shell: true, detached: true, cwd, stdio: ['pipe', 'pipe', 'pipe'] });
let spawned = false;
child.on('spawn', () => {
  spawned = true;
  post({ t: 'spawned', pid: child.pid });
});
child.on('error', (err) => {
  // Only a failure to start reaches here before 'spawn'; later errors show up as the exit.
  if (!spawned) post({ t: 'spawn-error', message: err.message });
});
// The worker owns the child's stdin: every request is written here, in order.
const stdin = child.stdin;
/** @type {{ stdin: unknown }} */ (/** @type {unknown} */ (child)).stdin = null;
// A dead child makes writes fail with EPIPE; the exit event tells the story, so ignore it here.
stdin.on('error', () => {});
stdin.on('close', () => {
  // Never expected before 'end'; if it happens, the main thread must stop using the descriptor.
  Atomics.store(counter, 2, 1);
});

/** Reply lines seen; a line is legal only while fewer lines than requests arrived (strict alternation). */
let lines = 0;
/** Pieces of the current, unterminated stdout line. */
let partial = [];
let partialBytes = 0;
let stdoutStopped = false;

/**
 * Ignores stdout from now on: the broker broke the protocol, and the main thread will kill it.
 * The stream keeps flowing (into nothing) so that the end of the pipe, and so 'close', still come.
 */
function stopStdout() {
  stdoutStopped = true;
  partial = [];
}

child.stdout.on('data', (/** @type {Buffer} */ chunk) => {
  if (stdoutStopped) return;
  let start = 0;
  for (;;) {
    const nl = chunk.indexOf(10, start);
    const end = nl < 0 ? chunk.length : nl;
    partialBytes += end - start;
    if (partialBytes > maxLineBytes) {
      partial.push(chunk.subarray(start, end));
      const head = Buffer.concat(partial).subarray(0, 200).toString('utf8');
      post({ t: 'too-long', head, bytes: partialBytes });
      stopStdout();
      return;
    }
    if (nl < 0) {
      if (end > start) partial.push(chunk.subarray(start, end));
      return;
    }
    partial.push(chunk.subarray(start, nl));
    let line = Buffer.concat(partial).toString('utf8');
    partial = [];
    partialBytes = 0;
    start = nl + 1;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (lines < Atomics.load(counter, 1)) {
      lines += 1;
      post({ t: 'line', line });
    } else {
      // A second line for one request, or a line before any request: nobody asked for it.
      post({ t: 'unsolicited', line });
      stopStdout();
      return;
    }
  }
});

// stderr is the broker's log: all of it goes to the main thread, which keeps its last part up to
// a cap (what a process wrote last explains its failure best). The decoder keeps a character
// split across two chunks whole.
const stderrText = new StringDecoder('utf8');
child.stderr.on('data', (/** @type {Buffer} */ chunk) => {
  const data = stderrText.write(chunk);
  if (data) post({ t: 'stderr', data });
});

// 'close' comes after stdout and stderr are drained, so the exit is the last event posted.
child.on('close', (code, sig) => {
  post({ t: 'exit', code, signal: sig });
  port.close();
});

port.on('message', (/** @type {{ t: 'send', bytes: Uint8Array } | { t: 'end' }} */ msg) => {
  if (msg.t === 'send') {
    // The main thread counted the request already; this is the rest it could not write itself.
    stdin.write(msg.bytes);
  } else if (msg.t === 'end') {
    stdin.end();
  }
});
