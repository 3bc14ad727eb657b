/**
 * microsoft/wmi (Go, through the scripting layer's SWbemSink) as a client model (`--client
 * ms-wmi-go`) and a corrected form (`ms-wmi-go-fixed`), from IMPLEMENTATIONS.md section 4
 * ("microsoft/wmi (Go, scripting SWbemSink)": "`Close()` releases the SWbemSink and never calls
 * Cancel: the notification query stays alive in WMI until the process exits").
 *
 * The library subscribes with SWbemServices.ExecNotificationQueryAsync through an SWbemSink whose
 * OnObjectReady hands each event to the Go side; after a while its user calls Close(), which
 * releases the SWbemSink (the script's Nothing) without SWbemSink.Cancel: the subscription goes on
 * in WMI (SWBEMSINK-NOTHING-IS-NOT-CANCEL; the client's fault is LINT-CANCEL-NEVER-ENDING) and
 * what the user sees is an event still arriving after Close when one comes. The corrected Close()
 * calls SWbemSink.Cancel on a subscription still running and waits for its OnCompleted and the
 * handlers still running before the release.
 */
import type { ClientApi, ClientFact, ClientModel, ClientThread } from '../sim/client-api.ts';
import type { Workload } from '../sim/workload.ts';
import { failed, hrName, S_OK } from '../trace/hresult.ts';
import { CLIENT_SAW } from '../specs/client-saw.ts';
import { noteFinal, play, player } from './play.ts';

const SWSINK = 'go.sink';
/** How long the user keeps the subscription before Close(), in virtual time (derived). */
export const KEEP = 6;

export const MS_WMI_GO_FACTS: ClientFact[] = [
  { kind: 'read', source: 'IMPLEMENTATIONS.md §4, microsoft/wmi (Go, scripting SWbemSink): "Close() releases the SWbemSink and never calls Cancel: the notification query stays alive in WMI until the process exits"', what: 'Close() sets the SWbemSink to Nothing without SWbemSink.Cancel' },
  { kind: 'derived', source: 'IMPLEMENTATIONS.md §4 (microsoft/wmi row), derived', what: `the user calls Close() after ${KEEP} units of virtual time; an event that still reaches the sink after Close() is what the user sees go wrong; the corrected Close() cancels a running subscription and waits for OnCompleted and the handlers in flight` },
];

function model(name: string, title: string, fixed: boolean): ClientModel {
  const closed = (api: ClientApi) => api.state.closed === true;
  const base = player({
    start(api, c) {
      api.swbemCall(SWSINK, c.id, c.services, c.flags);
    },
    started(api, c, hr) {
      if (failed(hr)) api.saw('error', `ExecNotificationQueryAsync failed: ${hrName(hr)}`, c.id);
    },
    callback(t, api) {
      const cb = t.cb!;
      if (cb.kind === 'indicate') {
        if (closed(api)) api.saw('event-after-close', `${cb.count} event(s) after Close(): the subscription is still alive`, cb.call);
        else api.saw('EventArrived', `${cb.count} event(s)`, cb.call);
      } else if (cb.final) {
        noteFinal(api, cb.call);
        api.saw(CLIENT_SAW.completed, `OnCompleted(${hrName(cb.hResult)})`, cb.call);
      }
      return api.returnFromCallback(S_OK);
    },
    afterCalls(t, api) {
      return close(t, api);
    },
    ready(cond, state, _t, inFlight) {
      const [what, call] = cond.split(':') as [string, string];
      return what === 'quiet' && (state.play as { finals: string[] }).finals.includes(call) && inFlight(call) === 0;
    },
  });

  /** The user keeps the subscription for a while, then calls Close(). */
  function close(t: Readonly<ClientThread>, api: ClientApi): void {
    const call = api.workload.calls[0]?.id;
    const running = call !== undefined && !failed(play(api).returned[call] ?? S_OK) && !play(api).finals.includes(call);
    if (t.at.startsWith('call:')) {
      api.sleep(KEEP);
      return api.goto('close');
    }
    if (t.at === 'close' && fixed && running) {
      api.swbemCancel(SWSINK);
      return api.goto('drain');
    }
    if (t.at === 'drain' && call !== undefined && (!play(api).finals.includes(call) || api.inFlight(call) > 0)) {
      api.waitUntil(`quiet:${call}`, `OnCompleted of ${call} and its callbacks in flight`);
      return api.goto('release');
    }
    api.swbemNothing(SWSINK);
    api.state.closed = true;
    api.saw('close-returned', fixed ? 'Close() returned' : 'Close() returned; the subscription was never cancelled', call);
    return api.exit();
  }

  return {
    name, title, facts: MS_WMI_GO_FACTS, workload: MS_WMI_GO_WORKLOAD,
    start(api) {
      api.swbemCreate(SWSINK);
      base.start(api);
    },
    run: base.run,
    ready: base.ready,
  };
}

export const MS_WMI_GO_WORKLOAD: Workload = {
  version: 1, name: 'ms-wmi-go-watch', description: 'A notification query through an SWbemSink that delivers three events, then Close().',
  sinks: [], swbemsinks: [{ id: SWSINK }], calls: [{ id: 'c1', op: 'ExecNotificationQueryAsync', sink: null, swsink: SWSINK, objects: 3 }],
};

export const msWmiGo = model('ms-wmi-go', 'microsoft/wmi (Go): Close() releases the SWbemSink and never calls Cancel', false);
export const msWmiGoFixed = model('ms-wmi-go-fixed', 'microsoft/wmi (Go) corrected: Close() cancels a running subscription and waits for OnCompleted', true);
