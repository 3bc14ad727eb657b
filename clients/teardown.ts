/**
 * Intel PresentMon's and Velociraptor's WMI event teardown as client models, each with a corrected
 * form, from IMPLEMENTATIONS.md section 4 ("Intel PresentMon, Velociraptor (C/C++)": "Cancel with
 * the stub and free their state at once, without waiting for callbacks in flight (derived: a late
 * Indicate touches freed state; in Velociraptor a send on a closed Go channel). Velociraptor's
 * `wmi_events` checks its timeout only when an event arrives, so a quiet subscription is never
 * cancelled (derived).").
 *
 * - `presentmon`: a subscription through an unsecured-apartment stub; after a fixed run the
 *   session stops: CancelAsyncCall with the stub, then the session state is freed and stub and
 *   sink released at once. A late Indicate touches the freed state (`use-after-free`).
 * - `velociraptor`: the C++ sink sends each event on a Go channel; the plugin's goroutine receives
 *   them and, after each one, checks its `wait` timeout; once it passed, it cancels with the stub,
 *   closes the channel and frees the sink state at once. A late Indicate sends on the closed channel
 *   (`panic`, what the user sees). With no event the timeout is never checked: the subscription
 *   lives until the collection itself ends, and the plugin then returns, releasing its IWbemServices
 *   without the cancel, which lives in the event path (derived).
 * - The corrected forms cancel only a subscription still running, then wait for the callbacks in
 *   flight and the final status before freeing; `velociraptor-fixed` also checks its timeout on a
 *   timer, not only when an event arrives.
 */
import type { ClientApi, ClientFact, ClientModel, ClientThread } from '../sim/client-api.ts';
import type { Workload } from '../sim/workload.ts';
import { failed, hrName, S_OK } from '../trace/hresult.ts';
import { CLIENT_SAW } from '../specs/client-saw.ts';
import { noteFinal, play, player, startCall } from './play.ts';

/** How long PresentMon's session runs before it stops, in virtual time (derived). */
export const SESSION = 6;
/** Velociraptor's `wait` timeout, in virtual time (derived). */
export const WAIT = 6;
/** When the collection running `wmi_events` ends by itself, in virtual time (derived). */
export const COLLECTION = 400;

/** The alarm threads: the collection's context ending, and the corrected form's timer. */
const ALARMS = {
  ctx: { sleep: COLLECTION, flag: 'ctxDone' },
  timer: { sleep: WAIT, flag: 'timedOut' },
} as const;

function alarmOf(at: string): (typeof ALARMS)[keyof typeof ALARMS] | undefined {
  return Object.hasOwn(ALARMS, at) ? ALARMS[at as keyof typeof ALARMS] : undefined;
}

export const PRESENTMON_FACTS: ClientFact[] = [
  { kind: 'read', source: 'IMPLEMENTATIONS.md §4, Intel PresentMon, Velociraptor: "Cancel with the stub and free their state at once, without waiting for callbacks in flight"', what: 'CancelAsyncCall with the stub, then the state freed and stub and sink released as soon as the cancel returned' },
  { kind: 'derived', source: 'IMPLEMENTATIONS.md §4, Intel PresentMon, Velociraptor: "(derived: a late Indicate touches freed state ...)"', what: 'an Indicate still running, or starting, after the cancel returned reaches freed state (use-after-free)' },
  { kind: 'derived', source: 'IMPLEMENTATIONS.md §4 (PresentMon row), derived', what: `the session stops after ${SESSION} units of virtual time; the corrected form cancels only a running subscription and waits for callbacks in flight and the final status before freeing` },
];

export const VELOCIRAPTOR_FACTS: ClientFact[] = [
  { kind: 'read', source: 'IMPLEMENTATIONS.md §4, Intel PresentMon, Velociraptor: "Cancel with the stub and free their state at once, without waiting for callbacks in flight"', what: 'CancelAsyncCall with the stub, then the channel closed and the sink state freed as soon as the cancel returned' },
  { kind: 'derived', source: 'IMPLEMENTATIONS.md §4, Intel PresentMon, Velociraptor: "(derived: ... in Velociraptor a send on a closed Go channel)"', what: 'a late Indicate sends its event on the closed channel: the Go runtime panics' },
  { kind: 'derived', source: 'IMPLEMENTATIONS.md §4: "Velociraptor\'s wmi_events checks its timeout only when an event arrives, so a quiet subscription is never cancelled (derived)"', what: 'the goroutine checks the wait timeout after each received event only' },
  { kind: 'derived', source: 'IMPLEMENTATIONS.md §4 (Velociraptor row), derived', what: `a subscription never cancelled lives until the collection ends (${COLLECTION} units of virtual time); the plugin then returns and releases its IWbemServices without the cancel, which is made only on the event path` },
];

