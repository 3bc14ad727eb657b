/**
 * The stdio bridge: a broker written in any language, run as a child process that speaks the
 * JSON-lines protocol of docs/protocol.md, behind the synchronous BrokerAdapter.
 *
 * The harness is synchronous, a pipe is not: a worker thread
 * (stdio-broker-worker.mjs) owns the child and its asynchronous I/O, and this thread sleeps in
 * `Atomics.wait` on a shared counter until the worker posts the reply, bounded by the step
 * timeout. Everything the broker says is judged here, in one place: a reply that is not JSON,
 * of the wrong type, or naming a call, cancel or sink it never got, is a protocol error; a
 * silent broker is a timeout; a dead one a crash. Each failure kills the child's
 * whole process group and waits until it is reaped, so no process outlives its failure.
 *
 * One child serves many runs: `reset` is one round trip. After a failure the adapter refuses
 * everything but `reset`, which starts a fresh child, so the harness can go on with the next run.
 *
 * Snapshots: a broker that announces `"snapshot": true` in its hello is saved and restored through
 * the `snapshot` and `restore` requests, so that `explore` keeps it at a branch point instead of
 * running every branch again from the start. The broker's state is an opaque JSON value the
 * harness stores and hands back, so nothing on the broker's side outlives a branch point. The
 * adapter saves what it knows of the run beside it (the names the broker was given, the callback
 * ids it used, the steps it offered) and checks that a restored broker offers again the steps it
 * offered when it was saved. Without the announcement `snapshot` and `restore` stay undefined, and
 * the broker is explored by re-execution.
 *
 * Interrupts: a thread asleep in `Atomics.wait` runs no signal handler, so the harness that wants
 * to be stoppable runs its campaign in a worker thread and keeps the signals on the main thread
 * (cli/interrupt.ts). The main thread raises a shared flag (`interrupt`); this adapter waits in
 * slices of at most 100 ms and checks the flag after each, then kills its child and throws
 * `Interrupted`. Every process group it starts is announced on a BroadcastChannel, so that the
 * main thread can kill them itself should this thread never come back.
 */
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { BrokerFailure, Interrupted } from '../sim/broker-adapter.ts';
import type {
  BrokerAdapter,
  BrokerFactory,
  BrokerInfo,
  BrokerInput,
  BrokerOutput,
  BrokerStep,
  RunSetup,
} from '../sim/broker-adapter.ts';

/** The protocol's name in the handshake. */
export const PROTOCOL_NAME = 'wbemsim-broker';
/** The protocol version this harness speaks (docs/protocol.md, "Handshake"). */
export const PROTOCOL_VERSION = 2;

/** Limits of one stdio broker; wall-clock limits only cut work short, they never change a trace. */
export interface StdioBrokerOptions {
  /** Longest wait for one reply, in milliseconds (default 5000; the CLI's `--step-timeout`). */
  stepTimeoutMs?: number;
  /** Longest wait for the process to start and answer the hello (default: the larger of 10000 and stepTimeoutMs). */
  startTimeoutMs?: number;
  /** Longest reply line, in bytes without the newline (default 1 MiB). */
  maxLineBytes?: number;
  /** Most outputs, and most enabled steps, in one reply (default 10000). */
  maxOutputsPerReply?: number;
  /** stderr kept per process, in characters (default 64 Mi); beyond it the oldest lines are dropped, with a note. */
  maxStderrBytes?: number;
  /** Working directory of the child (default: the harness's). */
  cwd?: string;
  /** A stop request shared with another thread: once element 0 is not 0, waits end in `Interrupted`. */
  interrupt?: Int32Array;
}

/** Makes a factory of stdio brokers that run `command` through the shell. */
export function createStdioBroker(command: string, options: StdioBrokerOptions = {}): BrokerFactory {
  return () => new StdioBroker(command, options);
}

