/**
 * Mullvad VPN's WMI event watcher (`--client mullvad`) and the same teardown run from inside a
 * callback (`mullvad-in-callback`), from IMPLEMENTATIONS.md section 2 ("After CancelAsyncCall
 * returns, a callback that had already started may still be running (Mullvad VPN's WMI code says
 * so of Windows 10 and waits for in-flight callbacks with a counter and a 100 ms poll before
 * freeing its sink state)") and section 4 ("Mullvad VPN (C++)": "Event subscription through a
 * stub; teardown cancels with the stub, then waits for in-flight callbacks. The same wait run from
 * inside a callback would wait for itself (derived)").
 *
 * The watcher subscribes with ExecNotificationQueryAsync through an unsecured-apartment stub of
 * its sink; each callback increments the counter on entry and decrements it on return. Teardown:
 * CancelAsyncCall with the stub, then the poll: while the counter is above zero, Sleep(100) and
 * read it again; then the sink's state is freed and stub and sink are released. Mullvad is itself
 * the correct pattern: it needs no corrected form.
 *
 * `mullvad-in-callback` (derived, no public report): the teardown is started by the first event's
 * handler (an event that makes the service shut the watcher down). The cancel is then made from
 * inside Indicate (LINT-NO-CANCEL-IN-SINK) and the poll counts the running handler itself: the
 * counter never falls, a hang reported with its cycle. Against a broker whose cancel waits for the
 * callback to return (the Wine model's design), the cancel itself never returns.
 */
import type { ClientApi, ClientFact, ClientModel, ClientThread } from '../sim/client-api.ts';
import type { Workload } from '../sim/workload.ts';
import { failed, hrName, S_OK } from '../trace/hresult.ts';
import { CLIENT_SAW } from '../specs/client-saw.ts';
import { noteFinal, play, player, startCall } from './play.ts';

/** Mullvad's poll interval (100 ms), in virtual time. */
export const POLL = 100;
/** How long the service runs before the watcher is torn down, in virtual time (derived). */
export const RUN_FOR = 6;

export const MULLVAD_FACTS: ClientFact[] = [
  { kind: 'read', source: 'IMPLEMENTATIONS.md §2: "Mullvad VPN\'s WMI code says so of Windows 10 and waits for in-flight callbacks with a counter and a 100 ms poll before freeing its sink state"', what: `after the cancel returned, the teardown polls the in-flight counter every ${POLL} units of virtual time and frees the sink state only when it reads zero` },
  { kind: 'read', source: 'IMPLEMENTATIONS.md §4, Mullvad VPN: "Event subscription through a stub; teardown cancels with the stub, then waits for in-flight callbacks"', what: 'ExecNotificationQueryAsync with an unsecured-apartment stub; CancelAsyncCall with the stub' },
  { kind: 'derived', source: 'IMPLEMENTATIONS.md §4, Mullvad VPN: "The same wait run from inside a callback would wait for itself (derived)"', what: 'mullvad-in-callback: the teardown run from the first event\'s handler cancels from inside Indicate and waits for its own callback: a hang' },
  { kind: 'derived', source: 'IMPLEMENTATIONS.md §2 (Mullvad), derived', what: 'the poll also waits for the final status the cancel brings before freeing (the sink state is what the final SetStatus uses too); a subscription whose final status already came is not cancelled; the service tears the watcher down after a fixed run' },
];

interface MullvadState {
  /** Call → its sink and the stub passed. */
  sinks: Record<string, { sink: string; stub: string }>;
  /** Calls whose state was freed. */
  freed: string[];
}

function mv(api: ClientApi): MullvadState {
  return api.state.mullvad as MullvadState;
}