interface TeardownState {
  /** Call → its sink and the stub passed. */
  sinks: Record<string, { sink: string; stub: string }>;
  /** Whether the state the callbacks use was freed (the channel closed). */
  freed: boolean;
  /** Events sent on the channel and not yet received (Velociraptor). */
  queue: number;
  /** The timer saw the timeout pass (corrected Velociraptor); the collection ended. */
  timedOut: boolean;
  ctxDone: boolean;
}

function td(api: ClientApi): TeardownState {
  return api.state.teardown as TeardownState;
}

function readyTeardown(cond: string, state: Readonly<Record<string, unknown>>, inFlight: (call?: string) => number): boolean {
  const s = state.teardown as TeardownState;
  const [what, call] = cond.split(':') as [string, string | undefined];
  // The final status has come and no callback of the call is in flight (the in-flight counter).
  if (what === 'quiet') return (state.play as { finals: string[] }).finals.includes(call!) && inFlight(call) === 0;
  if (what === 'recv') return s.queue > 0 || s.ctxDone;
  if (what === 'recv-or-timer') return s.queue > 0 || s.ctxDone || s.timedOut;
  return false;
}

function model(name: string, title: string, velociraptor: boolean, fixed: boolean, workload: Workload): ClientModel {
  const base = player({
    start(api, c) {
      const sink = `${velociraptor ? 'vr' : 'pm'}.${c.id}`;
      startCall(api, c, sink, { wrap: true, record: (stub) => { td(api).sinks[c.id] = { sink, stub }; } });
    },
    started(api, c, hr) {
      if (failed(hr)) api.saw('error', `the subscription could not start: ${hrName(hr)}`, c.id);
    },
    callback(t, api) {
      const cb = t.cb!;
      if (cb.kind === 'indicate') {
        if (td(api).freed) {
          if (velociraptor) api.saw('panic', 'panic: send on closed channel (a late event after the teardown)', cb.call);
          else api.saw('use-after-free', 'a late event touched the freed session state', cb.call);
        } else if (velociraptor) {
          td(api).queue += 1;
          api.saw('EventArrived', `${cb.count} event(s) sent on the channel`, cb.call);
        } else api.saw('EventArrived', `${cb.count} event(s)`, cb.call);
      } else if (cb.final) {
        noteFinal(api, cb.call);
        api.saw(CLIENT_SAW.completed, `the subscription ended (${hrName(cb.hResult)})`, cb.call);
      }
      return api.returnFromCallback(S_OK);
    },
    afterCalls(t, api) {
      const call = Object.keys(td(api).sinks).find((c) => !failed(play(api).returned[c] ?? S_OK));
      if (call === undefined) return api.exit();
      return (velociraptor ? goroutine : session)(t, api, call);
    },
    ready(cond, state, _t, inFlight) {
      return readyTeardown(cond, state, inFlight);
    },
  });

  /** PresentMon's session: run, then stop. */
  function session(t: Readonly<ClientThread>, api: ClientApi, call: string): void {
    if (t.at.startsWith('call:')) {
      api.sleep(SESSION);
      return api.goto('td:cancel');
    }
    return teardown(t, api, call);
  }

  /** Velociraptor's goroutine: receive, check the timeout, tear down. */
  function goroutine(t: Readonly<ClientThread>, api: ClientApi, call: string): void {
    const s = td(api);
    if (t.at.startsWith('call:')) {
      api.state.deadline = api.now + WAIT;
      api.spawn('ctx', 'ctx');
      if (fixed) api.spawn('timer', 'timer');
      return api.goto('recv');
    }
    if (t.at !== 'recv') return teardown(t, api, call);
    if (s.queue > 0) {
      s.queue -= 1;
      api.saw('row', 'an event row emitted', call);
      // The timeout is checked here, once an event was received.
      if (api.now >= (api.state.deadline as number)) return api.goto('td:cancel');
      return api.goto('recv');
    }
    if (fixed && s.timedOut) return api.goto('td:cancel');
    if (s.ctxDone) {
      // The collection ended: the plugin returns, its deferred release drops the IWbemServices.
      api.saw('timeout-ignored', `the wait of ${WAIT} passed with no event: the subscription was never cancelled and ran until the collection ended`, call);
      api.releaseServices('svc1');
      return api.exit();
    }
    api.waitUntil(fixed ? 'recv-or-timer' : 'recv', fixed ? 'an event on the channel, the timeout or the collection\'s end' : 'an event on the channel (the timeout is checked only then) or the collection\'s end');
    return api.goto('recv');
  }

  /** Cancel with the stub, then free: at once as shipped; after the callbacks in flight and the final status when fixed. */
  function teardown(t: Readonly<ClientThread>, api: ClientApi, call: string): void {
    const { sink, stub } = td(api).sinks[call]!;
    if (t.at === 'td:cancel') {
      if (fixed && play(api).finals.includes(call)) return api.goto('td:free');
      api.cancel(`${velociraptor ? 'vr' : 'pm'}.k.${call}`, stub);
      return api.goto(fixed ? 'td:drain' : 'td:free');
    }
    if (t.at === 'td:drain') {
      api.waitUntil(`quiet:${call}`, `the final status of ${call} and its callbacks in flight`);
      return api.goto('td:free');
    }
    td(api).freed = true;
    api.saw(CLIENT_SAW.stateFreed, velociraptor ? 'the event channel closed and the sink state freed' : 'the session state freed', call);
    api.release(stub);
    api.release(sink);
    api.saw('stop-returned', velociraptor ? 'wmi_events returned' : 'the session stopped', call);
    return api.exit();
  }

  return {
    name, title, workload, facts: velociraptor ? VELOCIRAPTOR_FACTS : PRESENTMON_FACTS,
    start(api) {
      api.state.teardown = { sinks: {}, freed: false, queue: 0, timedOut: false, ctxDone: false } satisfies TeardownState;
      base.start(api);
    },
    run(t, api) {
      // The two alarm threads: each sleeps, then raises its flag.
      const alarm = alarmOf(t.at);
      if (alarm) {
        api.sleep(alarm.sleep);
        return api.goto(`${t.at}-done`);
      }
      const rang = t.at.endsWith('-done') ? alarmOf(t.at.slice(0, -5)) : undefined;
      if (rang) {
        td(api)[rang.flag] = true;
        return api.exit();
      }
      return base.run(t, api);
    },
    ready: base.ready,
  };
}