/** What the worker posts (stdio-broker-worker.mjs). */
type WorkerEvent =
  | { t: 'spawned'; pid: number }
  | { t: 'spawn-error'; message: string }
  | { t: 'worker-error'; message: string }
  | { t: 'line'; line: string }
  | { t: 'unsolicited'; line: string }
  | { t: 'too-long'; head: string; bytes: number }
  | { t: 'stderr'; data: string }
  | { t: 'exit'; code: number | null; signal: string | null };

/** A protocol violation found while reading a reply; becomes a BrokerFailure with the request named. */
class Violation extends Error {}

/** What the broker was told in the current run: the names it may use in its outputs. */
class RunBook {
  constructor(
    readonly calls = new Set<string>(),
    readonly cancels = new Set<string>(),
    readonly sinks = new Set<string>(),
    readonly cbs = new Set<string>(),
  ) {}

  copy(): RunBook {
    return new RunBook(new Set(this.calls), new Set(this.cancels), new Set(this.sinks), new Set(this.cbs));
  }
}

/** A saved broker (StdioBroker.snapshot): the broker's own state and the adapter's view of the run. */
interface StdioSnapshot {
  /** The run it was saved in (a count of resets): a state is only restored in its own run. */
  readonly run: number;
  /** The broker's state, as the JSON text it is sent back in. */
  readonly state: string;
  readonly book: RunBook;
  readonly steps: readonly BrokerStep[];
}

// Children still alive in this process, by process group: killed if the harness itself exits.
const live = new Set<number>();
let hooksInstalled = false;

/** The channel on which every thread announces the process groups it starts and ends. */
export const CHILDREN_CHANNEL = 'wbemsim-broker-children';
/** A message on CHILDREN_CHANNEL. */
export interface ChildNotice { pgid: number; alive: boolean }
let notices: BroadcastChannel | undefined;

function announce(notice: ChildNotice): void {
  if (!notices) {
    notices = new BroadcastChannel(CHILDREN_CHANNEL);
    // Announcing must never keep the harness alive.
    (notices as unknown as { unref?: () => void }).unref?.();
  }
  notices.postMessage(notice);
}

function killGroup(pgid: number): void {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // ESRCH: the group is already gone, which is what we want.
  }
}

function killAllLive(): void {
  for (const pgid of live) killGroup(pgid);
}

function onSignal(sig: NodeJS.Signals): void {
  killAllLive();
  // Alone on this signal, re-raise it so the harness still dies the way the user asked.
  if (process.listenerCount(sig) === 1) {
    process.removeListener(sig, onSignal);
    process.kill(process.pid, sig);
  }
}

function track(pgid: number): void {
  live.add(pgid);
  announce({ pgid, alive: true });
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', killAllLive);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, onSignal);
}

const WORKER_URL = new URL('./stdio-broker-worker.mjs', import.meta.url);
/** How long a killed child may take to be reaped before we stop waiting for its last stderr. */
const REAP_MS = 2000;
const MAX_UINT32 = 0xffffffff;
/** The first line of a broker's stderr that was longer than the cap. */
const STDERR_CUT = '[earlier stderr cut at the harness cap; its last lines follow]';
/** The longest sleep between two looks at the interrupt flag. */
const SLICE_MS = 100;

/** Quotes a line for a message, cut to a readable length. */
function quote(line: string, max = 300): string {
  const cut = line.length > max ? line.slice(0, max) + `… (${line.length} characters)` : line;
  return JSON.stringify(cut);
}

/** A JSON text cut to a readable length (not quoted again: it is JSON already). */
function cut(text: string, max = 240): string {
  return text.length > max ? text.slice(0, max) + '…' : text;
}

/** A request as failure messages name it: `input {"kind":"call",...}`, `step "deliver:c1"`, `reset`. */
function describe(request: Record<string, unknown>): string {
  const detail = request.type === 'input' ? ' ' + JSON.stringify(request.input) : request.type === 'step' ? ' ' + JSON.stringify(request.id) : '';
  return cut(`${String(request.type)}${detail}`);
}

/** The last lines of stderr, for a failure message; the whole text travels in BrokerFailure.stderr. */
function tail(stderr: string, lines = 5): string {
  const text = stderr.trimEnd();
  if (text === '') return '';
  return '\n--- last lines of the broker\'s stderr ---\n' + text.split('\n').slice(-lines).join('\n');
}

