/**
 * How a client model plays a workload: the workload's calls are made in order on the `main`
 * thread (each after what its `after` names), each action on a thread of its own once its
 * `after` holds, and what the library does for each is the model's (`Library`). Callbacks reach
 * the library's handler on their own threads. The bookkeeping is the model's plain state.
 */
import type { ClientApi, ClientModel, ClientThread } from '../sim/client-api.ts';
import type { CallSpec, ClientAction } from '../sim/workload.ts';

/** The player's part of a model's state. */
export interface PlayState {
  /** Calls whose async method returned, and with what. */
  returned: Record<string, number>;
  /** Calls whose final status the library has seen. */
  finals: string[];
  /** Actions taken from inside a callback. */
  doneInside: number[];
}

/** What a library does when it plays a workload. */
export interface Library {
  /** The main thread starts call `c`: one blocking call (`callAsync` or `swbemCall`), after any set-up. */
  start(api: ClientApi, c: CallSpec): void;
  /** The call's method returned `hr` (not blocking). */
  started?(api: ClientApi, c: CallSpec, hr: number): void;
  /** A callback thread's step (it must return from the callback, or block and go on). */
  callback(t: Readonly<ClientThread>, api: ClientApi): void;
  /** An action thread's step; `t.vars.action` is the action's index. Must block, go on or exit. */
  action?(t: Readonly<ClientThread>, api: ClientApi, a: ClientAction): void;
  /** The main thread once every call was made; exits when absent. */
  afterCalls?(t: Readonly<ClientThread>, api: ClientApi): void;
  /** The library's own wait conditions. */
  ready?(cond: string, state: Readonly<Record<string, unknown>>, t: Readonly<ClientThread>, inFlight: (call?: string) => number): boolean;
}

export function play(api: ClientApi): PlayState {
  return api.state.play as PlayState;
}

/** The library saw the final status of `call`. */
export function noteFinal(api: ClientApi, call: string): void {
  const p = play(api);
  if (!p.finals.includes(call)) p.finals.push(call);
}

/** The action to take from inside callback `t` now, if one is due (a workload `fromCallback` action on that sink). */
export function actionInside(api: ClientApi, t: Readonly<ClientThread>, owner: string): { i: number; a: ClientAction } | undefined {
  const cb = t.cb!;
  const actions = api.workload.actions ?? [];
  for (let i = 0; i < actions.length; i++) {
    const a = actions[i]!;
    if (play(api).doneInside.includes(i) || !('fromCallback' in a) || !a.fromCallback) continue;
    const sink = a.kind === 'cancel' ? a.sink : a.kind === 'swbem-cancel' ? a.swsink : undefined;
    if (sink !== owner && ownerOfCall(api, cb.call) !== sink) continue;
    if ((a.fromCallback === 'final') !== cb.final) continue;
    if (!afterHolds(api.state, a.after)) continue;
    play(api).doneInside.push(i);
    return { i, a };
  }
  return undefined;
}

/** The workload's sink (or SWbemSink) of a call. */
export function ownerOfCall(api: ClientApi, call: string): string | undefined {
  const c = api.workload.calls.find((x) => x.id === call);
  return c?.swsink ?? c?.sink ?? undefined;
}

function afterHolds(state: Readonly<Record<string, unknown>>, after: string | undefined): boolean {
  if (!after) return true;
  const p = state.play as PlayState;
  return after.endsWith('.final') ? p.finals.includes(after.slice(0, -6)) : p.returned[after] !== undefined;
}

/** A model's `start`, `run` and `ready` from a library. */
export function player(lib: Library): Pick<ClientModel, 'start' | 'run' | 'ready'> {
  return {
    start(api) {
      api.state.play = { returned: {}, finals: [], doneInside: [] } satisfies PlayState;
      api.spawn('main', 'call:0');
      (api.workload.actions ?? []).forEach((a, i) => {
        if (!('fromCallback' in a && a.fromCallback)) api.spawn(`act${i}`, 'wait', { action: i });
      });
    },
    run(t, api) {
      if (t.cb) return lib.callback(t, api);
      if (t.id === 'main') {
        const [what, n] = t.at.split(':') as [string, string | undefined];
        const i = Number(n);
        const calls = api.workload.calls;
        if (what === 'call') {
          const c = calls[i];
          if (!c) return lib.afterCalls ? lib.afterCalls(t, api) : api.exit();
          if (!afterHolds(api.state, c.after)) return (api.waitUntil(`after:${c.after}`, `${c.after} before call ${c.id}`), api.goto(t.at));
          lib.start(api, c);
          return api.goto(`ret:${i}`);
        }
        if (what === 'ret') {
          const c = calls[i]!;
          play(api).returned[c.id] = t.hr!;
          lib.started?.(api, c, t.hr!);
          return api.goto(`call:${i + 1}`);
        }
        return lib.afterCalls!(t, api);
      }
      const i = t.vars.action as number | undefined;
      if (i !== undefined) {
        const a = api.workload.actions![i]!;
        if (t.at === 'wait') {
          if (!afterHolds(api.state, a.after)) return (api.waitUntil(`after:${a.after}`, `${a.after} before action ${i}`), api.goto('wait'));
          return lib.action ? (api.goto('0'), lib.action({ ...t, at: '0' }, api, a)) : api.exit();
        }
        return lib.action ? lib.action(t, api, a) : api.exit();
      }
      return lib.afterCalls!(t, api);
    },
    ready(cond, state, t, inFlight) {
      if (cond.startsWith('after:')) return afterHolds(state, cond.slice(6));
      return lib.ready?.(cond, state, t, inFlight) ?? false;
    },
  };
}

/**
 * Starts workload call `c` the way most libraries do: a sink of their own named `sink`, passed
 * directly or (`wrap`) through an unsecured-apartment stub, with `flags` (none by default) and the
 * call's IWbemServices object. `record` is told the pointer passed (the one a cancel uses) before
 * the call is made.
 */
export function startCall(api: ClientApi, c: CallSpec, sink: string, options: { wrap?: boolean; flags?: number; record?: (passed: string) => void } = {}): string {
  api.createSink(sink);
  const passed = options.wrap ? api.wrap(sink) : sink;
  options.record?.(passed);
  api.callAsync({ call: c.id, sink: passed, flags: options.flags ?? 0, ...(c.services ? { services: c.services } : {}) });
  return passed;
}
