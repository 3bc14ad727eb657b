/**
 * AutoIt's shipped WMI example (`--client autoit`) and its corrected form (`autoit-fixed`), from
 * IMPLEMENTATIONS.md section 4 ("AutoIt's shipped WMI example (script)": "Calls SWbemSink.Cancel
 * from inside OnCompleted, on a call that has just completed: against Wine's design, a
 * self-deadlock").
 *
 * The script makes every call of the workload through one SWbemSink, prints each object in its
 * OnObjectReady handler and waits in a Sleep loop until OnCompleted set its done flag. The
 * example's OnCompleted calls SWbemSink.Cancel; the corrected script only sets the flag.
 * Derived (no public report): the flag is set after Cancel returns, so the script waits for the
 * handler; the scripting layer still holds the operation while its OnCompleted runs, so the Cancel
 * reaches CancelAsyncCall from inside the final SetStatus.
 */
import type { ClientFact, ClientModel } from '../sim/client-api.ts';
import type { Workload } from '../sim/workload.ts';
import { hrName, S_OK } from '../trace/hresult.ts';
import { CLIENT_SAW } from '../specs/client-saw.ts';
import { noteFinal, play, player } from './play.ts';

const SWSINK = 'autoit.sink';

export const AUTOIT_FACTS: ClientFact[] = [
  { kind: 'read', source: 'IMPLEMENTATIONS.md §4, AutoIt\'s shipped WMI example: "Calls SWbemSink.Cancel from inside OnCompleted, on a call that has just completed"', what: 'the Cancel is made from the OnCompleted handler' },
  { kind: 'read', source: 'IMPLEMENTATIONS.md §4: "against Wine\'s design, a self-deadlock"', what: 'against the Wine model the handler never returns' },
  { kind: 'derived', source: 'IMPLEMENTATIONS.md §4 (AutoIt row), derived', what: 'the scripting layer still holds the completing operation, so Cancel reaches CancelAsyncCall from inside the final SetStatus; the script waits for its done flag in a Sleep loop (modelled as a wait on the flag), the flag set after Cancel returns' },
];

function model(name: string, title: string, cancelInOnCompleted: boolean): ClientModel {
  const base = player({
    start(api, c) {
      api.swbemCall(SWSINK, c.id, c.services, c.flags);
    },
    started(api, c, hr) {
      if (hr !== S_OK) api.saw('error', `ExecQueryAsync raised a COM error ${hrName(hr)}`, c.id);
    },
    callback(t, api) {
      const cb = t.cb!;
      if (t.at === 'cancelled') {
        api.saw('cancel-returned', 'SWbemSink.Cancel returned', cb.call);
        (api.state.done as string[]).push(cb.call);
        return api.returnFromCallback(S_OK);
      }
      if (cb.kind === 'indicate') {
        api.saw('OnObjectReady', `${cb.count} object(s)`, cb.call);
        return api.returnFromCallback(S_OK);
      }
      if (!cb.final) return api.returnFromCallback(S_OK);
      noteFinal(api, cb.call);
      api.saw(CLIENT_SAW.completed, `OnCompleted(${hrName(cb.hResult)})`, cb.call);
      if (cancelInOnCompleted) {
        api.swbemCancel(SWSINK, true);
        return api.goto('cancelled');
      }
      (api.state.done as string[]).push(cb.call);
      return api.returnFromCallback(S_OK);
    },
    afterCalls(t, api) {
      // While Not $bDone: Sleep(...)
      const started = Object.entries(play(api).returned).filter(([, hr]) => hr === S_OK).map(([c]) => c);
      if (started.every((c) => (api.state.done as string[]).includes(c))) {
        api.saw('script-ended', 'the script reached its end');
        return api.exit();
      }
      // The Sleep loop, as a wait on the flag: a flag that never comes is a hang, not a busy run.
      api.waitUntil('all-done', 'the done flag OnCompleted sets');
      return api.goto(t.at);
    },
    ready(cond, state) {
      if (cond !== 'all-done') return false;
      const done = state.done as string[];
      return Object.entries((state.play as { returned: Record<string, number> }).returned).every(([c, hr]) => hr !== S_OK || done.includes(c));
    },
  });
  return {
    name, title, workload: AUTOIT_WORKLOAD, facts: AUTOIT_FACTS,
    start(api) {
      api.state.done = [];
      api.swbemCreate(SWSINK);
      base.start(api);
    },
    run: base.run,
    ready: base.ready,
  };
}

export const AUTOIT_WORKLOAD: Workload = {
  version: 1, name: 'autoit-query', description: 'The example\'s one query of two objects, through an SWbemSink.',
  sinks: [], swbemsinks: [{ id: SWSINK }], calls: [{ id: 'c1', op: 'ExecQueryAsync', sink: null, swsink: SWSINK, objects: 2 }],
};

export const autoit = model('autoit', 'AutoIt\'s shipped WMI example: SWbemSink.Cancel from inside OnCompleted', true);
export const autoitFixed = model('autoit-fixed', 'AutoIt\'s WMI example corrected: OnCompleted only sets the done flag', false);
