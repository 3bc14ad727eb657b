/**
 * .NET System.Management as a client library (`--client dotnet`): ManagementOperationObserver for
 * every operation but notification queries, ManagementEventWatcher for those. Written from
 * IMPLEMENTATIONS.md section 3 (read from dotnet/runtime src/libraries/System.Management); each
 * behaviour cites its phrase, and what is inferred is marked derived.
 *
 * How the workload maps onto the library: each call is one observer-based operation (searcher
 * Get, object Get/Put/Delete/InvokeMethod) or, for ExecNotificationQueryAsync, one watcher's
 * Start(); a `cancel` action is observer.Cancel() (or watcher.Stop() for a notification query's
 * sink), made from an event handler when the action says `fromCallback`; `release-sink` is
 * Dispose(). The user's handlers raise what the user sees as `client.saw` events: ObjectReady,
 * Progress, Completed (with `success` when its status succeeded, so the user reads a result),
 * EventArrived, Stopped, and the exceptions the library throws.
 */
import type { ClientApi, ClientFact, ClientModel, ClientThread } from '../sim/client-api.ts';
import type { CallSpec, ClientAction, Workload } from '../sim/workload.ts';
import { failed, hrName, S_OK, WBEM_E_CALL_CANCELLED, WBEM_FLAG_SEND_STATUS, WBEM_STATUS_PROGRESS } from '../trace/hresult.ts';
import { CLIENT_SAW } from '../specs/client-saw.ts';
import { actionInside, noteFinal, ownerOfCall, player, type Library } from './play.ts';

export const DOTNET_FACTS: ClientFact[] = [
  { kind: 'read', source: 'IMPLEMENTATIONS.md §3: "One sink per operation"', what: 'every observer-based call makes a new sink; the stub, not the managed sink, is what WMI gets (unsecured-apartment stub for remote targets only)' },
  { kind: 'read', source: 'IMPLEMENTATIONS.md §3: "Events run inline on WMI\'s thread; handler exceptions are swallowed"', what: 'every callback returns S_OK; ObjectReady per object, Progress per progress status, Completed(hResult) on the final status, then the sink is removed and its stub released' },
  { kind: 'read', source: 'IMPLEMENTATIONS.md §3: "WBEM_FLAG_SEND_STATUS is set only when a Progress handler is attached"', what: 'the model attaches a Progress handler when the workload\'s call asks for status' },
  { kind: 'read', source: 'IMPLEMENTATIONS.md §3: "ManagementOperationObserver.Cancel() snapshots its sinks under a lock and calls CancelAsyncCall with each stub"', what: 'Cancel ignores every result, neither waits nor removes nor releases; Completed(CallCanceled) only from the broker\'s WBEM_E_CALL_CANCELLED' },
  { kind: 'read', source: 'M2-NOTES 33 (against the Wine model)', what: 'a cancelled operation\'s Completed fires with S_OK, never CallCanceled: Wine waits, then sends its normal final status' },
  { kind: 'read', source: 'IMPLEMENTATIONS.md §3: "ManagementEventWatcher: Start() calls Stop() first and always uses lFlags 0"', what: 'Stop() cancels with the stub under a lock, releases the stub, throws if CancelAsyncCall failed; does not wait for Stopped' },
  { kind: 'read', source: 'IMPLEMENTATIONS.md §3: "Any SetStatus on the watcher\'s sink is read as stopped"', what: 'Stopped is raised and, unless the status was WBEM_E_CALL_CANCELLED, a second cancel is queued to the thread pool and hits a finished call' },
  { kind: 'read', source: 'IMPLEMENTATIONS.md §3: "Dispose() does not stop the subscription"', what: 'Dispose of a started watcher leaves the notification query running' },
  { kind: 'derived', source: 'IMPLEMENTATIONS.md §3, derived defects: "Get(observer) leaves its sink in the observer when the start fails"', what: 'a later Cancel() cancels that sink too, on which no call is pending' },
  { kind: 'derived', source: 'IMPLEMENTATIONS.md §3, derived defects: "Cancel()/Stop() from an event handler is a cancel from inside Indicate/SetStatus"', what: 'deadlock against the Wine model' },
  { kind: 'derived', source: 'IMPLEMENTATIONS.md §3 ("the server counts as local only when it is \\".\\" or the machine name")', what: 'for a local target the managed sink itself is passed (no unsecured-apartment stub)' },
];

