/**
 * Microsoft's two C++ samples as client models, each with a corrected form, from IMPLEMENTATIONS.md
 * section 2 ("Microsoft's event sample wraps its sink with IUnsecuredApartment::CreateObjectStub,
 * waits a fixed time, cancels with the stub, then releases stub and sink. Its async-query sample
 * sleeps 500 ms and cancels whatever the query's state, and never releases its own sink
 * reference.") and section 4 ("Microsoft's samples": fixed-wait cancel whatever the state; own sink
 * reference never released).
 *
 * - `ms-async-query`: ExecQueryAsync with its QuerySink, Sleep(500), CancelAsyncCall(sink) whatever
 *   the state, then the IWbemServices release; its own sink reference is never released.
 *   `ms-async-query-fixed` waits the same time, cancels only a query still running (and then
 *   waits for its final status and its callbacks in flight), and releases its sink.
 * - `ms-event`: ExecNotificationQueryAsync with a stub of its EventSink, Sleep(fixed),
 *   CancelAsyncCall(stub), then releases stub and sink at once. `ms-event-fixed` cancels only a
 *   subscription still running and waits, after the cancel returned, for the callbacks in flight
 *   (an in-flight counter) and the final status before releasing (as Mullvad's teardown does,
 *   IMPLEMENTATIONS.md section 2).
 * The fixed wait is `WAIT` units of virtual time (derived: 500 ms of a real run has no virtual
 * length; what matters is that it ignores the query's state). Both sinks print in their handlers,
 * using objects only inside Indicate, and print the final hResult (derived from the sample code's
 * shape, not from a report).
 */
import type { ClientApi, ClientFact, ClientModel, ClientThread } from '../sim/client-api.ts';
import type { Workload } from '../sim/workload.ts';
import { failed, hrName, S_OK } from '../trace/hresult.ts';
import { CLIENT_SAW } from '../specs/client-saw.ts';
import { noteFinal, play, player, startCall } from './play.ts';

/** The samples' fixed wait, in virtual time. */
export const WAIT = 6;

export const MS_FACTS: ClientFact[] = [
  { kind: 'read', source: 'IMPLEMENTATIONS.md §2: "Its async-query sample sleeps 500 ms and cancels whatever the query\'s state, and never releases its own sink reference"', what: 'ms-async-query' },
  { kind: 'read', source: 'IMPLEMENTATIONS.md §2: "Microsoft\'s event sample wraps its sink with IUnsecuredApartment::CreateObjectStub, waits a fixed time, cancels with the stub, then releases stub and sink"', what: 'ms-event' },
  { kind: 'read', source: 'IMPLEMENTATIONS.md §2: "After CancelAsyncCall returns, a callback that had already started may still be running (Mullvad VPN ... waits for in-flight callbacks)"', what: 'the corrected ms-event waits for callbacks in flight and the final status' },
  { kind: 'derived', source: 'IMPLEMENTATIONS.md §2 (no virtual length for 500 ms)', what: `the fixed wait is ${WAIT} units of virtual time; the handlers print and keep no object` },
];

interface Sample {
  /** Call → its sink and the pointer passed. */
  sinks: Record<string, { sink: string; passed: string }>;
}

function sample(api: ClientApi): Sample {
  return api.state.sample as Sample;
}

