/**
 * The lifecycle of one asynchronous call, as an XState v5 machine: the single source of truth
 * for which events a call may see in which state. Every legal transition carries, in `meta.rule`,
 * the ID of the RULES.md rule that justifies it; every forbidden event is a targetless transition
 * whose `reject` action names the rule(s) it breaks. Nothing else in the project lists legal
 * transitions by hand: the monitor's table (`compiled-machine.ts`), the diagram
 * (`machine-diagram.ts`) and the reference broker's bookkeeping all derive from this.
 *
 * Regions: `lifecycle` keeps the main line (pending → indicating →
 * status-set → released, cancelled from pending or indicating, failed for a start failure);
 * `callback` is what is in progress in the sink; `cancel` whether the broker processed a cancel
 * (the unseen moment p) and whether one late in-flight callback is still allowed; `final` whether
 * the final status was called (the unseen moment d); `kind` and `status` are the call's shape;
 * `reference` the broker's stored reference; `provider` the provider's own progress, which goes
 * on after a cancel.
 */
import { createMachine, stateIn } from 'xstate';

/** The monitor's alphabet: what a trace event means for one call. */
export const CALL_EVENTS = [
  'CALL_METHOD', 'CALL_NOTIFICATION', 'CALL_OTHER', 'SEND_STATUS',
  'RETURNED_OK', 'RETURNED_ERROR',
  'INDICATE_ENTERED', 'INDICATE_RETURNED', 'INDICATE_FAILED',
  'PROGRESS_ENTERED', 'PROGRESS_RETURNED', 'PROGRESS_FAILED',
  'FINAL_DECIDED', 'FINAL_OK_ENTERED', 'FINAL_ERROR_ENTERED', 'FINAL_CANCELLED_ENTERED', 'FINAL_RETURNED',
  'STATUS_OTHER_ENTERED',
  'CANCEL_PROCESSED',
  'REF_TAKEN', 'REF_RELEASED',
  'PROVIDER_STARTED', 'PROVIDER_PRODUCED', 'PROVIDER_COMPLETED', 'PROVIDER_CANCEL_REQUESTED', 'PROVIDER_STOPPED',
] as const;
export type CallEventType = (typeof CALL_EVENTS)[number];
export type CallEvent = { type: CallEventType };

type Guard = ReturnType<typeof stateIn>;
interface Legal { target?: string; guard?: Guard; meta: { rule: string; id: string }; actions: { type: 'took'; params: { id: string } }[] }
interface Reject { guard?: Guard; actions: { type: 'reject'; params: { rules: string[] } }[] }
type Branch = Legal | Reject;
type On = Partial<Record<CallEventType, Branch | Branch[]>>;

