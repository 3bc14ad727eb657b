#!/usr/bin/env node
/**
 * A conformant WMI broker for wbemsim, in plain JavaScript with no dependencies: it speaks the
 * JSON-lines protocol of docs/protocol.md on stdin/stdout. It is documentation as much as code;
 * examples/python-broker/broker.py is the same broker in Python and behaves identically.
 *
 * The bookkeeping follows [MS-WMI]'s AsyncOperationTable: one entry per pending call with the
 * sink pointer and the flags CallCancelled and SetStatusWithFinalResultCalled (the third flag,
 * CallbackInProgress, is `inFlight.size > 0`). Rule IDs in comments are wbemsim's rule IDs.
 *
 * Design: inputs only update the table, except a call (answered at once) and a cancel (which
 * must not wait for the client). Deliveries to the sink are internal steps, `deliver:<call>`,
 * that the harness schedules, so it can interleave them with everything else.
 */
import { createInterface } from 'node:readline';

const S_OK = 0x00000000;
const WBEM_E_NOT_FOUND = 0x80041002;
const WBEM_E_INVALID_PARAMETER = 0x80041008;
const WBEM_E_CALL_CANCELLED = 0x80041032;
const WBEM_STATUS_COMPLETE = 0x0;

/** A failure HRESULT has its severity bit set (S_FALSE and WBEM_S_NEW_STYLE are successes). */
const failed = (hr) => hr >>> 31 === 1;

// ---------------------------------------------------------------------------------------------
// The broker's state, forgotten at every reset.

/** The AsyncOperationTable: call id -> entry, in the order the calls were accepted. */
let table = new Map();
/** Every sink this broker ever accepted a call with: a cancel with any other sink fails. */
let acceptedSinks = new Set();
/** Callbacks started and not yet returned: cb id -> { call, final }. */
let callbacks = new Map();
/** Counter for callback ids. A name only, so it is left out of the state key. */
let nextCb = 1;

function reset() {
  table = new Map();
  acceptedSinks = new Set();
  callbacks = new Map();
  nextCb = 1;
}

/** Starts a callback on the call's sink and records it as in flight. */
function startCallback(entry, output, final) {
  const cb = `cb${nextCb++}`;
  callbacks.set(cb, { call: entry.call, final });
  entry.inFlight.add(cb);
  return { ...output, cb, call: entry.call, sink: entry.sink };
}

/** The final status this entry is ready to send, or null while there is none yet. */
function finalToSend(entry) {
  if (entry.setStatusWithFinalResultCalled) return null;
  if (entry.callCancelled) return WBEM_E_CALL_CANCELLED;
  if (entry.providerResult !== null && entry.undelivered === 0) return entry.providerResult;
  return null;
}

/** Calls SetStatus(WBEM_STATUS_COMPLETE): the annotation first, since the decision precedes the call. */
function sendFinal(entry, hResult) {
  entry.setStatusWithFinalResultCalled = true;
  return [
    { kind: 'final-decided', call: entry.call, hResult },
    startCallback(entry, { kind: 'set-status', lFlags: WBEM_STATUS_COMPLETE, hResult, errorObject: false }, true),
  ];
}

/** Once the final status returned and nothing else is in flight, drop every reference and the entry (RELEASE-PROMPTLY). */
function retireIfDone(entry) {
  const out = [];
  if (!entry.finalReturned || entry.inFlight.size > 0) return out;
  if (entry.storedRef) out.push({ kind: 'release', sink: entry.sink, call: entry.call });
  if (entry.tempRef) out.push({ kind: 'release', sink: entry.sink, call: entry.call });
  table.delete(entry.call);
  return out;
}