export const PRESENTMON_WORKLOAD: Workload = {
  version: 1, name: 'presentmon-session', description: 'An event subscription through a stub that delivers three events, stopped after a fixed run.',
  sinks: [{ id: 's1', wrapped: true }], calls: [{ id: 'c1', op: 'ExecNotificationQueryAsync', sink: 's1~stub', objects: 3 }],
};

export const VELOCIRAPTOR_WORKLOAD: Workload = {
  version: 1, name: 'velociraptor-wmi-events', description: 'wmi_events with a wait timeout: a subscription through a stub that delivers three events.',
  sinks: [{ id: 's1', wrapped: true }], calls: [{ id: 'c1', op: 'ExecNotificationQueryAsync', sink: 's1~stub', objects: 3 }],
};

/** A quiet subscription: no event ever arrives. */
export const VELOCIRAPTOR_QUIET_WORKLOAD: Workload = {
  version: 1, name: 'velociraptor-quiet', description: 'wmi_events with a wait timeout on a subscription that delivers no event.',
  sinks: [{ id: 's1', wrapped: true }], calls: [{ id: 'c1', op: 'ExecNotificationQueryAsync', sink: 's1~stub', objects: 0 }],
};

export const presentmon = model('presentmon', 'Intel PresentMon: cancel with the stub and free the session state at once', false, false, PRESENTMON_WORKLOAD);
export const presentmonFixed = model('presentmon-fixed', 'Intel PresentMon corrected: after the cancel, wait for callbacks in flight and the final status', false, true, PRESENTMON_WORKLOAD);
export const velociraptor = model('velociraptor', 'Velociraptor wmi_events: timeout checked only when an event arrives; cancel, then close the channel at once', true, false, VELOCIRAPTOR_WORKLOAD);
export const velociraptorFixed = model('velociraptor-fixed', 'Velociraptor wmi_events corrected: timeout on a timer; after the cancel, wait for callbacks in flight and the final status', true, true, VELOCIRAPTOR_WORKLOAD);