/** A broker process behind the BrokerAdapter interface (docs/protocol.md). */
export class StdioBroker implements BrokerAdapter {
  /** From the broker's hello; valid once the constructor returned. */
  info: BrokerInfo = { name: '', version: '', inProcess: true };

  private readonly stepTimeoutMs: number;
  private readonly startTimeoutMs: number;
  private readonly maxLineBytes: number;
  private readonly maxOutputs: number;
  private readonly maxStderrBytes: number;
  private readonly cwd: string;
  private readonly interrupt: Int32Array | undefined;
  /** Set once a stop request ended the child; the adapter is then as good as closed. */
  private interrupted = false;

  private worker: Worker | undefined;
  private port: MessagePort | undefined;
  /** [0]: events the worker posted; [1]: requests sent (the worker's test for an unsolicited line); [2]: 1 once the worker saw stdin close. */
  private counter: Int32Array | undefined;
  /** The child's stdin, written directly from this thread; -1 when the worker must write. */
  private pgid: number | undefined;
  private exited = false;
  private stderrText = '';
  /** Worker events taken in early (while collecting stderr) and not yet consumed. */
  private pending: WorkerEvent[] = [];
  private failure: BrokerFailure | undefined;
  private closed = false;

  private run = new RunBook();
  private steps: BrokerStep[] = [];
  /** Resets so far: the run a snapshot belongs to. */
  private runs = 0;
  /** The current process announced `"snapshot": true` in its hello. */
  private saves = false;

  /** Present only when the broker announced snapshots in its hello (docs/protocol.md, "Snapshots"). */
  snapshot?: () => unknown;
  /** Present only when the broker announced snapshots in its hello. */
  restore?: (s: unknown, last?: boolean) => void;

  constructor(
    /** The shell command that starts the broker. */
    readonly command: string,
    options: StdioBrokerOptions = {},
  ) {
    this.stepTimeoutMs = options.stepTimeoutMs ?? 5000;
    this.startTimeoutMs = options.startTimeoutMs ?? Math.max(10_000, this.stepTimeoutMs);
    this.maxLineBytes = options.maxLineBytes ?? 1 << 20;
    this.maxOutputs = options.maxOutputsPerReply ?? 10_000;
    this.maxStderrBytes = options.maxStderrBytes ?? 64 << 20;
    this.cwd = options.cwd ?? process.cwd();
    this.interrupt = options.interrupt;
    this.start();
    if (this.saves) {
      this.snapshot = () => this.save();
      this.restore = (saved, last) => this.load(saved as StdioSnapshot, last === true);
    }
  }

  /** The broker's process group id (its shell's pid) while it runs, undefined once it was ended. */
  get pid(): number | undefined {
    return this.pgid;
  }

  /** Everything the current process wrote on stderr so far (its free-form log). */
  get stderr(): string {
    this.drain();
    return this.stderrText;
  }

  reset(setup: RunSetup): void {
    if (this.closed) throw new Error('stdio broker: reset after close()');
    if (this.interrupted) throw new Interrupted();
    // A failed broker gets a fresh process: the harness goes on with its next run.
    if (this.failure) {
      this.failure = undefined;
      this.start();
    }
    this.run = new RunBook();
    this.steps = [];
    this.runs++;
    const outputs = this.exchangeOutputs({ type: 'reset', setup: { security: setup.security } });
    if (outputs.length > 0) this.fail('protocol-error', 'the reply to reset carries outputs; a reset produces none');
  }

  input(msg: BrokerInput): BrokerOutput[] {
    this.usable();
    // Names the broker may use from now on (its outputs are checked against them).
    if (msg.kind === 'call') {
      this.run.calls.add(msg.call);
      if (msg.sink !== null) this.run.sinks.add(msg.sink);
    } else if (msg.kind === 'cancel') {
      this.run.cancels.add(msg.cancel);
    }
    return this.exchangeOutputs({ type: 'input', input: msg });
  }

