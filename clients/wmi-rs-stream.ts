/**
 * The wmi-rs crate's result streams (`--client wmi-rs-stream-2022`, `wmi-rs-stream`, and the
 * corrected `wmi-rs-stream-fixed`), from IMPLEMENTATIONS.md section 4 ("wmi-rs (Rust crate)":
 * "Async query and notification streams over ExecQueryAsync / ExecNotificationQueryAsync. Dropping
 * a notification stream did not cancel until 2023 (issue "Async notifications do not handle
 * cancelling the notification"): the queue grew without bound. Since then the drop always cancels,
 * also after completion, and ignores the answer."). The async query without a stream is `wmi-rs`
 * (clients/wmi-rs.ts).
 *
 * The sink pushes each Indicate's objects into the stream's unbounded queue; the user reads from
 * the stream and then drops it. A notification stream is dropped after its first item, a query
 * stream once it ended (derived: what a user of `take(1)` or of a full `collect()` does).
 * - `wmi-rs-stream-2022`: the drop releases the sink and nothing else; on a notification stream
 *   the subscription goes on and every later event is queued where no one reads it (`undelivered`,
 *   with the queue's length, growing): LINT-CANCEL-NEVER-ENDING.
 * - `wmi-rs-stream`: the drop cancels with the sink whatever the state and ignores the answer,
 *   then releases the sink; on a stream that had ended (a query stream read to its end, or a
 *   subscription the broker ended) the cancel hits a finished call: LINT-CANCEL-PENDING-SINK.
 * - `wmi-rs-stream-fixed`: the drop cancels only a stream still running, then waits for its final
 *   status and the callbacks in flight before the release.
 */
import type { ClientApi, ClientFact, ClientModel, ClientThread } from '../sim/client-api.ts';
import type { Workload } from '../sim/workload.ts';
import { failed, hrName, S_OK } from '../trace/hresult.ts';
import { CLIENT_SAW } from '../specs/client-saw.ts';
import { noteFinal, play, player } from './play.ts';

export const WMIRS_STREAM_FACTS: ClientFact[] = [
  { kind: 'read', source: 'IMPLEMENTATIONS.md §4, wmi-rs: "Dropping a notification stream did not cancel until 2023 (issue \\"Async notifications do not handle cancelling the notification\\"): the queue grew without bound"', what: 'wmi-rs-stream-2022: the drop releases the sink without a cancel; later events are queued and never read' },
  { kind: 'read', source: 'IMPLEMENTATIONS.md §4, wmi-rs: "Since then the drop always cancels, also after completion, and ignores the answer"', what: 'wmi-rs-stream: the drop cancels with the sink whatever the state, answer ignored' },
  { kind: 'read', source: 'IMPLEMENTATIONS.md §4, wmi-rs: "Async query and notification streams over ExecQueryAsync / ExecNotificationQueryAsync"', what: 'each Indicate\'s objects go to the stream\'s queue; the final status ends the stream' },
  { kind: 'derived', source: 'IMPLEMENTATIONS.md §4 (wmi-rs row), derived', what: 'the sink is passed directly (no stub); a notification stream is dropped after its first item, a query stream once it ended; the corrected drop cancels only a running stream and waits for its end' },
];

/** A notification stream of three events, dropped after its first. */
export const WMIRS_STREAM_WORKLOAD: Workload = {
  version: 1, name: 'wmi-rs-notification-stream', description: 'A notification stream that delivers three events; the user reads one and drops the stream.',
  sinks: [{ id: 's1' }], calls: [{ id: 'c1', op: 'ExecNotificationQueryAsync', sink: 's1', objects: 3 }],
};

/** A query stream of two objects, read to its end and dropped. */
export const WMIRS_QUERY_STREAM_WORKLOAD: Workload = {
  version: 1, name: 'wmi-rs-query-stream', description: 'A query stream of two objects, read to its end, then dropped.',
  sinks: [{ id: 's1' }], calls: [{ id: 'c1', op: 'ExecQueryAsync', sink: 's1', objects: 2 }],
};

type Era = '2022' | '2023' | 'fixed';

interface StreamState {
  /** Items queued and not read, per call. */
  queued: Record<string, number>;
  /** Items the user read, per call. */
  read: Record<string, number>;
  /** Calls whose stream was dropped. */
  dropped: string[];
}

function st(api: ClientApi): StreamState {
  return api.state.stream as StreamState;
}