/** Stops a call from the broker's side (a sink error, the services released): no more Indicate, final WBEM_E_CALL_CANCELLED. */
function cancelInternally(entry) {
  const out = [];
  entry.callCancelled = true;
  entry.undelivered = 0;
  // PROVIDER-NOT-NOTIFIED: a method provider is never told; others may be stopped (PROVIDER-MAY-STOP).
  if (entry.provider !== 'method' && !entry.providerAsked) {
    entry.providerAsked = true;
    out.push({ kind: 'provider-cancel', call: entry.call });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Inputs: what the harness tells the broker.

function onCall({ call, op, services, sink, flags, target }) {
  // NULL-SINK-REJECTED and START-FAILURE-NO-CALLBACKS: refuse before taking any reference.
  if (sink === null) return [{ kind: 'call-return', call, hr: WBEM_E_INVALID_PARAMETER }];
  if (target.startError !== undefined) return [{ kind: 'call-return', call, hr: target.startError }];
  table.set(call, {
    call, op, services, sink, flags, provider: target.provider,
    undelivered: 0,
    providerResult: null,
    providerAsked: false,
    callCancelled: false,
    setStatusWithFinalResultCalled: false,
    finalReturned: false,
    inFlight: new Set(),
    storedRef: true,
    tempRef: false,
  });
  acceptedSinks.add(sink);
  // BROKER-HOLDS-SINK: the stored reference; CALL-RETURNS-IMMEDIATELY: the provider runs on its own.
  return [
    { kind: 'addref', sink, call },
    { kind: 'provider-start', call },
    { kind: 'call-return', call, hr: S_OK },
  ];
}

function onProviderProduced({ call, count }) {
  const entry = table.get(call);
  // After a cancel the provider's output is dropped (PROVIDER-NOT-NOTIFIED, PROVIDER-MAY-STOP).
  if (entry && !entry.callCancelled && !entry.setStatusWithFinalResultCalled) entry.undelivered += count;
  return [];
}

function onProviderCompleted({ call, hr }) {
  const entry = table.get(call);
  if (!entry || entry.callCancelled || entry.setStatusWithFinalResultCalled) return [];
  // NOTIFICATION-NEVER-COMPLETES: an event subscription ends only by cancellation or a failure.
  if (entry.op === 'ExecNotificationQueryAsync' && !failed(hr)) return [];
  entry.providerResult = hr;
  return [];
}

function onCallbackReturned({ cb, ret }) {
  const started = callbacks.get(cb);
  if (!started) throw new Error(`callback-returned for ${cb}, which this broker never started`);
  callbacks.delete(cb);
  const entry = table.get(started.call);
  entry.inFlight.delete(cb);
  const out = [];
  if (started.final) {
    // A failing final SetStatus causes no second final status (SINK-ERROR-CANCELS).
    entry.finalReturned = true;
  } else if (failed(ret) && !entry.callCancelled && !entry.setStatusWithFinalResultCalled) {
    // SINK-ERROR-CANCELS: the client refused an Indicate; the call ends with WBEM_E_CALL_CANCELLED.
    out.push(...cancelInternally(entry));
  }
  out.push(...retireIfDone(entry));
  return out;
}

function onCancel({ cancel, services, sink }) {
  // CANCEL-INVALID-PARAMETER-CODE and CANCEL-UNKNOWN-SINK-ERROR.
  if (sink === null) return [{ kind: 'cancel-return', cancel, hr: WBEM_E_INVALID_PARAMETER }];
  if (!acceptedSinks.has(sink)) return [{ kind: 'cancel-return', cancel, hr: WBEM_E_NOT_FOUND }];
  // CANCEL-COVERS-SHARING-CALLS, CANCEL-SAME-POINTER (exact pointer), CANCEL-SCOPE-PER-SERVICES.
  // A call whose final status was already called lost the race (CANCEL-MAY-LOSE-RACE).
  const hit = [...table.values()].filter(
    (e) => e.sink === sink && e.services === services && !e.setStatusWithFinalResultCalled,
  );
  const out = [{ kind: 'cancel-processed', cancel, calls: hit.map((e) => e.call) }];
  for (const entry of hit) {
    out.push(...cancelInternally(entry));
    // CANCEL-DOES-NOT-WAIT-FOR-CLIENT: the final status starts now, even while an Indicate of
    // this call is still in the sink (CANCELLED-STATUS-MAY-OVERLAP), under a temporary
    // reference of its own, so that the stored one can go before the cancel returns
    // (RELEASED-BEFORE-CANCEL-RETURNS).
    entry.tempRef = true;
    out.push({ kind: 'addref', sink, call: entry.call });
    out.push(...sendFinal(entry, WBEM_E_CALL_CANCELLED));
    entry.storedRef = false;
    out.push({ kind: 'release', sink, call: entry.call });
  }
  // CANCEL-AFTER-END-MAY-SUCCEED: S_OK even when nothing was left to cancel.
  out.push({ kind: 'cancel-return', cancel, hr: S_OK });
  return out;
}

function onServicesReleased({ services }) {
  // Nothing may outlive the services object: its pending calls are cancelled from the broker's
  // side (CANCELLED-WITHOUT-CLIENT-CANCEL), their finals follow as steps, references after them.
  const out = [];
  for (const entry of table.values()) {
    if (entry.services === services && !entry.setStatusWithFinalResultCalled) out.push(...cancelInternally(entry));
  }
  return out;
}

function onInput(input) {
  switch (input.kind) {
    case 'call': return onCall(input);
    case 'cancel': return onCancel(input);
    case 'callback-returned': return onCallbackReturned(input);
    case 'provider-produced': return onProviderProduced(input);
    case 'provider-completed': return onProviderCompleted(input);
    case 'provider-cancel-answer': return []; // PROVIDER-CANCEL-UNSUPPORTED: the cancel is complete whatever it says.
    case 'services-released': return onServicesReleased(input);
    default: throw new Error(`unknown input kind ${JSON.stringify(input.kind)}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Internal steps: deliveries, one callback of a call at a time (ONE-CALLBACK-AT-A-TIME).

function enabled() {
  const steps = [];
  for (const entry of table.values()) {
    if (entry.inFlight.size > 0 || entry.setStatusWithFinalResultCalled) continue;
    if (entry.undelivered > 0 || finalToSend(entry) !== null) steps.push({ id: `deliver:${entry.call}`, call: entry.call });
  }
  return steps;
}

function step(id) {
  if (!enabled().some((s) => s.id === id)) throw new Error(`step ${JSON.stringify(id)} is not enabled`);
  const entry = table.get(id.slice('deliver:'.length));
  if (!entry.callCancelled && entry.undelivered > 0) {
    // INDICATE-BATCHING: everything produced so far in one Indicate; never an empty one (NO-EMPTY-INDICATE).
    const count = entry.undelivered;
    entry.undelivered = 0;
    return [startCallback(entry, { kind: 'indicate', count }, false)];
  }
  return sendFinal(entry, finalToSend(entry));
}

/** Equal keys behave the same from here on: the table and the callbacks in flight, no counters. */
function stateKey() {
  const entries = [...table.values()].map((e) => [
    e.call, e.sink, e.services, e.provider, e.op === 'ExecNotificationQueryAsync', e.undelivered, e.providerResult,
    e.providerAsked, e.callCancelled, e.setStatusWithFinalResultCalled, e.finalReturned, e.storedRef, e.tempRef,
    [...e.inFlight].map((cb) => callbacks.get(cb).final).sort(),
  ]);
  return JSON.stringify([entries, [...acceptedSinks].sort()]);
}

// ---------------------------------------------------------------------------------------------
// Snapshots: the whole state as a JSON value the harness keeps and hands back (the callback
// counter included, so that a restored broker names its next callback as it would have before).

function snapshot() {
  return {
    table: [...table.values()].map((e) => ({ ...e, inFlight: [...e.inFlight] })),
    acceptedSinks: [...acceptedSinks],
    callbacks: [...callbacks],
    nextCb,
  };
}

function restore(state) {
  // The value is freshly parsed from the request: nothing in it is shared with another state.
  table = new Map(state.table.map((e) => [e.call, { ...e, inFlight: new Set(e.inFlight) }]));
  acceptedSinks = new Set(state.acceptedSinks);
  callbacks = new Map(state.callbacks);
  nextCb = state.nextCb;
}

// ---------------------------------------------------------------------------------------------
// The protocol loop: one request line in, one reply line out.

function reply(message) {
  process.stdout.write(JSON.stringify(message) + '\n');
}

function handle(request) {
  switch (request.type) {
    case 'hello':
      if (request.version !== 2) return { type: 'error', message: `this broker speaks protocol version 2, not ${request.version}` };
      return { type: 'hello', protocol: 'wbemsim-broker', version: 2, name: 'js-example', brokerVersion: '1.0.0', inProcess: true, annotates: true, snapshot: true };
    case 'reset':
      reset();
      return { type: 'outputs', outputs: [], enabled: [] };
    case 'input':
      return { type: 'outputs', outputs: onInput(request.input), enabled: enabled() };
    case 'step':
      return { type: 'outputs', outputs: step(request.id), enabled: enabled() };
    case 'state-key':
      return { type: 'state-key', key: stateKey() };
    case 'snapshot':
      return { type: 'snapshot', state: snapshot() };
    case 'restore':
      restore(request.state);
      return { type: 'outputs', outputs: [], enabled: enabled() };
    default:
      return { type: 'error', message: `unknown request type ${JSON.stringify(request.type)}` };
  }
}

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of lines) {
  let request;
  try {
    request = JSON.parse(line);
  } catch {
    reply({ type: 'error', message: `not JSON: ${line.slice(0, 200)}` });
    continue;
  }
  if (request.type === 'bye') {
    reply({ type: 'bye' });
    break;
  }
  try {
    reply(handle(request));
  } catch (err) {
    // A bug or an unexpected input: say so on the protocol, and the details on stderr.
    process.stderr.write(`${err.stack ?? err}\n`);
    reply({ type: 'error', message: String(err.message ?? err) });
  }
}
// Leaving the loop (bye, or stdin closed by the harness) ends the process once stdout is flushed.
process.stdin.destroy();