  enabled(): BrokerStep[] {
    this.usable();
    return this.steps;
  }

  step(id: string): BrokerOutput[] {
    this.usable();
    // The harness may only take an offered step: anything else is the harness's bug, not the broker's.
    if (!this.steps.some((s) => s.id === id)) throw new Error(`stdio broker: step ${JSON.stringify(id)} is not enabled`);
    return this.exchangeOutputs({ type: 'step', id });
  }

  stateKey(): string {
    this.usable();
    const reply = this.exchange({ type: 'state-key' }, 'state-key');
    if (typeof reply.key !== 'string') this.fail('protocol-error', `the state-key reply has no string "key"`);
    return reply.key as string;
  }

  /** The broker's state and the adapter's view of the run, for stateful search. */
  private save(): StdioSnapshot {
    this.usable();
    // A process started after a failure must announce snapshots again before it is asked for one.
    if (!this.saves) this.fail('protocol-error', 'the broker announced snapshots in its first hello, but not after it was started again');
    const reply = this.exchange({ type: 'snapshot' }, 'snapshot');
    if (!('state' in reply)) this.fail('protocol-error', 'the snapshot reply has no "state"');
    return { run: this.runs, state: JSON.stringify(reply.state), book: this.run.copy(), steps: this.steps };
  }

  /** Back to a saved state: the broker restores its own, the adapter its view of the run. */
  private load(saved: StdioSnapshot, last: boolean): void {
    this.usable();
    // Restoring a state of another run is the harness's bug, not the broker's.
    if (saved.run !== this.runs) throw new Error('stdio broker: restore of a state saved in another run');
    this.run = last ? saved.book : saved.book.copy();
    // The state goes back as the text written once when it was saved, however often it is restored.
    const outputs = this.exchangeOutputs({ type: 'restore' }, `{"type":"restore","state":${saved.state}}\n`);
    if (outputs.length > 0) this.fail('protocol-error', 'the reply to restore carries outputs; a restore produces none');
    const offered = (steps: readonly BrokerStep[]) => JSON.stringify(steps.map((x) => (x.call === undefined ? x.id : [x.id, x.call])));
    if (offered(this.steps) !== offered(saved.steps)) {
      this.fail('protocol-error', `restore did not bring the broker back to the saved state: it now offers the steps ${cut(offered(this.steps))}, where the saved state offered ${cut(offered(saved.steps))}`);
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.worker && !this.failure && !this.exited && !this.stopRequested()) {
      // A polite goodbye first; a broker that does not answer it is killed all the same.
      try {
        this.send({ type: 'bye' });
        this.awaitLine(Math.min(this.stepTimeoutMs, 1000));
        this.port?.postMessage({ t: 'end' });
        this.awaitExit(Math.min(this.stepTimeoutMs, 1000));
      } catch {
        // Whatever went wrong, the shutdown below ends the process.
      }
    }
    this.shutdown();
  }

  // --- process lifecycle -------------------------------------------------------------------

