/**
 * WmiLight (.NET) as a client model (`--client wmilight`) and a corrected form (`wmilight-fixed`),
 * from IMPLEMENTATIONS.md section 4 ("WmiLight (.NET)"): it "kept objects from Indicate without
 * AddRef; the finalizer later released objects WMI had freed (AccessViolation)". The model keeps
 * every object its Indicate receives and, once the call's final status came, its finalizers use
 * them (`object-used-after-indicate`, LINT-KEEP-INDICATED-OBJECTS). The corrected library AddRefs
 * each object it keeps, so using it later is sound. Derived: the finalizer runs after the final
 * status (any later moment shows the same), and the sink is passed directly.
 */
import type { ClientFact, ClientModel } from '../sim/client-api.ts';
import type { Workload } from '../sim/workload.ts';
import { failed, hrName, S_OK, WBEM_E_FAILED } from '../trace/hresult.ts';
import { CLIENT_SAW } from '../specs/client-saw.ts';
import { noteFinal, play, player, startCall } from './play.ts';

export const WMILIGHT_FACTS: ClientFact[] = [
  { kind: 'read', source: 'IMPLEMENTATIONS.md §4, WmiLight: "Kept objects from Indicate without AddRef; the finalizer later released objects WMI had freed"', what: 'objects kept without AddRef, used after Indicate returned' },
  { kind: 'derived', source: 'IMPLEMENTATIONS.md §4 (WmiLight row), derived', what: 'the finalizers run once the final status came; the sink is passed directly' },
];

/** WmiLight's start of a call: a sink of its own, passed directly, no flags. */
const startWithOwnSink: Parameters<typeof player>[0]['start'] = (api, c) => {
  startCall(api, c, `wl.${c.id}`);
};

function model(name: string, title: string, fixed: boolean): ClientModel {
  const kept = (s: Record<string, unknown>) => s.kept as Record<string, number>;
  const base = player({
    start: startWithOwnSink,
    started(api, c, hr) {
      if (failed(hr)) api.saw('error', `the call failed: ${hrName(hr)}`, c.id);
    },
    callback(t, api) {
      const cb = t.cb!;
      if (cb.kind === 'indicate') {
        kept(api.state)[cb.call] = (kept(api.state)[cb.call] ?? 0) + cb.count;
        api.saw('object', `${cb.count} object(s) kept${fixed ? ' with AddRef' : ' without AddRef'}`, cb.call);
      } else if (cb.final) {
        noteFinal(api, cb.call);
        api.saw(CLIENT_SAW.completed, `completed (${hrName(cb.hResult)})`, cb.call);
      }
      return api.returnFromCallback(S_OK);
    },
    afterCalls(t, api) {
      // The finalizers: each call's kept objects are released once its final status came.
      const calls = Object.keys(play(api).returned).filter((c) => !failed(play(api).returned[c]!));
      const waiting = calls.find((c) => !play(api).finals.includes(c));
      if (waiting !== undefined) {
        api.waitUntil(`final:${waiting}`, `the final status of ${waiting}`);
        return api.goto(t.at);
      }
      for (const c of calls) {
        const n = kept(api.state)[c] ?? 0;
        if (n === 0) continue;
        if (fixed) api.saw('finalized', `${n} object(s) released by their finalizers (AddRef'd)`, c);
        else api.saw(CLIENT_SAW.objectUsedAfterIndicate, `${n} object(s) released by their finalizers without an AddRef`, c);
      }
      return api.exit();
    },
    ready(cond, state) {
      return cond.startsWith('final:') && (state.play as { finals: string[] }).finals.includes(cond.slice(6));
    },
  });
  return {
    name, title, facts: WMILIGHT_FACTS, workload: WMILIGHT_WORKLOAD,
    start(api) {
      api.state.kept = {};
      base.start(api);
    },
    run: base.run, ready: base.ready,
  };
}

export const WMILIGHT_WORKLOAD: Workload = {
  version: 1, name: 'wmilight-query', description: 'A query of two objects whose objects the library keeps.',
  sinks: [{ id: 's1' }], calls: [{ id: 'c1', op: 'ExecQueryAsync', sink: 's1', objects: 2 }],
};

export const wmilight = model('wmilight', 'WmiLight: objects from Indicate kept without AddRef, used by finalizers later', false);
export const wmilightFixed = model('wmilight-fixed', 'WmiLight corrected: each kept object AddRef\'d', true);

export const WMILIGHT_X86_FACTS: ClientFact[] = [
  { kind: 'read', source: 'IMPLEMENTATIONS.md §4, WmiLight: "On 32-bit its watcher fired only once (issue \\"CreateEventSubscription for win-x86\\")"', what: 'the user sees one event, then none' },
  { kind: 'derived', source: 'IMPLEMENTATIONS.md §4, WmiLight: "a calling-convention bug most likely made the callback\'s return look like a failure, and WMI cancelled after the first delivery (derived)"', what: `the event sink's Indicate returns a value with the severity bit set (modelled as WBEM_E_FAILED); the broker cancels the subscription (SINK-ERROR-CANCELS)` },
  { kind: 'derived', source: 'IMPLEMENTATIONS.md §4 (WmiLight row), derived', what: 'the sink is passed directly; the subscription is kept for the program\'s life (no teardown); the corrected form returns S_OK' },
];

/** WmiLight's event subscription on win-x86: the sink's return reads as a failure. */
function x86Model(name: string, title: string, fixed: boolean): ClientModel {
  const base = player({
    start: startWithOwnSink,
    started(api, c, hr) {
      if (failed(hr)) api.saw('error', `CreateEventSubscription failed: ${hrName(hr)}`, c.id);
    },
    callback(t, api) {
      const cb = t.cb!;
      if (cb.kind === 'indicate') {
        api.saw('EventArrived', `${cb.count} event(s)`, cb.call);
        // The handler ran; what reaches WMI is whatever the mismatched calling convention left.
        return api.returnFromCallback(fixed ? S_OK : WBEM_E_FAILED);
      }
      if (cb.final) {
        noteFinal(api, cb.call);
        api.saw('subscription-ended', `the watcher stopped firing: the subscription ended (${hrName(cb.hResult)})`, cb.call);
      }
      return api.returnFromCallback(S_OK);
    },
  });
  return { name, title, facts: WMILIGHT_X86_FACTS, workload: WMILIGHT_X86_WORKLOAD, start: base.start, run: base.run, ready: base.ready };
}

export const WMILIGHT_X86_WORKLOAD: Workload = {
  version: 1, name: 'wmilight-x86-watch', description: 'An event subscription that delivers three events, its sink\'s callbacks compiled for win-x86.',
  sinks: [{ id: 's1' }], calls: [{ id: 'c1', op: 'ExecNotificationQueryAsync', sink: 's1', objects: 3 }],
};

export const wmilightX86 = x86Model('wmilight-x86', 'WmiLight on win-x86: the event sink\'s return looks like a failure, the watcher fires once (derived)', false);
export const wmilightX86Fixed = x86Model('wmilight-x86-fixed', 'WmiLight on win-x86 corrected: the event sink returns S_OK', true);
