#!/usr/bin/env python3
"""A conformant WMI broker for wbemsim, in Python 3 with the standard library only.

It speaks the JSON-lines protocol of docs/protocol.md on stdin/stdout, and is documentation as
much as code: examples/js-broker/broker.mjs is the same broker in JavaScript and behaves
identically (same outputs, same steps, same callback ids).

The bookkeeping follows [MS-WMI]'s AsyncOperationTable: one entry per pending call with the
sink pointer and the flags CallCancelled and SetStatusWithFinalResultCalled (the third flag,
CallbackInProgress, is `len(in_flight) > 0`). Rule IDs in comments are wbemsim's rule IDs.

Design: inputs only update the table, except a call (answered at once) and a cancel (which
must not wait for the client). Deliveries to the sink are internal steps, `deliver:<call>`,
that the harness schedules, so it can interleave them with everything else.
"""
import json
import sys
import traceback

S_OK = 0x00000000
WBEM_E_NOT_FOUND = 0x80041002
WBEM_E_INVALID_PARAMETER = 0x80041008
WBEM_E_CALL_CANCELLED = 0x80041032
WBEM_STATUS_COMPLETE = 0x0


def failed(hr):
    """A failure HRESULT has its severity bit set (S_FALSE and WBEM_S_NEW_STYLE are successes)."""
    return (hr >> 31) & 1 == 1


class Entry:
    """One entry of the AsyncOperationTable: a call the broker accepted."""

    def __init__(self, call, op, services, sink, flags, provider):
        self.call, self.op, self.services, self.sink, self.flags = call, op, services, sink, flags
        self.provider = provider
        self.undelivered = 0  # objects produced and not yet indicated
        self.provider_result = None  # the provider's own final HRESULT, once it completed
        self.provider_asked = False  # provider-cancel already sent
        self.call_cancelled = False
        self.set_status_with_final_result_called = False
        self.final_returned = False
        self.in_flight = []  # callbacks started and not yet returned
        self.stored_ref = True  # the reference taken when the call was accepted
        self.temp_ref = False  # the reference of a cancel's final delivery