  /** Spawns the child through a fresh worker and performs the handshake. */
  private start(): void {
    const { port1, port2 } = new MessageChannel();
    const signal = new SharedArrayBuffer(12);
    this.counter = new Int32Array(signal);
    this.port = port1;
    this.exited = false;
    this.pgid = undefined;
    this.stderrText = '';
    this.pending = [];
    this.worker = new Worker(WORKER_URL, {
      workerData: {
        command: this.command,
        cwd: this.cwd,
        port: port2,
        signal,
        maxLineBytes: this.maxLineBytes,
      },
      transferList: [port2],
      // The worker is plain JavaScript: it needs none of the harness's loaders or flags, and some
      // (--input-type, --eval) would stop it from starting.
      execArgv: [],
    });
    // The worker must never keep the harness alive; the exit hook kills the child if it is left.
    this.worker.unref();

    const deadline = performance.now() + this.startTimeoutMs;
    for (;;) {
      const ev = this.next(deadline);
      if (ev === undefined) this.fail('timeout', `the broker process did not start within ${this.startTimeoutMs} ms (command: ${this.command})`);
      if (ev.t === 'spawned') {
        this.pgid = ev.pid;
        track(ev.pid);
        break;
      }
      if (ev.t === 'spawn-error') this.fail('crash', `cannot start the broker (command: ${this.command}): ${ev.message}`);
      if (ev.t === 'worker-error') this.fail('crash', `the harness's I/O worker failed: ${ev.message}`);
      if (ev.t === 'stderr') this.appendStderr(ev.data);
      else if (ev.t === 'exit') this.onExit(ev, 'while starting');
    }

    this.send({ type: 'hello', protocol: PROTOCOL_NAME, version: PROTOCOL_VERSION });
    const hello = this.parse(this.awaitLine(this.startTimeoutMs, 'the hello'), 'the hello');
    if (hello.type === 'error') this.fail('protocol-error', `the broker refused the hello (this harness speaks protocol version ${PROTOCOL_VERSION}; docs/protocol.md, section 4, says what changed): ${String(hello.message)}`);
    if (hello.type !== 'hello') this.fail('protocol-error', `expected a "hello" reply to the hello, got type ${JSON.stringify(hello.type)}`);
    if (hello.protocol !== PROTOCOL_NAME) this.fail('protocol-error', `the hello names protocol ${JSON.stringify(hello.protocol)}, expected "${PROTOCOL_NAME}"`);
    if (hello.version !== PROTOCOL_VERSION) this.fail('protocol-error', `the broker speaks protocol version ${JSON.stringify(hello.version)}; this harness speaks ${PROTOCOL_VERSION} (docs/protocol.md, section 4, says what changed)`);
    if (typeof hello.name !== 'string' || hello.name === '') this.fail('protocol-error', 'the hello has no "name"');
    if (typeof hello.brokerVersion !== 'string') this.fail('protocol-error', 'the hello has no string "brokerVersion"');
    if (typeof hello.inProcess !== 'boolean') this.fail('protocol-error', 'the hello has no boolean "inProcess"');
    if (hello.snapshot !== undefined && typeof hello.snapshot !== 'boolean') this.fail('protocol-error', 'the hello\'s "snapshot" is not a boolean');
    this.saves = hello.snapshot === true;
    this.info = { name: hello.name as string, version: hello.brokerVersion as string, inProcess: hello.inProcess as boolean, annotates: hello.annotates === true };
  }

  /** Kills the process group, waits for the reap (so no zombie is left) and drops the worker. */
  private shutdown(): void {
    if (this.pgid !== undefined) {
      killGroup(this.pgid);
      if (!this.exited) this.awaitExit(REAP_MS);
      live.delete(this.pgid);
      announce({ pgid: this.pgid, alive: false });
      // Forget the id: once the group is gone the number may be reused by an unrelated process.
      this.pgid = undefined;
    }
    void this.worker?.terminate();
    this.port?.close();
    this.worker = undefined;
  }

  /** Records the failure, ends the process and throws. Every later call but reset() throws it again. */
  private fail(reason: BrokerFailure['reason'], message: string): never {
    this.shutdown();
    const failure = new BrokerFailure(reason, message + tail(this.stderrText), this.stderrText);
    this.failure = failure;
    throw failure;
  }

  private usable(): void {
    if (this.interrupted) throw new Interrupted();
    if (this.failure) throw this.failure;
    if (this.closed) throw new Error('stdio broker: used after close()');
  }

  private onExit(ev: { code: number | null; signal: string | null }, when: string): never {
    this.exited = true;
    const how = ev.signal ? `was killed by ${ev.signal}` : `exited with code ${ev.code}`;
    return this.fail('crash', `the broker process ${how} ${when}`);
  }

  // --- the wire ----------------------------------------------------------------------------

  private stopRequested(): boolean {
    return this.interrupt !== undefined && Atomics.load(this.interrupt, 0) !== 0;
  }

  /** Ends the child at once on a stop request, keeping no failure: the run was cut, not failed. */
  private stopNow(): never {
    this.interrupted = true;
    this.shutdown();
    throw new Interrupted();
  }

