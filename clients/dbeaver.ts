/**
 * DBeaver's WMI driver (C++/JNI) as a client model (`--client dbeaver`) and its corrected form
 * (`dbeaver-fixed`), from IMPLEMENTATIONS.md section 4 ("DBeaver's WMI driver (C++/JNI)").
 *
 * Read: it "passes an unsecured-apartment stub to the async call but cancels with the inner sink:
 * on Windows the cancel matches nothing and fails; on a broker that ignores the sink argument
 * (Wine) it seems to work". Derived: it "drops its Java callback on every SetStatus, so a progress
 * status (if ever asked for) would orphan it": the model asks for status when the workload's call
 * does, tells its Java side the query is over at the first SetStatus, and loses every object that
 * comes after. Derived too: when the stub and the inner sink are released (at the call's end).
 * The corrected driver cancels with the stub, ends the query only at the final SetStatus, and
 * releases once no callback of the query is in flight (a cancelled final status may overlap an
 * Indicate: CANCELLED-STATUS-MAY-OVERLAP).
 */
import type { ClientApi, ClientFact, ClientModel } from '../sim/client-api.ts';
import { wrapperOf, type Workload } from '../sim/workload.ts';
import { failed, hrName, S_OK, WBEM_FLAG_SEND_STATUS } from '../trace/hresult.ts';
import { CLIENT_SAW } from '../specs/client-saw.ts';
import { noteFinal, play, player, startCall } from './play.ts';

export const DBEAVER_FACTS: ClientFact[] = [
  { kind: 'read', source: 'IMPLEMENTATIONS.md §4, DBeaver\'s WMI driver: "Passes an unsecured-apartment stub to the async call but cancels with the inner sink"', what: 'cancel with the inner sink; on Windows the cancel matches nothing and fails, on Wine it seems to work' },
  { kind: 'derived', source: 'IMPLEMENTATIONS.md §4: "Drops its Java callback on every SetStatus, so a progress status (if ever asked for) would orphan it (derived)"', what: 'the first SetStatus ends the query for the Java side; later objects are lost' },
  { kind: 'derived', source: 'IMPLEMENTATIONS.md §4 (DBeaver row), derived', what: 'the stub and the inner sink are released when the final status comes' },
];

interface Query {
  sink: string;
  stub: string;
  /** The Java callback was dropped (the query is over for the Java side). */
  dropped: boolean;
  ended: boolean;
}

function free(api: ClientApi, query: Query): void {
  api.release(query.stub);
  api.release(query.sink);
}

function model(name: string, title: string, fixed: boolean): ClientModel {
  const q = (state: Record<string, unknown>) => state.queries as Record<string, Query>;
  const base = player({
    start(api, c) {
      const sink = `db.${c.id}`;
      startCall(api, c, sink, { wrap: true, flags: (c.flags ?? 0) & WBEM_FLAG_SEND_STATUS, record: (stub) => { q(api.state)[c.id] = { sink, stub, dropped: false, ended: false }; } });
    },
    started(api, c, hr) {
      if (failed(hr)) api.saw('error', `the query failed to start: ${hrName(hr)}`, c.id);
    },
    callback(t, api) {
      const cb = t.cb!;
      const query = q(api.state)[cb.call];
      if (!query) return api.returnFromCallback(S_OK);
      if (cb.kind === 'indicate') {
        if (query.dropped) api.saw('objects-lost', `${cb.count} object(s) after the Java callback was dropped`, cb.call);
        else api.saw('row', `${cb.count} row(s) to Java`, cb.call);
        // The corrected driver frees once the last callback in flight is over (a cancelled final may overlap an Indicate).
        if (fixed && query.ended && api.inFlight(cb.call) === 1) free(api, query);
        return api.returnFromCallback(S_OK);
      }
      if (!query.dropped && (!fixed || cb.final)) {
        query.dropped = true;
        api.saw(CLIENT_SAW.completed, `the query ended for Java at SetStatus(${cb.final ? 'final' : 'progress'}, ${hrName(cb.hResult)})`, cb.call);
      }
      if (cb.final) {
        noteFinal(api, cb.call);
        query.ended = true;
        if (!fixed || api.inFlight(cb.call) === 1) free(api, query);
      }
      return api.returnFromCallback(S_OK);
    },
    action(t, api, a) {
      if (t.at === '0' && a.kind === 'cancel' && a.sink !== null) {
        const call = api.workload.calls.find((c) => c.sink === a.sink || (a.sink !== null && c.sink === wrapperOf(a.sink)));
        const query = call ? q(api.state)[call.id] : undefined;
        // The corrected driver cancels only a query that started and has not ended.
        const startFailed = call !== undefined && failed(play(api).returned[call.id] ?? S_OK);
        if (!query || query.ended || (fixed && startFailed)) return api.exit();
        api.cancel(`${a.id}`, fixed ? query.stub : query.sink, a.services ?? 'svc1');
        return api.goto('1');
      }
      if (t.at === '1') {
        api.saw(failed(t.hr!) ? 'cancel-failed' : 'cancel-returned', `the cancel returned ${hrName(t.hr!)}`);
        return api.exit();
      }
      if (a.kind === 'release-services') api.releaseServices(a.services);
      return api.exit();
    },
  });
  return {
    name, title, workload: DBEAVER_WORKLOAD, facts: DBEAVER_FACTS,
    start(api) {
      api.state.queries = {};
      base.start(api);
    },
    run: base.run,
    ready: base.ready,
  };
}

/** A query that asks for status, cancelled while it runs. */
export const DBEAVER_WORKLOAD: Workload = {
  version: 1, name: 'dbeaver-query', description: 'A query of three objects with WBEM_FLAG_SEND_STATUS, cancelled once it returned.',
  sinks: [{ id: 's1', wrapped: true }], calls: [{ id: 'c1', op: 'ExecQueryAsync', sink: 's1~stub', objects: 3, flags: WBEM_FLAG_SEND_STATUS }],
  actions: [{ kind: 'cancel', id: 'k1', sink: 's1', after: 'c1' }],
};

export const dbeaver = model('dbeaver', 'DBeaver\'s WMI driver: a stub passed, the inner sink cancelled, the Java callback dropped at any SetStatus', false);
export const dbeaverFixed = model('dbeaver-fixed', 'DBeaver\'s WMI driver corrected: cancels with the stub, ends only at the final SetStatus', true);