class Broker:
    """The broker's state, and its reactions to requests. A reset makes a fresh one."""

    def __init__(self):
        self.table = {}  # call id -> Entry; dicts keep the order in which calls were accepted
        self.accepted_sinks = set()  # a cancel with any other sink fails
        self.callbacks = {}  # cb id -> (call, final) for callbacks in flight
        self.next_cb = 1  # a name only, so it is left out of the state key

    # --- helpers ---------------------------------------------------------------------------

    def start_callback(self, entry, output, final):
        """Starts a callback on the call's sink and records it as in flight."""
        cb = "cb%d" % self.next_cb
        self.next_cb += 1
        self.callbacks[cb] = (entry.call, final)
        entry.in_flight.append(cb)
        return dict(output, cb=cb, call=entry.call, sink=entry.sink)

    def final_to_send(self, entry):
        """The final status this entry is ready to send, or None while there is none yet."""
        if entry.set_status_with_final_result_called:
            return None
        if entry.call_cancelled:
            return WBEM_E_CALL_CANCELLED
        if entry.provider_result is not None and entry.undelivered == 0:
            return entry.provider_result
        return None

    def send_final(self, entry, hresult):
        """Calls SetStatus(WBEM_STATUS_COMPLETE): the annotation first, since the decision precedes the call."""
        entry.set_status_with_final_result_called = True
        status = {"kind": "set-status", "lFlags": WBEM_STATUS_COMPLETE, "hResult": hresult, "errorObject": False}
        return [
            {"kind": "final-decided", "call": entry.call, "hResult": hresult},
            self.start_callback(entry, status, True),
        ]

    def retire_if_done(self, entry):
        """Once the final status returned and nothing else is in flight, drop every reference and the entry (RELEASE-PROMPTLY)."""
        if not entry.final_returned or entry.in_flight:
            return []
        out = []
        if entry.stored_ref:
            out.append({"kind": "release", "sink": entry.sink, "call": entry.call})
        if entry.temp_ref:
            out.append({"kind": "release", "sink": entry.sink, "call": entry.call})
        del self.table[entry.call]
        return out

    def cancel_internally(self, entry):
        """Stops a call from the broker's side (a sink error, the services released): no more Indicate, final WBEM_E_CALL_CANCELLED."""
        entry.call_cancelled = True
        entry.undelivered = 0
        # PROVIDER-NOT-NOTIFIED: a method provider is never told; others may be stopped (PROVIDER-MAY-STOP).
        if entry.provider != "method" and not entry.provider_asked:
            entry.provider_asked = True
            return [{"kind": "provider-cancel", "call": entry.call}]
        return []

    # --- inputs: what the harness tells the broker -----------------------------------------

    def on_call(self, m):
        call, sink, target = m["call"], m["sink"], m["target"]
        # NULL-SINK-REJECTED and START-FAILURE-NO-CALLBACKS: refuse before taking any reference.
        if sink is None:
            return [{"kind": "call-return", "call": call, "hr": WBEM_E_INVALID_PARAMETER}]
        if "startError" in target:
            return [{"kind": "call-return", "call": call, "hr": target["startError"]}]
        self.table[call] = Entry(call, m["op"], m["services"], sink, m["flags"], target["provider"])
        self.accepted_sinks.add(sink)
        # BROKER-HOLDS-SINK: the stored reference; CALL-RETURNS-IMMEDIATELY: the provider runs on its own.
        return [
            {"kind": "addref", "sink": sink, "call": call},
            {"kind": "provider-start", "call": call},
            {"kind": "call-return", "call": call, "hr": S_OK},
        ]

    def on_provider_produced(self, m):
        entry = self.table.get(m["call"])
        # After a cancel the provider's output is dropped (PROVIDER-NOT-NOTIFIED, PROVIDER-MAY-STOP).
        if entry and not entry.call_cancelled and not entry.set_status_with_final_result_called:
            entry.undelivered += m["count"]
        return []

    def on_provider_completed(self, m):
        entry = self.table.get(m["call"])
        if not entry or entry.call_cancelled or entry.set_status_with_final_result_called:
            return []
        # NOTIFICATION-NEVER-COMPLETES: an event subscription ends only by cancellation or a failure.
        if entry.op == "ExecNotificationQueryAsync" and not failed(m["hr"]):
            return []
        entry.provider_result = m["hr"]
        return []

    def on_callback_returned(self, m):
        cb = m["cb"]
        if cb not in self.callbacks:
            raise ValueError("callback-returned for %s, which this broker never started" % cb)
        call, final = self.callbacks.pop(cb)
        entry = self.table[call]
        entry.in_flight.remove(cb)
        out = []
        if final:
            # A failing final SetStatus causes no second final status (SINK-ERROR-CANCELS).
            entry.final_returned = True
        elif failed(m["ret"]) and not entry.call_cancelled and not entry.set_status_with_final_result_called:
            # SINK-ERROR-CANCELS: the client refused an Indicate; the call ends with WBEM_E_CALL_CANCELLED.
            out += self.cancel_internally(entry)
        out += self.retire_if_done(entry)
        return out

    def on_cancel(self, m):
        cancel, services, sink = m["cancel"], m["services"], m["sink"]
        # CANCEL-INVALID-PARAMETER-CODE and CANCEL-UNKNOWN-SINK-ERROR.
        if sink is None:
            return [{"kind": "cancel-return", "cancel": cancel, "hr": WBEM_E_INVALID_PARAMETER}]
        if sink not in self.accepted_sinks:
            return [{"kind": "cancel-return", "cancel": cancel, "hr": WBEM_E_NOT_FOUND}]
        # CANCEL-COVERS-SHARING-CALLS, CANCEL-SAME-POINTER (exact pointer), CANCEL-SCOPE-PER-SERVICES.
        # A call whose final status was already called lost the race (CANCEL-MAY-LOSE-RACE).
        hit = [e for e in self.table.values()
               if e.sink == sink and e.services == services and not e.set_status_with_final_result_called]
        out = [{"kind": "cancel-processed", "cancel": cancel, "calls": [e.call for e in hit]}]
        for entry in hit:
            out += self.cancel_internally(entry)
            # CANCEL-DOES-NOT-WAIT-FOR-CLIENT: the final status starts now, even while an Indicate of
            # this call is still in the sink (CANCELLED-STATUS-MAY-OVERLAP), under a temporary
            # reference of its own, so that the stored one can go before the cancel returns
            # (RELEASED-BEFORE-CANCEL-RETURNS).
            entry.temp_ref = True
            out.append({"kind": "addref", "sink": sink, "call": entry.call})
            out += self.send_final(entry, WBEM_E_CALL_CANCELLED)
            entry.stored_ref = False
            out.append({"kind": "release", "sink": sink, "call": entry.call})
        # CANCEL-AFTER-END-MAY-SUCCEED: S_OK even when nothing was left to cancel.
        out.append({"kind": "cancel-return", "cancel": cancel, "hr": S_OK})
        return out

    def on_services_released(self, m):
        # Nothing may outlive the services object: its pending calls are cancelled from the broker's
        # side (CANCELLED-WITHOUT-CLIENT-CANCEL), their finals follow as steps, references after them.
        out = []
        for entry in self.table.values():
            if entry.services == m["services"] and not entry.set_status_with_final_result_called:
                out += self.cancel_internally(entry)
        return out

    def on_input(self, m):
        kind = m["kind"]
        if kind == "call":
            return self.on_call(m)
        if kind == "cancel":
            return self.on_cancel(m)
        if kind == "callback-returned":
            return self.on_callback_returned(m)
        if kind == "provider-produced":
            return self.on_provider_produced(m)
        if kind == "provider-completed":
            return self.on_provider_completed(m)
        if kind == "provider-cancel-answer":
            return []  # PROVIDER-CANCEL-UNSUPPORTED: the cancel is complete whatever it says.
        if kind == "services-released":
            return self.on_services_released(m)
        raise ValueError("unknown input kind %r" % kind)

    # --- internal steps: deliveries, one callback of a call at a time (ONE-CALLBACK-AT-A-TIME)

    def enabled(self):
        steps = []
        for entry in self.table.values():
            if entry.in_flight or entry.set_status_with_final_result_called:
                continue
            if entry.undelivered > 0 or self.final_to_send(entry) is not None:
                steps.append({"id": "deliver:" + entry.call, "call": entry.call})
        return steps

    def step(self, step_id):
        if not any(s["id"] == step_id for s in self.enabled()):
            raise ValueError("step %r is not enabled" % step_id)
        entry = self.table[step_id[len("deliver:"):]]
        if not entry.call_cancelled and entry.undelivered > 0:
            # INDICATE-BATCHING: everything produced so far in one Indicate; never an empty one (NO-EMPTY-INDICATE).
            count, entry.undelivered = entry.undelivered, 0
            return [self.start_callback(entry, {"kind": "indicate", "count": count}, False)]
        return self.send_final(entry, self.final_to_send(entry))

    def state_key(self):
        """Equal keys behave the same from here on: the table and the callbacks in flight, no counters."""
        entries = [[
            e.call, e.sink, e.services, e.provider, e.op == "ExecNotificationQueryAsync", e.undelivered,
            e.provider_result, e.provider_asked, e.call_cancelled, e.set_status_with_final_result_called,
            e.final_returned, e.stored_ref, e.temp_ref, sorted(self.callbacks[cb][1] for cb in e.in_flight),
        ] for e in self.table.values()]
        return json.dumps([entries, sorted(self.accepted_sinks)], separators=(",", ":"))

    # --- snapshots: the whole state as a JSON value the harness keeps and hands back ---------

    def snapshot(self):
        """The whole state, the callback counter included, so that a restored broker names its next callback as before."""
        return {
            "table": [dict(vars(e), in_flight=list(e.in_flight)) for e in self.table.values()],
            "accepted_sinks": sorted(self.accepted_sinks),
            "callbacks": [[cb, call, final] for cb, (call, final) in self.callbacks.items()],
            "next_cb": self.next_cb,
        }

    def restore(self, state):
        """Back to a state `snapshot` returned; the value is freshly parsed, so nothing in it is shared."""
        self.table = {}
        for fields in state["table"]:
            entry = Entry.__new__(Entry)
            vars(entry).update(fields)
            self.table[entry.call] = entry
        self.accepted_sinks = set(state["accepted_sinks"])
        self.callbacks = {cb: (call, final) for cb, call, final in state["callbacks"]}
        self.next_cb = state["next_cb"]


