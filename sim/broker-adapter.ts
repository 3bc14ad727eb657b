/**
 * The adapter API: what a broker implements to be driven by the harness.
 *
 * The harness owns all scheduling. A broker never runs on its own: it reacts to one input at a
 * time (a client call, a cancel, a callback returning, a provider result) and offers the
 * internal steps it is ready to take (`enabled()`); the harness's strategy picks among those and
 * every other enabled step of the world, then calls `step(id)`. Each call returns the broker's
 * outputs for that moment (callbacks to start on a sink, AddRef/Release, provider requests,
 * annotations), which the harness turns into trace events. Everything is synchronous so the hot
 * path needs no `await` per step.
 *
 * The reference broker, the mutants, the Wine model and the stdio bridge all implement this
 * same interface; nothing is special-cased.
 */
import type { KeyOrder } from '../trace/key-order.ts';
import type { Operation } from '../trace/event.ts';

export interface BrokerInfo {
  name: string;
  version: string;
  /** In the client's process: sink reference counts are then exact (no COM proxy references). */
  inProcess: boolean;
  /**
   * The broker annotates its unseen moments (`cancel-processed`, `final-decided` outputs) every
   * time. The lifecycle monitor then follows one state per call; otherwise it searches where those
   * moments may lie.
   */
  annotates?: boolean;
  /**
   * The authentication level (RPC_C_AUTHN_LEVEL_*, 1 NONE to 6 PKT_PRIVACY) at which the broker
   * calls back into the sink of a client in another process (CALLBACK-AUTH-LEVEL). Absent: not
   * known, and the harness marks no callback's level.
   */
  callbackAuthLevel?: number;
}

/** What the harness tells the broker about a run before it starts. */
export interface RunSetup {
  /** CoInitializeSecurity was called by the client before its calls. */
  security: boolean;
}

/** The harness-owned target of a call (a provider), as far as the broker may know it at the start. */
export interface CallTarget {
  /**
   * The HRESULT with which the operation cannot start (a bad query, an unknown class), or
   * absent when it can. A broker returns it from the async method (START-FAILURE-NO-CALLBACKS),
   * or accepts the call and ends it with that status.
   */
  startError?: number;
  /** The kind of provider that serves this call (a method provider ignores cancellation). */
  provider: 'instance' | 'method' | 'put' | 'delete' | 'event' | 'object';
}

export type BrokerInput =
  /**
   * The client entered an async method. `sink` is the pointer passed (a wrapper or the inner sink),
   * null for NULL. `query` and `language` (ExecQueryAsync, ExecNotificationQueryAsync): the query
   * text and its language where the workload gives them, null for NULL; absent, a valid query.
   */
  | { kind: 'call'; call: string; op: Operation; services: string; sink: string | null; flags: number; query?: string | null; language?: string | null; target: CallTarget }
  /** The client entered CancelAsyncCall; `fromCallback` is the callback id when called from inside a sink callback. */
  | { kind: 'cancel'; cancel: string; services: string; sink: string | null; fromCallback?: string }
  /** A sink callback that the broker started has returned with the sink's HRESULT. */
  | { kind: 'callback-returned'; cb: string; ret: number }
  /** The provider of a call produced `count` objects (or events). */
  | { kind: 'provider-produced'; call: string; count: number }
  /** The provider of a call finished with its own result. */
  | { kind: 'provider-completed'; call: string; hr: number }
  /** The provider's answer to a `provider-cancel` request (WBEM_E_NOT_AVAILABLE when unsupported). */
  | { kind: 'provider-cancel-answer'; call: string; hr: number }
  /** The client released its IWbemServices object. */
  | { kind: 'services-released'; services: string };