/** Builds one region's states, naming each legal transition `region.state -EVENT-> target`. */
function region(name: string, initial: string, states: Record<string, On>) {
  const out: Record<string, { on: Record<string, Branch[]> }> = {};
  const seen = new Set<string>();
  for (const [state, on] of Object.entries(states)) {
    const built: Record<string, Branch[]> = {};
    for (const [event, branches] of Object.entries(on)) {
      built[event] = (Array.isArray(branches) ? branches : [branches]).map((b) => {
        if ('meta' in b) {
          let id = `${name}.${state} -${event}-> ${b.target ?? state} [${b.meta.rule}]`;
          // Two guarded branches with the same target and rule stay two transitions.
          for (let n = 2; seen.has(id); n++) id = id.replace(/( #\d+)?$/, ` #${n}`);
          seen.add(id);
          return { ...b, target: b.target, meta: { rule: b.meta.rule, id }, actions: [{ type: 'took' as const, params: { id } }] };
        }
        return b;
      });
    }
    out[state] = { on: built };
  }
  return { initial, states: out };
}

/** A legal transition to `target` (or staying), justified by `rule`. */
function go(target: string | undefined, rule: string, guard?: Guard): Legal {
  return { target, guard, meta: { rule, id: '' }, actions: [] };
}
/** The event is not accepted here: it breaks `rules`. */
function no(...rules: string[]): Reject {
  return { actions: [{ type: 'reject', params: { rules } }] };
}
/** Same, only when `guard` holds (the next branch applies otherwise). */
function noIf(guard: Guard, ...rules: string[]): Reject {
  return { guard, actions: [{ type: 'reject', params: { rules } }] };
}

const finalOpen = stateIn('#call.final.open');
const callbackIdle = stateIn('#call.callback.idle');
const cancelTaken = stateIn({ cancel: 'processed' });

const FINALS = ['FINAL_OK_ENTERED', 'FINAL_ERROR_ENTERED', 'FINAL_CANCELLED_ENTERED'] as const;
const OWN_FINALS = ['FINAL_OK_ENTERED', 'FINAL_ERROR_ENTERED'] as const;
function each<K extends string>(keys: readonly K[], branch: Branch | Branch[]): Partial<Record<K, Branch | Branch[]>> {
  return Object.fromEntries(keys.map((k) => [k, branch])) as Partial<Record<K, Branch | Branch[]>>;
}

const lifecycle = region('lifecycle', 'pending', {
  pending: {
    INDICATE_ENTERED: go('indicating', 'CALLBACK-MAY-PRECEDE-RETURN'),
    PROGRESS_ENTERED: go('indicating', 'PROGRESS-MAY'),
    CANCEL_PROCESSED: [go('cancelled', 'CANCELLED-STATUS', finalOpen), go(undefined, 'CANCEL-MAY-LOSE-RACE')],
    ...each(FINALS, go('status-set', 'FINAL-WITHOUT-INDICATE')),
    RETURNED_ERROR: go('failed', 'START-FAILURE-NO-CALLBACKS'),
  },
  indicating: {
    INDICATE_FAILED: go('cancelled', 'SINK-ERROR-CANCELS', finalOpen),
    PROGRESS_FAILED: go('cancelled', 'SINK-ERROR-CANCELS', finalOpen),
    CANCEL_PROCESSED: [go('cancelled', 'CANCELLED-STATUS', finalOpen), go(undefined, 'CANCEL-MAY-LOSE-RACE')],
    ...each(FINALS, go('status-set', 'FINAL-STATUS-ONCE')),
    RETURNED_ERROR: no('START-FAILURE-NO-CALLBACKS'),
  },
  cancelled: {
    FINAL_CANCELLED_ENTERED: go('status-set', 'CANCELLED-STATUS'),
    // A call the broker cancelled because the sink failed a callback is SINK-ERROR-CANCELS' alone.
    ...each(OWN_FINALS, [noIf(stateIn({ cancel: 'sink-failed' }), 'SINK-ERROR-CANCELS'), no('CANCELLED-STATUS')]),
    RETURNED_ERROR: no('START-FAILURE-NO-CALLBACKS'),
  },
  'status-set': {
    FINAL_RETURNED: go('released', 'RELEASE-AFTER-FINAL'),
    RETURNED_ERROR: no('START-FAILURE-NO-CALLBACKS'),
  },
  released: {
    RETURNED_ERROR: no('START-FAILURE-NO-CALLBACKS'),
  },
  failed: {
    INDICATE_ENTERED: no('START-FAILURE-NO-CALLBACKS'),
    PROGRESS_ENTERED: no('START-FAILURE-NO-CALLBACKS'),
    ...each(FINALS, no('START-FAILURE-NO-CALLBACKS')),
  },
});

const CB_RETURNS = ['INDICATE_RETURNED', 'PROGRESS_RETURNED', 'INDICATE_FAILED', 'PROGRESS_FAILED'] as const;
const CB_STARTS = ['INDICATE_ENTERED', 'PROGRESS_ENTERED'] as const;

const callback = region('callback', 'idle', {
  idle: {
    ...each(CB_STARTS, go('busy', 'ONE-CALLBACK-AT-A-TIME')),
    ...each(FINALS, go('final', 'ONE-CALLBACK-AT-A-TIME')),
  },
  busy: {
    ...each(CB_RETURNS, go('idle', 'ONE-CALLBACK-AT-A-TIME')),
    ...each(CB_STARTS, no('ONE-CALLBACK-AT-A-TIME')),
    STATUS_OTHER_ENTERED: no('ONE-CALLBACK-AT-A-TIME'),
    ...each(OWN_FINALS, no('ONE-CALLBACK-AT-A-TIME')),
    FINAL_CANCELLED_ENTERED: [go('busy-final', 'CANCELLED-STATUS-MAY-OVERLAP', stateIn('#call.lifecycle.cancelled')), no('ONE-CALLBACK-AT-A-TIME')],
  },
  // The monitor judges white-box traces, logged in the order the broker acted: a callback that
  // starts after the final status started is never a late-logged one there (NOTHING-AFTER-FINAL).
  final: {
    FINAL_RETURNED: go('done', 'FINAL-STATUS-ONCE'),
  },
  'busy-final': {
    ...each(CB_RETURNS, go('final', 'CALLBACK-IN-FLIGHT-MAY-FINISH')),
    FINAL_RETURNED: go('busy-done', 'CALLBACK-IN-FLIGHT-MAY-FINISH'),
    ...each(CB_STARTS, no('ONE-CALLBACK-AT-A-TIME')),
    STATUS_OTHER_ENTERED: no('ONE-CALLBACK-AT-A-TIME'),
  },
  done: {},
  'busy-done': {
    ...each(CB_RETURNS, go('done', 'CALLBACK-IN-FLIGHT-MAY-FINISH')),
  },
});

const cancel = region('cancel', 'none', {
  none: {
    CANCEL_PROCESSED: [
      go('processed-late-ok', 'NO-CALLBACKS-AFTER-CANCEL', stateIn({ final: 'open', callback: 'idle' })),
      go('processed', 'NO-CALLBACKS-AFTER-CANCEL', finalOpen),
      go('lost-race', 'CANCEL-MAY-LOSE-RACE'),
    ],
    INDICATE_FAILED: [go('sink-failed', 'SINK-ERROR-CANCELS', finalOpen)],
    PROGRESS_FAILED: [go('sink-failed', 'SINK-ERROR-CANCELS', finalOpen)],
  },
  'processed-late-ok': {
    // One callback may appear to start after p if its predecessor returned before p.
    ...each(CB_STARTS, go('processed', 'CALLBACK-IN-FLIGHT-MAY-FINISH')),
    ...each(OWN_FINALS, no('CANCELLED-STATUS')),
  },
  processed: {
    ...each(CB_STARTS, no('NO-CALLBACKS-AFTER-CANCEL')),
    ...each(OWN_FINALS, no('CANCELLED-STATUS')),
  },
  'sink-failed': {
    ...each(CB_STARTS, no('SINK-ERROR-CANCELS')),
    ...each(OWN_FINALS, no('SINK-ERROR-CANCELS')),
    CANCEL_PROCESSED: go(undefined, 'CANCEL-AFTER-END-MAY-SUCCEED'),
  },
  'lost-race': {},
});

const final = region('final', 'open', {
  // A final status is always called (d) before it is entered: brokers annotate d, and the monitor
  // places an unannotated d just before the entry, so `open` never sees a final status entered.
  open: {
    FINAL_DECIDED: go('decided', 'FINAL-STATUS-ONCE'),
  },
  decided: {
    ...each(CB_STARTS, no('NOTHING-AFTER-FINAL')),
    STATUS_OTHER_ENTERED: no('NOTHING-AFTER-FINAL'),
    ...each(FINALS, go('entered', 'FINAL-STATUS-ONCE')),
    FINAL_DECIDED: no('FINAL-STATUS-ONCE'),
  },
  entered: {
    FINAL_RETURNED: go('returned', 'FINAL-STATUS-ONCE'),
    ...each(CB_STARTS, no('NOTHING-AFTER-FINAL')),
    STATUS_OTHER_ENTERED: no('NOTHING-AFTER-FINAL'),
    ...each(FINALS, no('FINAL-STATUS-ONCE', 'NOTHING-AFTER-FINAL')),
    FINAL_DECIDED: no('FINAL-STATUS-ONCE'),
  },
  returned: {
    ...each(CB_STARTS, no('NOTHING-AFTER-FINAL')),
    STATUS_OTHER_ENTERED: no('NOTHING-AFTER-FINAL'),
    ...each(FINALS, no('FINAL-STATUS-ONCE', 'NOTHING-AFTER-FINAL')),
    FINAL_DECIDED: no('FINAL-STATUS-ONCE'),
  },
});

const kind = region('kind', 'unknown', {
  unknown: {
    CALL_METHOD: go('method', 'PROVIDER-RUNS-TO-COMPLETION'),
    CALL_NOTIFICATION: go('notification', 'NOTIFICATION-NEVER-COMPLETES'),
    CALL_OTHER: go('other', 'PROVIDER-MAY-STOP'),
  },
  method: {
    PROVIDER_CANCEL_REQUESTED: no('PROVIDER-NOT-NOTIFIED'),
    PROVIDER_STOPPED: no('PROVIDER-RUNS-TO-COMPLETION'),
  },
  notification: {
    FINAL_OK_ENTERED: no('NOTIFICATION-NEVER-COMPLETES'),
  },
  other: {},
});

// A SetStatus whose lFlags is neither WBEM_STATUS_COMPLETE nor WBEM_STATUS_PROGRESS is never
// legal, so it has no legal transition: it is neither final nor progress, and changes no state.
// It is still a callback, so the callback and final regions reject it where another callback
// would be rejected (ONE-CALLBACK-AT-A-TIME, NOTHING-AFTER-FINAL).
const status = region('status', 'not-asked', {
  'not-asked': {
    SEND_STATUS: go('asked', 'PROGRESS-MAY'),
    PROGRESS_ENTERED: no('PROGRESS-ONLY-IF-ASKED'),
    STATUS_OTHER_ENTERED: no('STATUS-FLAGS-VALID'),
  },
  asked: {
    STATUS_OTHER_ENTERED: no('STATUS-FLAGS-VALID'),
  },
});

const reference = region('reference', 'none', {
  none: { REF_TAKEN: go('held', 'BROKER-HOLDS-SINK') },
  held: {
    REF_RELEASED: [
      go('released', 'RELEASE-AFTER-FINAL', stateIn('#call.final.returned')),
      go('released', 'RELEASED-BEFORE-CANCEL-RETURNS', cancelTaken),
      go('released', 'RELEASED-BEFORE-CANCEL-RETURNS', stateIn({ cancel: 'processed-late-ok' })),
      go('released', 'SINK-ERROR-CANCELS', stateIn({ cancel: 'sink-failed' })),
      go('released', 'NO-SECURITY-NO-COMPLETION', stateIn({ lifecycle: 'pending' })),
      no('BROKER-HOLDS-SINK'),
    ],
  },
  released: {},
});

const provider = region('provider', 'idle', {
  idle: { PROVIDER_STARTED: go('running', 'CALL-RETURNS-IMMEDIATELY') },
  running: {
    PROVIDER_PRODUCED: go('running', 'INDICATE-BATCHING'),
    PROVIDER_COMPLETED: go('completed', 'PROVIDER-RUNS-TO-COMPLETION'),
    PROVIDER_STOPPED: go('stopped', 'PROVIDER-MAY-STOP'),
    PROVIDER_CANCEL_REQUESTED: go('running', 'PROVIDER-CANCEL-UNSUPPORTED'),
  },
  completed: {},
  stopped: {},
});

/** The machine itself. Region order matters only for the order in which rejected rules are listed. */
export const lifecycleMachine = createMachine({
  id: 'call',
  type: 'parallel',
  states: { lifecycle, callback, cancel, final, kind, status, reference, provider },
});

/** The regions, in the machine's order. */
export const REGIONS = ['lifecycle', 'callback', 'cancel', 'final', 'kind', 'status', 'reference', 'provider'] as const;
