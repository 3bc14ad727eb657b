/**
 * The client-side API a client model is written against (docs/clients.md).
 *
 * A client model is a deterministic state machine, not free async code. Its state is plain data
 * (`state`, and per thread `vars`), kept by the harness and saved and restored with the world
 * under the stateful explorer; its code is a set of pure-ish functions the harness calls:
 * - `start` once, to create sinks and the first threads;
 * - `run` for one step of a thread: the code switches on the thread's label (`t.at`), does what
 *   it does without blocking, and ends the step with at most one blocking operation (an async
 *   call, a cancel, a sleep, a wait, a lock), with `api.goto(label)` saying where the thread goes
 *   on, or with `api.exit()` / `api.returnFromCallback(ret)`;
 * - callbacks the broker starts on one of the model's sinks become threads of their own
 *   (`sink:<cb>`), labelled `indicate` or `setstatus`, whose steps run the model's handler.
 * Each blocking operation is one step the virtual scheduler interleaves with every other step of
 * the world. A blocked thread declares what it waits for, so a hang is reported with its cycle
 * (thread → waits on → held by).
 */
import type { Workload } from './workload.ts';

/** A fact a model rests on: where it is written and whether the model's behaviour is read or derived. */
export interface ClientFact {
  /** IMPLEMENTATIONS.md section and phrase (or the public source read). */
  source: string;
  /** `read` from source or documentation; `derived` inferred, no public report. */
  kind: 'read' | 'derived';
  what: string;
}

/** What a blocked thread waits for. */
export type ClientWait =
  /** The async method `call` returns. */
  | { kind: 'call'; call: string }
  /** CancelAsyncCall `cancel` returns. */
  | { kind: 'cancel'; cancel: string }
  /** SWbemSink.Cancel returns (every CancelAsyncCall it made). */
  | { kind: 'swbem-cancel'; swsink: string; cancels: string[] }
  /** Virtual time reaches `at` (a Sleep). */
  | { kind: 'time'; at: number }
  /** The model's lock `lock` is free (the thread then holds it). */
  | { kind: 'lock'; lock: string }
  /** The model's condition `cond` holds (`ClientModel.ready`); `what` describes it for a hang report. */
  | { kind: 'until'; cond: string; what: string }
  /**
   * The in-flight counter (callbacks on the model's sinks entered and not returned, of `call` when
   * given, the running one included) reads zero; `what` describes it for a hang report, which names
   * the callbacks holding the counter up.
   */
  | { kind: 'callbacks'; call?: string; what: string };

/** One client thread, as plain data. */
export interface ClientThread {
  id: string;
  /** Where the thread goes on at its next step. */
  at: string;
  wait?: ClientWait;
  /** The thread's own variables. */
  vars: Record<string, unknown>;
  /** For a callback thread: the callback it runs. */
  cb?: ClientCallback;
  /** The result of the last blocking operation (an HRESULT), once it completed. */
  hr?: number;
}

/** A callback the broker started on one of the model's sinks. */
export interface ClientCallback {
  cb: string;
  call: string;
  /** The pointer called: a wrapper or the inner sink. */
  sink: string;
  /** The model's sink it reaches (the inner sink of a wrapper). */
  owner: string;
  kind: 'indicate' | 'setstatus';
  final: boolean;
  count: number;
  lFlags: number;
  hResult: number;
}

/** The parameters of an async call the model makes; the provider's side is the workload's call `call`. */
export interface ClientCallSpec {
  /** The workload call whose operation and provider this is (its id is the call's id in the trace). */
  call: string;
  /** The sink pointer passed (a wrapper or an inner sink); null passes NULL. */
  sink: string | null;
  services?: string;
  flags?: number;
}

/** What a model may do: the harness's client-side API. */
export interface ClientApi {
  /** The model's state (plain data), the workload it plays and virtual time. */
  readonly state: Record<string, unknown>;
  readonly workload: Workload;
  readonly now: number;
  /** Callbacks on the model's sinks entered and not returned (of `call` when given), the running one included. */
  inFlight(call?: string): number;

  /** A new sink object (reference count 1, the client's). */
  createSink(id: string): void;
  /** IUnsecuredApartment::CreateObjectStub: a wrapper `<sink>~stub` (the client's reference; COM's on the inner sink). Returns its pointer. */
  wrap(sink: string): string;
  addRef(sink: string): void;
  release(sink: string): void;
  /** A new thread at `at`, runnable at once. */
  spawn(id: string, at: string, vars?: Record<string, unknown>): void;

  /** Blocking: IWbemServices::<op>Async as the workload's call says; the thread waits for the method's return. */
  callAsync(spec: ClientCallSpec): void;
  /** Blocking: CancelAsyncCall(sink) through `services`; from a callback thread it is a cancel from inside that callback. */
  cancel(id: string, sink: string | null, services?: string): void;
  /** A call made through the scripting layer's SWbemSink `swsink` (blocking like `callAsync`). */
  swbemCall(swsink: string, call: string, services?: string, flags?: number): void;
  /** Creates an SWbemSink. */
  swbemCreate(swsink: string): void;
  /**
   * Blocking: SWbemSink.Cancel. `completing`: also cancel the operation whose final status is being
   * delivered (the layer then still holds it).
   */
  swbemCancel(swsink: string, completing?: boolean): void;
  /** The script sets its SWbemSink variable to Nothing. */
  swbemNothing(swsink: string): void;
  /** IWbemServices::Release. */
  releaseServices(services: string): void;
  /** Blocking: Sleep(ticks) in virtual time. */
  sleep(ticks: number): void;
  /** Blocking: wait until the model's condition holds (`ClientModel.ready`). */
  waitUntil(cond: string, what: string): void;
  /**
   * Blocking: wait until the in-flight counter (of `call` when given) reads zero. A poll of the
   * counter (Sleep in a loop) is written as this wait followed by the poll's Sleep, so that a
   * counter that can never fall (a callback waiting for itself) is a hang with its cycle, not a
   * busy run.
   */
  waitForCallbacks(call: string | undefined, what: string): void;
  /** Blocking: take the model's lock (re-entrant locks are not modelled). */
  lock(name: string): void;
  unlock(name: string): void;

  /** Where the thread goes on at its next step. */
  goto(at: string): void;
  /** The thread ends. */
  exit(): void;
  /** A callback thread's handler returns to the broker with `ret` (S_OK unless given). */
  returnFromCallback(ret?: number): void;
  /** Records what the library's user saw (`client.saw`; specs/client-saw.ts names the values the checks read). */
  saw(what: string, detail?: string, call?: string): void;
}

/** A client model (clients/). */
export interface ClientModel {
  /** As `--client` names it. */
  name: string;
  title: string;
  /** The facts it rests on, read or derived. */
  facts: ClientFact[];
  /** The workload it plays when none is given (its own situation). */
  workload: Workload;
  /** Creates the first sinks and threads. */
  start(api: ClientApi): void;
  /** One step of thread `t` (a callback thread has `t.cb`). */
  run(t: Readonly<ClientThread>, api: ClientApi): void;
  /**
   * Whether a `waitUntil` condition holds now. `inFlight` counts the callbacks on the model's sinks
   * that have entered and not returned (of `call` when given): what a counter incremented at the
   * top of each callback and decremented at its end would read.
   */
  ready?(cond: string, state: Readonly<Record<string, unknown>>, t: Readonly<ClientThread>, inFlight: (call?: string) => number): boolean;
}