export type BrokerOutput =
  /** The async method returns to the client. */
  | { kind: 'call-return'; call: string; hr: number }
  /** CancelAsyncCall returns to the client. */
  | { kind: 'cancel-return'; cancel: string; hr: number }
  /** AddRef on a sink; `call` names the call the reference is for, where the broker knows it. */
  | { kind: 'addref'; sink: string; call?: string }
  | { kind: 'release'; sink: string; call?: string }
  /** Start IWbemObjectSink::Indicate on `sink` with `count` objects; `cb` is the broker's unique id for this callback. */
  | { kind: 'indicate'; cb: string; call: string; sink: string; count: number }
  /** Start IWbemObjectSink::SetStatus on `sink`. */
  | { kind: 'set-status'; cb: string; call: string; sink: string; lFlags: number; hResult: number; errorObject: boolean }
  /** Ask the call's provider to start its work. */
  | { kind: 'provider-start'; call: string }
  /** Ask the call's provider to cancel (it answers with a `provider-cancel-answer` input). */
  | { kind: 'provider-cancel'; call: string }
  /** Abort the provider's work outright (never legal for a method provider: PROVIDER-RUNS-TO-COMPLETION). */
  | { kind: 'provider-abort'; call: string }
  /** Annotation: the broker processed this cancel (set CallCancelled) for these calls. */
  | { kind: 'cancel-processed'; cancel: string; calls: string[] }
  /** Annotation: the broker decided the call's final status (set SetStatusWithFinalResultCalled). */
  | { kind: 'final-decided'; call: string; hResult: number };

/** An internal step the broker is ready to take; the strategy chooses among these and the world's steps. */
export interface BrokerStep {
  /** Unique among the broker's enabled steps, stable for the same broker state. */
  id: string;
  /**
   * The call the step concerns, when there is one. Partial-order reduction takes a step that names
   * a call and no cancel to change that call's state only.
   */
  call?: string;
  /**
   * The CancelAsyncCall the step processes or returns, when it does: such a step relates calls
   * across sinks, so it is never taken to commute with another call's steps, and PCT runs it in
   * the cancel's thread. A step that acts for a cancel must say so here.
   */
  cancel?: string;
}

export interface BrokerAdapter {
  readonly info: BrokerInfo;
  /** Forget everything and start a fresh run. */
  reset(setup: RunSetup): void;
  /** React to one input; returns the outputs produced at once (in order). */
  input(msg: BrokerInput): BrokerOutput[];
  /** The internal steps the broker can take now, in a deterministic order. */
  enabled(): BrokerStep[];
  /** Take one of the steps `enabled()` offered. */
  step(id: string): BrokerOutput[];
  /**
   * A canonical key of the broker's state for exhaustive search: equal keys mean the broker
   * will behave the same from here. Never sequence numbers or history. A `symmetric` broker
   * orders its lists by `order` when given one (trace/key-order.ts).
   */
  stateKey(order?: KeyOrder): string;
  /**
   * Optional, for stateful search: a copy of the broker's state (a value the broker alone reads),
   * and going back to one. With both, `explore` keeps the broker at a branch point and goes back
   * to it; without them it runs again from the start for every branch.
   */
  snapshot?(): unknown;
  /** `last`: the saved state will not be used again, so the broker may take it over instead of copying it. */
  restore?(s: unknown, last?: boolean): void;
  /**
   * The broker treats call ids as names only, and its `stateKey()` names every call it says
   * something about: renaming two calls the workload makes alike renames its key and nothing
   * else. Exhaustive search then merges states that differ only by such a renaming
   * (sim/symmetry.ts). A broker that does not say so is searched without symmetry.
   */
  readonly symmetric?: boolean;
  /** Release resources (a child process). Called once, after the last run. */
  close?(): void;
  /**
   * Faults to plant in the harness's model of the scripting layer (SWbemSink), for mutants of
   * that layer (sim/swbemsink-layer.ts, ScriptingFaults). Brokers leave it undefined.
   */
  readonly scripting?: Readonly<Record<string, boolean>>;
}

/** Makes a fresh adapter; the harness makes one per implementation and resets it per run. */
export type BrokerFactory = () => BrokerAdapter;

/** A broker that cannot go on (its process crashed, hung or broke the protocol). */
export class BrokerFailure extends Error {
  constructor(
    readonly reason: 'crash' | 'timeout' | 'protocol-error',
    message: string,
    /** What the broker wrote on stderr, kept whole. */
    readonly stderr = '',
  ) {
    super(message);
    this.name = 'BrokerFailure';
  }
}

/**
 * The harness was asked to stop (the user pressed Ctrl-C): thrown by a broker that was waiting on
 * its process when the request came. Not a broker failure: the run is cut, nobody is to blame.
 */
export class Interrupted extends Error {
  constructor(message = 'interrupted') {
    super(message);
    this.name = 'Interrupted';
  }
}