/** The model's own state (beside the player's). */
interface DotnetState {
  /** The observer's sinks: call → sink, in the order added; removed on Completed (not on Cancel). */
  observer: [string, string][];
  /** Watchers: call → its stub (null once Stop released it), and whether Stopped was raised. */
  watchers: Record<string, { sink: string; stub: string | null; stopped: boolean }>;
  /** Counter for cancel ids. */
  cancels: number;
  /** Calls whose sink observer.Cancel() passed to CancelAsyncCall. */
  cancelled: string[];
}

function ds(api: ClientApi): DotnetState {
  return api.state.dotnet as DotnetState;
}

function isWatcher(c: CallSpec): boolean {
  return c.op === 'ExecNotificationQueryAsync';
}

function sinkName(call: string): string {
  return `dn.${call}`;
}

/** The .NET library; `remote`: the target is another machine, so each sink is passed as an unsecured-apartment stub. */
function library(remote: boolean): Library {
  return {
    start(api, c) {
      const sink = sinkName(c.id);
      api.createSink(sink);
      const passed = remote ? api.wrap(sink) : sink;
      if (isWatcher(c)) {
        // Start() calls Stop() first (nothing to stop on a new watcher) and always uses lFlags 0.
        ds(api).watchers[c.id] = { sink, stub: passed, stopped: false };
        api.callAsync({ call: c.id, sink: passed, flags: 0, ...(c.services ? { services: c.services } : {}) });
      } else {
        ds(api).observer.push([c.id, passed]);
        const flags = (c.flags ?? 0) & WBEM_FLAG_SEND_STATUS;
        api.callAsync({ call: c.id, sink: passed, flags, ...(c.services ? { services: c.services } : {}) });
      }
    },
    started(api, c, hr) {
      if (!failed(hr)) return;
      // The start failed: the library throws; Get(observer) leaves the sink in the observer (derived).
      api.saw('error', `${isWatcher(c) ? 'Start()' : 'Get()'} threw ManagementException ${hrName(hr)}`, c.id);
      if (isWatcher(c)) delete ds(api).watchers[c.id];
    },
    callback(t, api) {
      const cb = t.cb!;
      if (t.at !== 'indicate' && t.at !== 'setstatus') return afterCancel(t, api);
      raise(t, api);
      // Cancel()/Stop() from an event handler: a cancel from inside Indicate/SetStatus (derived).
      const inside = actionInside(api, t, ownerOfCall(api, cb.call) ?? cb.owner);
      if (inside) return cancelFor(t, api, inside.a, cb.call);
      api.returnFromCallback(S_OK);
    },
    action(t, api, a) {
      if (t.at === '0') {
        if (a.kind === 'cancel') return cancelFor(t, api, a, undefined);
        if (a.kind === 'release-sink') {
          // Dispose(): the subscription is not stopped (IMPLEMENTATIONS.md §3); the user drops the watcher.
          api.saw('dispose', `Dispose() on ${a.sink}: the subscription is not stopped`);
          return api.exit();
        }
        if (a.kind === 'release-services') {
          api.releaseServices(a.services);
          return api.exit();
        }
        return api.exit();
      }
      return afterCancel(t, api);
    },
  };

  /** Cancel()/Stop() on the thread running now; `call` names the call whose handler made it. */
  function cancelFor(t: Readonly<ClientThread>, api: ClientApi, a: ClientAction, fromCall: string | undefined): void {
    const s = ds(api);
    const inside = t.cb !== undefined;
    const target = a.kind === 'cancel' ? a.sink : undefined;
    const watcher = Object.entries(s.watchers).find(([call]) => call === fromCall || api.workload.calls.find((c) => c.id === call)?.sink === target);
    if (watcher) {
      // watcher.Stop(): cancels with the stub under a lock, then releases the stub.
      const [call, w] = watcher;
      if (w.stub === null) {
        api.saw('stop-returned', `Stop() on a stopped watcher (${call})`, call);
        return inside ? api.returnFromCallback(S_OK) : api.exit();
      }
      t.vars.stopping = call;
      api.lock('watcher');
      api.goto('stop-locked');
      return;
    }
    // observer.Cancel(): CancelAsyncCall with each sink of the snapshot, results ignored.
    const snapshot = s.observer.map(([, p]) => p);
    for (const [c] of s.observer) if (!s.cancelled.includes(c)) s.cancelled.push(c);
    t.vars.snapshot = snapshot;
    if (snapshot.length === 0) {
      api.saw('cancel-returned', 'Cancel() with no operation');
      return inside ? api.returnFromCallback(S_OK) : api.exit();
    }
    api.cancel(`dn.k${++s.cancels}`, snapshot[0]!, (a.kind === 'cancel' ? a.services : undefined) ?? 'svc1');
    api.goto('cancel:1');
  }

  /** After a blocking step of Cancel()/Stop(): the next CancelAsyncCall, or the end. */
  function afterCancel(t: Readonly<ClientThread>, api: ClientApi): void {
    const s = ds(api);
    const done = () => (t.cb ? api.returnFromCallback(S_OK) : api.exit());
    if (t.at === 'stop-locked') {
      const w = s.watchers[t.vars.stopping as string]!;
      if (w.stub === null) {
        api.unlock('watcher');
        return done();
      }
      api.cancel(`dn.k${++s.cancels}`, w.stub!, 'svc1');
      return api.goto('stop-cancelled');
    }
    if (t.at === 'stop-cancelled') {
      const call = t.vars.stopping as string;
      const w = s.watchers[call]!;
      if (w.stub !== null) api.release(w.stub);
      w.stub = null;
      api.unlock('watcher');
      if (failed(t.hr!)) api.saw('error', `Stop() threw ManagementException ${hrName(t.hr!)}`, call);
      else api.saw('stop-returned', 'Stop() returned', call);
      return done();
    }
    if (t.at.startsWith('cancel:')) {
      const n = Number(t.at.slice(7));
      const list = t.vars.snapshot as string[];
      if (n < list.length) {
        api.cancel(`dn.k${++s.cancels}`, list[n]!, 'svc1');
        return api.goto(`cancel:${n + 1}`);
      }
      api.saw('cancel-returned', 'Cancel() returned');
      return done();
    }
    throw new Error(`dotnet: no step at ${t.at}`);
  }

  /** The user's handlers, inline on the callback's thread. */
  function raise(t: Readonly<ClientThread>, api: ClientApi): void {
    const cb = t.cb!;
    const s = ds(api);
    const w = s.watchers[cb.call];
    if (w) {
      if (cb.kind === 'indicate') {
        api.saw('EventArrived', `${cb.count} event(s)`, cb.call);
        return;
      }
      // Any SetStatus is read as "stopped".
      noteFinal(api, cb.call);
      w.stopped = true;
      api.saw('Stopped', `Stopped(${hrName(cb.hResult)})`, cb.call);
      if (cb.hResult !== WBEM_E_CALL_CANCELLED && w.stub !== null) {
        // A second cancel queued to the thread pool, to avoid cancelling inside the callback.
        api.spawn(`pool.${cb.call}`, 'pool', { call: cb.call });
      }
      return;
    }
    if (cb.kind === 'indicate') {
      api.saw('ObjectReady', `${cb.count} object(s)`, cb.call);
      return;
    }
    if (cb.lFlags === WBEM_STATUS_PROGRESS) {
      api.saw('Progress', `Progress(${hrName(cb.hResult)})`, cb.call);
      return;
    }
    noteFinal(api, cb.call);
    const call = api.workload.calls.find((c) => c.id === cb.call);
    if (call?.op === 'PutInstanceAsync' || call?.op === 'PutClassAsync') api.saw('ObjectPut', 'ObjectPut raised (also for a failed put)', cb.call);
    api.saw(CLIENT_SAW.completed, `Completed(${hrName(cb.hResult)})`, cb.call);
    if (!failed(cb.hResult)) api.saw(CLIENT_SAW.success, 'Completed with status success', cb.call);
    // What the user sees go wrong: Cancel() was called, yet Completed reports success, not CallCanceled.
    if (!failed(cb.hResult) && s.cancelled.includes(cb.call)) api.saw('completed-ok-after-cancel', 'Cancel() was called, yet Completed reports success, not CallCanceled', cb.call);
    // The sink is removed from the observer and its stub released.
    const i = s.observer.findIndex(([c]) => c === cb.call);
    if (i >= 0) {
      const [, p] = s.observer[i]!;
      s.observer.splice(i, 1);
      api.release(p);
    }
  }
}