function isNotification(api: ClientApi, call: string): boolean {
  return api.workload.calls.find((c) => c.id === call)?.op === 'ExecNotificationQueryAsync';
}

function model(name: string, title: string, era: Era, workload: Workload): ClientModel {
  const base = player({
    start(api, c) {
      const sink = `rs.${c.id}`;
      api.createSink(sink);
      st(api).queued[c.id] = 0;
      st(api).read[c.id] = 0;
      api.callAsync({ call: c.id, sink, flags: 0, ...(c.services ? { services: c.services } : {}) });
    },
    started(api, c, hr) {
      if (failed(hr)) api.saw('error', `the stream could not start: ${hrName(hr)}`, c.id);
    },
    callback(t, api) {
      const cb = t.cb!;
      const s = st(api);
      if (cb.kind === 'indicate') {
        s.queued[cb.call] = (s.queued[cb.call] ?? 0) + cb.count;
        if (s.dropped.includes(cb.call)) api.saw('undelivered', `${s.queued[cb.call]} item(s) queued after the stream was dropped, never read`, cb.call);
        else api.saw('item', `${cb.count} item(s) queued`, cb.call);
      } else if (cb.final) {
        noteFinal(api, cb.call);
        api.saw(CLIENT_SAW.completed, `the stream ended (final status ${hrName(cb.hResult)})`, cb.call);
      }
      return api.returnFromCallback(S_OK);
    },
    afterCalls(t, api) {
      return consume(t, api);
    },
    ready(cond, state, _t, inFlight) {
      const [what, call] = cond.split(':') as [string, string];
      const s = state.stream as StreamState;
      const ended = (state.play as { finals: string[] }).finals.includes(call);
      if (what === 'item') return (s.queued[call] ?? 0) > 0 || ended;
      if (what === 'quiet') return ended && inFlight(call) === 0;
      return false;
    },
  });

  /** The user's loop over the first stream: read, then drop. */
  function consume(t: Readonly<ClientThread>, api: ClientApi): void {
    const s = st(api);
    const call = api.workload.calls.map((c) => c.id).find((c) => !failed(play(api).returned[c] ?? S_OK));
    if (call === undefined) return api.exit();
    const sink = `rs.${call}`;
    const ended = play(api).finals.includes(call);
    if (t.at.startsWith('call:') || t.at === 'next') {
      // stream.next().await: an item, or the end of the stream.
      if ((s.queued[call] ?? 0) > 0) {
        s.queued[call]! -= 1;
        s.read[call]! += 1;
        api.saw('read', `item ${s.read[call]} read`, call);
        // A notification stream is dropped after its first item; a query stream is read to its end.
        return api.goto(isNotification(api, call) ? 'drop' : 'next');
      }
      if (ended) return api.goto('drop');
      api.waitUntil(`item:${call}`, `an item of ${call} or its end`);
      return api.goto('next');
    }
    if (t.at === 'drop') {
      s.dropped.push(call);
      api.saw('dropped', `the stream was dropped after ${s.read[call]} item(s)`, call);
      if (era === '2022') return api.goto('release');
      if (era === 'fixed' && ended) return api.goto('release');
      api.cancel(`rs.drop.${call}`, sink);
      return api.goto(era === 'fixed' ? 'drain' : 'release');
    }
    if (t.at === 'drain') {
      api.waitUntil(`quiet:${call}`, `the end of ${call} and its callbacks in flight`);
      return api.goto('release');
    }
    // The answer of the cancel, if any, is ignored.
    api.release(sink);
    return api.exit();
  }

  return {
    name, title, facts: WMIRS_STREAM_FACTS, workload,
    start(api) {
      api.state.stream = { queued: {}, read: {}, dropped: [] } satisfies StreamState;
      base.start(api);
    },
    run: base.run,
    ready: base.ready,
  };
}

export const wmiRsStream2022 = model('wmi-rs-stream-2022', 'wmi-rs notification stream before 2023: dropping the stream does not cancel, the queue grows', '2022', WMIRS_STREAM_WORKLOAD);
export const wmiRsStream = model('wmi-rs-stream', 'wmi-rs stream since 2023: the drop always cancels, also after completion, answer ignored', '2023', WMIRS_QUERY_STREAM_WORKLOAD);
export const wmiRsStreamFixed = model('wmi-rs-stream-fixed', 'wmi-rs stream corrected: the drop cancels only a running stream and waits for its end', 'fixed', WMIRS_STREAM_WORKLOAD);