function model(name: string, title: string, event: boolean, fixed: boolean, workload: Workload): ClientModel {
  const base = player({
    start(api, c) {
      const sink = `${event ? 'ev' : 'qs'}.${c.id}`;
      startCall(api, c, sink, { wrap: event, record: (passed) => { sample(api).sinks[c.id] = { sink, passed }; } });
    },
    started(api, c, hr) {
      if (failed(hr)) api.saw('error', `${c.op} failed: ${hrName(hr)}`, c.id);
    },
    callback(t, api) {
      const cb = t.cb!;
      // One step: the handler prints and returns; the final status is noted as it returns.
      if (cb.kind === 'indicate') api.saw(event ? 'event' : 'object', `${cb.count} printed`, cb.call);
      else if (cb.final) {
        noteFinal(api, cb.call);
        api.saw(CLIENT_SAW.completed, `Call complete. hResult = ${hrName(cb.hResult)}`, cb.call);
      }
      return api.returnFromCallback(S_OK);
    },
    afterCalls(t, api) {
      return (fixed ? corrected : asShipped)(t, api);
    },
    ready(cond, state, _t, inFlight) {
      // The final status has come and no callback of the call is in flight (the in-flight counter).
      const p = state.play as { finals: string[] };
      const [what, call] = cond.split(':') as [string, string];
      return what === 'quiet' && p.finals.includes(call) && inFlight(call) === 0;
    },
  });

  /** The shipped sample: Sleep, cancel whatever the state, release. */
  function asShipped(t: Readonly<ClientThread>, api: ClientApi): void {
    const calls = Object.keys(sample(api).sinks);
    const [step, n] = t.at.startsWith('call:') ? ['sleep', 0] : (t.at.split('/') as [string, string]);
    const i = Number(n);
    if (step === 'sleep') {
      api.sleep(WAIT);
      return api.goto('cancel/0');
    }
    if (step === 'cancel') {
      const call = calls[i];
      if (call === undefined) {
        api.releaseServices('svc1');
        api.saw('program-ended', 'the sample returned from main');
        return api.exit();
      }
      api.cancel(`ms.k${i + 1}`, sample(api).sinks[call]!.passed);
      return api.goto(`cancelled/${i}`);
    }
    // The event sample releases stub and sink as soon as the cancel returned; the query sample never
    // releases its own sink reference.
    const call = calls[i]!;
    if (event) {
      const { sink, passed } = sample(api).sinks[call]!;
      api.release(passed);
      api.release(sink);
    }
    return api.goto(`cancel/${i + 1}`);
  }

  /** The corrected sample. */
  function corrected(t: Readonly<ClientThread>, api: ClientApi): void {
    const calls = Object.keys(sample(api).sinks);
    const [step, n] = t.at.startsWith('call:') ? ['wait', 0] : (t.at.split('/') as [string, string]);
    const i = Number(n);
    const call = calls[i];
    if (call === undefined) {
      api.releaseServices('svc1');
      api.saw('program-ended', 'the sample returned from main');
      return api.exit();
    }
    const { sink, passed } = sample(api).sinks[call]!;
    // A call whose start failed has nothing to cancel or wait for either.
    const final = play(api).finals.includes(call) || failed(play(api).returned[call] ?? S_OK);
    if (step === 'wait') {
      // The fixed time (a query may end before it; the corrected sample then cancels nothing).
      if (!final) {
        api.sleep(WAIT);
        return api.goto(`check/${i}`);
      }
      return api.goto(`check/${i}`);
    }
    if (step === 'check') {
      // Cancel only what still runs: a call whose final status came has nothing left to cancel.
      if (!final) {
        api.cancel(`ms.k${i + 1}`, passed);
        return api.goto(`drain/${i}`);
      }
      return api.goto(`free/${i}`);
    }
    if (step === 'drain') {
      // After the cancel returned: wait for the callbacks in flight and the final status.
      api.waitUntil(`quiet:${call}`, `the final status of ${call} and its callbacks in flight`);
      return api.goto(`free/${i}`);
    }
    if (event) api.release(passed);
    api.release(sink);
    return api.goto(`wait/${i + 1}`);
  }

  return {
    name, title, workload, facts: MS_FACTS,
    start(api) {
      api.state.sample = { sinks: {} } satisfies Sample;
      base.start(api);
    },
    run: base.run,
    ready: base.ready,
  };
}

export const MS_QUERY_WORKLOAD: Workload = {
  version: 1, name: 'ms-async-query', description: 'The async-query sample: one query of two objects.',
  sinks: [{ id: 's1' }], calls: [{ id: 'c1', op: 'ExecQueryAsync', sink: 's1', objects: 2 }],
};

export const MS_EVENT_WORKLOAD: Workload = {
  version: 1, name: 'ms-event', description: 'The event sample: a notification query that delivers three events.',
  sinks: [{ id: 's1', wrapped: true }], calls: [{ id: 'c1', op: 'ExecNotificationQueryAsync', sink: 's1~stub', objects: 3 }],
};

export const msAsyncQuery = model('ms-async-query', 'Microsoft\'s async-query sample: Sleep(500), cancel whatever the state, own sink reference never released', false, false, MS_QUERY_WORKLOAD);
export const msAsyncQueryFixed = model('ms-async-query-fixed', 'Microsoft\'s async-query sample corrected: cancel only a running query, release the sink', false, true, MS_QUERY_WORKLOAD);
export const msEvent = model('ms-event', 'Microsoft\'s event sample: a stub, a fixed wait, cancel with the stub, release at once', true, false, MS_EVENT_WORKLOAD);
export const msEventFixed = model('ms-event-fixed', 'Microsoft\'s event sample corrected: after the cancel, wait for callbacks in flight and the final status', true, true, MS_EVENT_WORKLOAD);