function model(name: string, title: string, remote: boolean, workload: Workload): ClientModel {
  const lib = library(remote);
  const base = player(lib);
  return {
    name, title, facts: DOTNET_FACTS, workload,
    start(api) {
      api.state.dotnet = { observer: [], watchers: {}, cancels: 0, cancelled: [] } satisfies DotnetState;
      base.start(api);
    },
    run(t, api) {
      if (t.at === 'pool') {
        // The thread pool's second cancel: CancelAsyncCall with the watcher's stub on a finished call.
        const w = ds(api).watchers[t.vars.call as string]!;
        if (w.stub === null) return api.exit();
        api.cancel(`dn.k${++ds(api).cancels}`, w.stub, 'svc1');
        return api.goto('pool-cancelled');
      }
      if (t.at === 'pool-cancelled') return api.exit();
      return base.run(t, api);
    },
    ready: base.ready,
  };
}

/** The situation the model plays by default: a query cancelled while it runs. */
export const DOTNET_WORKLOAD: Workload = {
  version: 1, name: 'dotnet-cancelled-query', description: 'A searcher Get(observer) of three objects, cancelled with observer.Cancel() once Get returned.',
  sinks: [{ id: 's1' }], calls: [{ id: 'c1', op: 'ExecQueryAsync', sink: 's1', objects: 3 }],
  actions: [{ kind: 'cancel', id: 'k1', sink: 's1', after: 'c1' }],
};