function model(name: string, title: string, inCallback: boolean): ClientModel {
  /** The teardown of `call` on the thread running now (main, or a callback when `inCallback`). */
  function teardown(t: Readonly<ClientThread>, api: ClientApi, call: string): void {
    const done = () => (t.cb ? api.returnFromCallback(S_OK) : api.exit());
    const { sink, stub } = mv(api).sinks[call]!;
    if (t.at === 'td:cancel' || t.at === 'indicate') {
      // A subscription the broker already ended (its final status came) has nothing to cancel.
      if (play(api).finals.includes(call)) return api.goto('td:poll');
      api.cancel(`mv.k.${call}`, stub);
      return api.goto('td:poll');
    }
    if (t.at === 'td:poll') {
      if (t.vars.logged === undefined) {
        // The cancel's answer is logged, not acted on: the wait below is the same either way.
        t.vars.logged = true;
        if (failed(t.hr ?? S_OK)) api.saw('cancel-failed', `CancelAsyncCall returned ${hrName(t.hr!)}`, call);
      }
      if (api.inFlight(call) > 0) {
        // while (counter > 0) Sleep(100): the wait, then the poll's Sleep.
        api.waitForCallbacks(call, `the in-flight counter of ${call} reading 0 (the ${POLL} ms poll)`);
        return api.goto('td:sleep');
      }
      if (!play(api).finals.includes(call) && !failed(play(api).returned[call] ?? S_OK)) {
        api.waitUntil(`final:${call}`, `the final status of ${call}`);
        return api.goto('td:poll');
      }
      mv(api).freed.push(call);
      api.saw(CLIENT_SAW.stateFreed, 'the watcher\'s sink state freed', call);
      api.release(stub);
      api.release(sink);
      api.saw('stop-returned', 'the watcher was torn down', call);
      return done();
    }
    if (t.at === 'td:sleep') {
      api.sleep(POLL);
      return api.goto('td:poll');
    }
    throw new Error(`${name}: no teardown step at ${t.at}`);
  }

  const base = player({
    start(api, c) {
      const sink = `mv.${c.id}`;
      startCall(api, c, sink, { wrap: true, record: (stub) => { mv(api).sinks[c.id] = { sink, stub }; } });
    },
    started(api, c, hr) {
      if (failed(hr)) api.saw('error', `the subscription could not start: ${hrName(hr)}`, c.id);
    },
    callback(t, api) {
      const cb = t.cb!;
      if (t.at !== 'indicate' && t.at !== 'setstatus') return teardown(t, api, cb.call);
      if (cb.kind === 'indicate') {
        if (mv(api).freed.includes(cb.call)) api.saw('use-after-free', 'an event reached freed sink state', cb.call);
        else api.saw('EventArrived', `${cb.count} event(s)`, cb.call);
        // The first event makes the service shut the watcher down from inside the handler (derived).
        if (inCallback && api.state.tornDown === undefined) {
          api.state.tornDown = cb.call;
          return teardown(t, api, cb.call);
        }
        return api.returnFromCallback(S_OK);
      }
      if (cb.final) {
        noteFinal(api, cb.call);
        api.saw(CLIENT_SAW.completed, `the subscription ended (${hrName(cb.hResult)})`, cb.call);
      }
      return api.returnFromCallback(S_OK);
    },
    afterCalls(t, api) {
      const calls = Object.keys(mv(api).sinks).filter((c) => !failed(play(api).returned[c] ?? S_OK));
      const call = calls[0];
      if (call === undefined) return api.exit();
      if (inCallback) {
        // The service's main thread waits for the watcher to be torn down by an event's handler,
        // or for the subscription to end without one (then it tears the watcher down itself).
        if (t.at.startsWith('call:')) {
          api.waitUntil(`freed-or-ended:${call}`, `the teardown of ${call} or its end`);
          return api.goto('end');
        }
        if (t.at === 'end') return mv(api).freed.includes(call) ? api.exit() : api.goto('td:cancel');
        return teardown(t, api, call);
      }
      if (t.at.startsWith('call:')) {
        api.sleep(RUN_FOR);
        return api.goto('td:cancel');
      }
      return teardown(t, api, call);
    },
    ready(cond, state) {
      const [what, call] = cond.split(':') as [string, string];
      if (what === 'final') return (state.play as { finals: string[] }).finals.includes(call);
      if (what === 'freed-or-ended') return (state.mullvad as MullvadState).freed.includes(call) || (state.play as { finals: string[] }).finals.includes(call);
      return false;
    },
  });
  return {
    name, title, facts: MULLVAD_FACTS, workload: MULLVAD_WORKLOAD,
    start(api) {
      api.state.mullvad = { sinks: {}, freed: [] } satisfies MullvadState;
      base.start(api);
    },
    run: base.run,
    ready: base.ready,
  };
}

export const MULLVAD_WORKLOAD: Workload = {
  version: 1, name: 'mullvad-watch', description: 'An event subscription through a stub that delivers three events, then torn down.',
  sinks: [{ id: 's1', wrapped: true }], calls: [{ id: 'c1', op: 'ExecNotificationQueryAsync', sink: 's1~stub', objects: 3 }],
};

export const mullvad = model('mullvad', 'Mullvad VPN\'s watcher: cancel with the stub, then wait for callbacks in flight (a counter, a 100 ms poll) before freeing', false);
export const mullvadInCallback = model('mullvad-in-callback', 'Mullvad VPN\'s teardown run from inside an event callback: it waits for itself (derived)', true);