  /**
   * The next worker event (stderr is collected on the way), or undefined at the deadline. Sleeps
   * in slices so that a stop request ends the wait within SLICE_MS (`interruptible`: not while
   * the child is being reaped, which is itself bounded).
   */
  private next(deadline: number, interruptible = true): WorkerEvent | undefined {
    const held = this.pending.shift();
    if (held) return held;
    const port = this.port!;
    const counter = this.counter!;
    for (;;) {
      // Read the counter before looking: the worker posts before it bumps, so no wake-up is lost.
      const seen = Atomics.load(counter, 0);
      const got = receiveMessageOnPort(port);
      if (got) return got.message as WorkerEvent;
      if (interruptible && this.stopRequested()) this.stopNow();
      const left = deadline - performance.now();
      if (left <= 0) return undefined;
      Atomics.wait(counter, 0, seen, this.interrupt ? Math.min(left, SLICE_MS) : left);
    }
  }

  /**
   * Keeps the broker's stderr up to the cap, and of a longer log its last lines: what a process
   * wrote just before it failed is what explains the failure.
   */
  private appendStderr(data: string): void {
    this.stderrText += data;
    if (this.stderrText.length <= this.maxStderrBytes) return;
    const noted = this.stderrText.startsWith(STDERR_CUT) ? this.stderrText.indexOf('\n') + 1 : 0;
    let from = this.stderrText.length - this.maxStderrBytes;
    // Start the kept part at a line, unless that would drop all of it.
    const nl = this.stderrText.indexOf('\n', from);
    if (nl >= 0 && nl + 1 < this.stderrText.length) from = nl + 1;
    this.stderrText = STDERR_CUT + '\n' + this.stderrText.slice(Math.max(from, noted));
  }

  /** Takes in what the worker posted so far: stderr is appended, anything else waits in `pending`. */
  private drain(): void {
    if (!this.port) return;
    for (;;) {
      const got = this.port && receiveMessageOnPort(this.port);
      if (!got) return;
      const ev = got.message as WorkerEvent;
      if (ev.t === 'stderr') this.appendStderr(ev.data);
      else this.pending.push(ev);
    }
  }

  /** Sends one request; `text`, when given, is the request's line already written out. */
  private send(request: Record<string, unknown>, text = JSON.stringify(request) + '\n'): void {
    // Strict alternation: before a request, the broker has nothing left to say but its log.
    this.drain();
    for (let ev = this.pending.shift(); ev; ev = this.pending.shift()) {
      // A process that dies before the hello is written has not replied to it either.
      if (ev.t === 'exit') this.onExit(ev, request.type === 'hello' ? 'before replying to the hello' : 'between requests');
      if (ev.t === 'unsolicited' || ev.t === 'line') this.fail('protocol-error', `the broker wrote a line nobody asked for: ${quote(ev.line)}`);
      if (ev.t === 'too-long') this.fail('protocol-error', `the broker wrote a line longer than ${this.maxLineBytes} bytes nobody asked for, starting ${quote(ev.head)}`);
    }
    // Count the request before writing it, so the reply can never look unsolicited to the worker.
    Atomics.add(this.counter!, 1, 1);
    // Requests go through the worker, which owns the pipe. Writing the descriptor from this thread
    // saved some 25 µs a request, but once the child is gone the number may name another file.
    this.port!.postMessage({ t: 'send', bytes: Buffer.from(text, 'utf8') });
  }