def handle(broker, request):
    """One request, one reply (docs/protocol.md, "Requests and replies")."""
    kind = request.get("type")
    if kind == "hello":
        if request.get("version") != 2:
            return {"type": "error", "message": "this broker speaks protocol version 2, not %r" % request.get("version")}
        return {"type": "hello", "protocol": "wbemsim-broker", "version": 2,
                "name": "python-example", "brokerVersion": "1.0.0", "inProcess": True, "annotates": True,
                "snapshot": True}
    if kind == "reset":
        broker.__init__()
        return {"type": "outputs", "outputs": [], "enabled": []}
    if kind == "input":
        outputs = broker.on_input(request["input"])
        return {"type": "outputs", "outputs": outputs, "enabled": broker.enabled()}
    if kind == "step":
        outputs = broker.step(request["id"])
        return {"type": "outputs", "outputs": outputs, "enabled": broker.enabled()}
    if kind == "state-key":
        return {"type": "state-key", "key": broker.state_key()}
    if kind == "snapshot":
        return {"type": "snapshot", "state": broker.snapshot()}
    if kind == "restore":
        broker.restore(request["state"])
        return {"type": "outputs", "outputs": [], "enabled": broker.enabled()}
    return {"type": "error", "message": "unknown request type %r" % kind}


def main():
    broker = Broker()
    out = sys.stdout
    for line in sys.stdin:  # one request per line; the loop ends when the harness closes stdin
        try:
            request = json.loads(line)
        except ValueError:
            reply = {"type": "error", "message": "not JSON: " + line[:200]}
        else:
            if request.get("type") == "bye":
                out.write('{"type":"bye"}\n')
                out.flush()
                return
            try:
                reply = handle(broker, request)
            except Exception as err:  # a bug or an unexpected input: say so, details on stderr
                traceback.print_exc()
                reply = {"type": "error", "message": "%s: %s" % (type(err).__name__, err)}
        # Compact JSON on one line, flushed at once: the harness waits for it.
        out.write(json.dumps(reply, separators=(",", ":")) + "\n")
        out.flush()


if __name__ == "__main__":
    main()
