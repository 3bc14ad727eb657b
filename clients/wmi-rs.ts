/**
 * The wmi-rs crate's async query (`--client wmi-rs`) and a corrected form (`wmi-rs-fixed`), from
 * IMPLEMENTATIONS.md section 4 ("wmi-rs (Rust crate)"): "The sink ignores the final hResult: an
 * invalid, denied or cancelled query ends as an empty success. Results come out newest first within
 * a batch." The stream's items are the objects of each Indicate; the final SetStatus ends the
 * stream, which the user reads as success whatever its status. The corrected sink turns a failed
 * final status into the stream's error. Dropping the stream (a `release-sink` or `cancel` action)
 * cancels since the crate's 2023 fix, also after completion, and ignores the answer; this batch
 * models queries, not the notification stream (derived: its sink is passed directly).
 */
import type { ClientFact, ClientModel } from '../sim/client-api.ts';
import type { Workload } from '../sim/workload.ts';
import { failed, hrName, S_OK, WBEM_E_INVALID_QUERY } from '../trace/hresult.ts';
import { CLIENT_SAW } from '../specs/client-saw.ts';
import { noteFinal, play, player } from './play.ts';

export const WMIRS_FACTS: ClientFact[] = [
  { kind: 'read', source: 'IMPLEMENTATIONS.md §4, wmi-rs: "The sink ignores the final hResult: an invalid, denied or cancelled query ends as an empty success"', what: 'the stream ends as success whatever the final status' },
  { kind: 'read', source: 'IMPLEMENTATIONS.md §4, wmi-rs: "Since then the drop always cancels, also after completion, and ignores the answer"', what: 'dropping the stream cancels with its sink' },
  { kind: 'derived', source: 'IMPLEMENTATIONS.md §4 (wmi-rs row), derived', what: 'the sink object is passed directly (no stub)' },
];

function model(name: string, title: string, fixed: boolean): ClientModel {
  const base = player({
    start(api, c) {
      const sink = `rs.${c.id}`;
      api.createSink(sink);
      api.callAsync({ call: c.id, sink, flags: 0, ...(c.services ? { services: c.services } : {}) });
    },
    started(api, c, hr) {
      if (failed(hr)) api.saw('error', `the stream could not start: ${hrName(hr)}`, c.id);
    },
    callback(t, api) {
      const cb = t.cb!;
      if (cb.kind === 'indicate') api.saw('item', `${cb.count} item(s), newest first`, cb.call);
      else if (cb.final) {
        noteFinal(api, cb.call);
        api.saw(CLIENT_SAW.completed, `the stream ended (final status ${hrName(cb.hResult)})`, cb.call);
        if (fixed && failed(cb.hResult)) api.saw('error', `the stream ended with error ${hrName(cb.hResult)}`, cb.call);
        else api.saw(CLIENT_SAW.success, 'the stream ended as a success', cb.call);
      }
      return api.returnFromCallback(S_OK);
    },
    action(t, api, a) {
      if (t.at === '0' && (a.kind === 'cancel' || a.kind === 'release-sink') && a.sink !== null) {
        // Dropping the stream: cancel with its sink whatever the state, answer ignored.
        const call = api.workload.calls.find((c) => c.sink === a.sink);
        if (!call || play(api).returned[call.id] === undefined) return api.exit();
        api.cancel(`rs.drop.${call.id}`, `rs.${call.id}`);
        return api.goto('1');
      }
      return api.exit();
    },
  });
  return { name, title, facts: WMIRS_FACTS, workload: WMIRS_WORKLOAD, start: base.start, run: base.run, ready: base.ready };
}

/** A query with a syntax error: accepted, then ended by WBEM_E_INVALID_QUERY. */
export const WMIRS_WORKLOAD: Workload = {
  version: 1, name: 'wmi-rs-invalid-query', description: 'A query whose provider ends it with WBEM_E_INVALID_QUERY after no object.',
  sinks: [{ id: 's1' }], calls: [{ id: 'c1', op: 'ExecQueryAsync', sink: 's1', objects: 0, result: WBEM_E_INVALID_QUERY }],
};

export const wmiRs = model('wmi-rs', 'wmi-rs async query: the final hResult ignored, an error ends as an empty success', false);
export const wmiRsFixed = model('wmi-rs-fixed', 'wmi-rs async query corrected: a failed final status ends the stream with an error', true);