  /** Waits for the one reply line. `what` names the request in failure messages. */
  private awaitLine(timeoutMs: number, what = 'the request'): string {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const ev = this.next(deadline);
      if (ev === undefined) this.fail('timeout', `no reply to ${what} within ${timeoutMs} ms`);
      if (ev.t === 'line') return ev.line;
      if (ev.t === 'stderr') this.appendStderr(ev.data);
      else if (ev.t === 'exit') this.onExit(ev, `before replying to ${what}`);
      else if (ev.t === 'unsolicited') this.fail('protocol-error', `the broker wrote a line nobody asked for (seen while waiting for the reply to ${what}): ${quote(ev.line)}`);
      else if (ev.t === 'too-long') this.fail('protocol-error', `the reply to ${what} is longer than ${this.maxLineBytes} bytes (the line starts ${quote(ev.head)})`);
      else if (ev.t === 'worker-error') this.fail('crash', `the harness's I/O worker failed: ${ev.message}`);
    }
  }

  /** Waits until the child is reaped, keeping its last stderr. */
  private awaitExit(timeoutMs: number): void {
    const deadline = performance.now() + timeoutMs;
    while (!this.exited) {
      const ev = this.next(deadline, false);
      if (ev === undefined) return;
      if (ev.t === 'stderr') this.appendStderr(ev.data);
      else if (ev.t === 'exit') this.exited = true;
    }
  }

  private parse(line: string, what: string): Record<string, unknown> {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      this.fail('protocol-error', `the reply to ${what} is not JSON: ${quote(line)}`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) this.fail('protocol-error', `the reply to ${what} is not a JSON object: ${quote(line)}`);
    return value as Record<string, unknown>;
  }

  /**
   * One request, one reply of the expected type (or the broker's error, which ends it). `request`
   * names the request in failure messages; `text`, when given, is the line sent.
   */
  private exchange(request: Record<string, unknown>, expected: string, text?: string): Record<string, unknown> {
    const what = describe(request);
    this.send(request, text);
    const line = this.awaitLine(this.stepTimeoutMs, what);
    const reply = this.parse(line, what);
    if (reply.type === 'error') {
      this.fail('protocol-error', `the broker reported an error in reply to ${what}: ${typeof reply.message === 'string' ? reply.message : quote(line)}`);
    }
    if (reply.type !== expected) this.fail('protocol-error', `expected a "${expected}" reply to ${what}, got ${quote(line)}`);
    return reply;
  }

  /** An exchange whose reply carries outputs and the new enabled steps. */
  private exchangeOutputs(request: Record<string, unknown>, text?: string): BrokerOutput[] {
    const reply = this.exchange(request, 'outputs', text);
    const what = describe(request);
    try {
      const outputs = this.checkOutputs(reply.outputs);
      this.steps = this.checkSteps(reply.enabled);
      return outputs;
    } catch (err) {
      if (err instanceof Violation) this.fail('protocol-error', `in the reply to ${what}: ${err.message}`);
      throw err;
    }
  }

  // --- judging a reply ---------------------------------------------------------------------

  private checkOutputs(raw: unknown): BrokerOutput[] {
    if (!Array.isArray(raw)) throw new Violation('"outputs" is not an array');
    if (raw.length > this.maxOutputs) throw new Violation(`${raw.length} outputs, more than the cap of ${this.maxOutputs}`);
    return raw.map((o, i) => {
      try {
        return this.checkOutput(o);
      } catch (err) {
        if (err instanceof Violation) throw new Violation(`output #${i} ${cut(JSON.stringify(o) ?? String(o))}: ${err.message}`);
        throw err;
      }
    });
  }

  private checkSteps(raw: unknown): BrokerStep[] {
    if (!Array.isArray(raw)) throw new Violation('"enabled" is not an array');
    if (raw.length > this.maxOutputs) throw new Violation(`${raw.length} enabled steps, more than the cap of ${this.maxOutputs}`);
    const ids = new Set<string>();
    return raw.map((s: unknown) => {
      if (typeof s !== 'object' || s === null) throw new Violation(`enabled step ${cut(JSON.stringify(s) ?? String(s))} is not an object`);
      const step = s as Record<string, unknown>;
      if (typeof step.id !== 'string' || step.id === '') throw new Violation(`enabled step ${cut(JSON.stringify(s))} has no string "id"`);
      if (ids.has(step.id)) throw new Violation(`enabled step id ${quote(step.id)} appears twice`);
      ids.add(step.id);
      const out: BrokerStep = { id: step.id };
      if (step.call !== undefined) {
        if (typeof step.call !== 'string' || !this.run.calls.has(step.call)) throw new Violation(`enabled step ${quote(step.id)} names call ${quote(String(step.call))}, which the broker never got`);
        out.call = step.call;
      }
      if (step.cancel !== undefined) {
        if (typeof step.cancel !== 'string' || !this.run.cancels.has(step.cancel)) throw new Violation(`enabled step ${quote(step.id)} names cancel ${quote(String(step.cancel))}, which the broker never got`);
        out.cancel = step.cancel;
      }
      return out;
    });
  }

  /** One output, rebuilt from its known fields so nothing unchecked reaches the trace. */
  private checkOutput(raw: unknown): BrokerOutput {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Violation('not an object');
    const o = raw as Record<string, unknown>;
    const run = this.run;
    const call = (): string => {
      if (typeof o.call !== 'string') throw new Violation('no string "call"');
      if (!run.calls.has(o.call)) throw new Violation(`names call ${quote(o.call)}, which the broker never got`);
      return o.call;
    };
    const sink = (): string => {
      if (typeof o.sink !== 'string') throw new Violation('no string "sink"');
      if (!run.sinks.has(o.sink)) throw new Violation(`names sink ${quote(o.sink)}, which no call passed`);
      return o.sink;
    };
    const cancel = (): string => {
      if (typeof o.cancel !== 'string') throw new Violation('no string "cancel"');
      if (!run.cancels.has(o.cancel)) throw new Violation(`names cancel ${quote(o.cancel)}, which the broker never got`);
      return o.cancel;
    };
    const uint32 = (field: string): number => {
      const v = o[field];
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > MAX_UINT32) {
        const hint = typeof v === 'number' && Number.isInteger(v) && v < 0 && v >= -0x80000000 ? ` (HRESULTs are unsigned: write ${v >>> 0})` : '';
        throw new Violation(`"${field}" is not an unsigned 32-bit integer${hint}`);
      }
      return v;
    };
    const freshCb = (): string => {
      if (typeof o.cb !== 'string' || o.cb === '') throw new Violation('no string "cb"');
      if (run.cbs.has(o.cb)) throw new Violation(`callback id ${quote(o.cb)} was already used in this run`);
      run.cbs.add(o.cb);
      return o.cb;
    };
    switch (o.kind) {
      case 'call-return':
        return { kind: 'call-return', call: call(), hr: uint32('hr') };
      case 'cancel-return':
        return { kind: 'cancel-return', cancel: cancel(), hr: uint32('hr') };
      case 'addref':
      case 'release':
        // `call` is optional: which call the reference is for, where the broker says so.
        return o.call === undefined ? { kind: o.kind, sink: sink() } : { kind: o.kind, sink: sink(), call: call() };
      case 'indicate': {
        // A count of 0 is well formed: NO-EMPTY-INDICATE is a rule for the checks to judge.
        const count = o.count;
        if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) throw new Violation('"count" is not a non-negative integer');
        return { kind: 'indicate', cb: freshCb(), call: call(), sink: sink(), count };
      }
      case 'set-status': {
        if (typeof o.errorObject !== 'boolean') throw new Violation('no boolean "errorObject"');
        return { kind: 'set-status', cb: freshCb(), call: call(), sink: sink(), lFlags: uint32('lFlags'), hResult: uint32('hResult'), errorObject: o.errorObject };
      }
      case 'provider-start':
      case 'provider-cancel':
      case 'provider-abort':
        return { kind: o.kind, call: call() };
      case 'cancel-processed': {
        const id = cancel();
        if (!Array.isArray(o.calls)) throw new Violation('"calls" is not an array');
        const calls = o.calls.map((c: unknown) => {
          if (typeof c !== 'string' || !run.calls.has(c)) throw new Violation(`"calls" names ${cut(JSON.stringify(c) ?? String(c))}, which the broker never got`);
          return c;
        });
        return { kind: 'cancel-processed', cancel: id, calls };
      }
      case 'final-decided':
        return { kind: 'final-decided', call: call(), hResult: uint32('hResult') };
      default:
        throw new Violation(`unknown output kind ${cut(JSON.stringify(o.kind) ?? 'undefined')}`);
    }
  }
}