export const dotnet = model('dotnet', '.NET System.Management: ManagementOperationObserver and ManagementEventWatcher (local target)', false, DOTNET_WORKLOAD);
export const dotnetRemote = model('dotnet-remote', '.NET System.Management against a remote target: each sink passed as an unsecured-apartment stub', true, DOTNET_WORKLOAD);

/**
 * A watcher whose handlers call Stop(): EventArrived after the first event (a cancel from inside
 * Indicate), and Stopped when the subscription ends (a cancel from inside its SetStatus). The Wine
 * model delivers no event to a notification query (IMPLEMENTATIONS.md §1), so against it only the
 * Stopped handler runs.
 */
export const DOTNET_STOP_IN_HANDLER_WORKLOAD: Workload = {
  version: 1, name: 'dotnet-stop-in-handler', description: 'A ManagementEventWatcher of three events whose EventArrived and Stopped handlers call watcher.Stop().',
  sinks: [{ id: 's1' }], calls: [{ id: 'c1', op: 'ExecNotificationQueryAsync', sink: 's1', objects: 3 }],
  actions: [
    { kind: 'cancel', id: 'k1', sink: 's1', after: 'c1', fromCallback: true },
    { kind: 'cancel', id: 'k2', sink: 's1', after: 'c1', fromCallback: 'final' },
  ],
};

export const dotnetStopInHandler = model('dotnet-stop-in-handler', '.NET ManagementEventWatcher.Stop() called from an EventArrived handler (derived)', false, DOTNET_STOP_IN_HANDLER_WORKLOAD);
