/**
 * A rejection by the lifecycle machine in words: which event came, for which call, in which
 * situation of that call, and the rule it breaks. The situation is the state of the region whose
 * transition rejected the event (read from the machine itself), said the way a person would say
 * it, never as a dump of every region's state.
 */
import { lifecycleMachine, REGIONS, type CallEventType } from './lifecycle-machine.ts';
import { ruleInfo } from './rules.ts';

/** What an event means, for call `c`. */
const EVENTS: Partial<Record<CallEventType, (c: string) => string>> = {
  RETURNED_OK: (c) => `the method call of ${c} returned success`,
  RETURNED_ERROR: (c) => `the method call of ${c} returned an error`,
  INDICATE_ENTERED: (c) => `the broker called Indicate for ${c}`,
  INDICATE_RETURNED: (c) => `an Indicate for ${c} returned`,
  INDICATE_FAILED: (c) => `the sink failed an Indicate for ${c}`,
  PROGRESS_ENTERED: (c) => `the broker called SetStatus(WBEM_STATUS_PROGRESS) for ${c}`,
  PROGRESS_RETURNED: (c) => `a progress SetStatus for ${c} returned`,
  PROGRESS_FAILED: (c) => `the sink failed a progress SetStatus for ${c}`,
  FINAL_DECIDED: (c) => `the broker decided the final status of ${c}`,
  FINAL_OK_ENTERED: (c) => `the broker called the final SetStatus of ${c} with a success code`,
  FINAL_ERROR_ENTERED: (c) => `the broker called the final SetStatus of ${c} with an error code`,
  FINAL_CANCELLED_ENTERED: (c) => `the broker called the final SetStatus of ${c} with WBEM_E_CALL_CANCELLED`,
  FINAL_RETURNED: (c) => `the final SetStatus of ${c} returned`,
  STATUS_OTHER_ENTERED: (c) => `the broker called SetStatus for ${c} with flags that are neither WBEM_STATUS_COMPLETE nor WBEM_STATUS_PROGRESS`,
  CANCEL_PROCESSED: (c) => `the broker processed a cancel of ${c}`,
  REF_TAKEN: (c) => `the broker took a reference to the sink of ${c}`,
  REF_RELEASED: (c) => `the broker released its reference to the sink of ${c}`,
  PROVIDER_STARTED: (c) => `the provider of ${c} started`,
  PROVIDER_PRODUCED: (c) => `the provider of ${c} produced results`,
  PROVIDER_COMPLETED: (c) => `the provider of ${c} completed`,
  PROVIDER_CANCEL_REQUESTED: (c) => `the broker asked the provider of ${c} to cancel`,
  PROVIDER_STOPPED: (c) => `the provider of ${c} stopped before completing`,
};

/** The call's situation while a region is in a state, as a clause after "when". */
const SITUATIONS: Record<string, string> = {
  'lifecycle.pending': 'it had delivered nothing yet',
  'lifecycle.indicating': 'it was already delivering results',
  'lifecycle.cancelled': 'it had been cancelled (a cancel processed, or a callback its sink failed)',
  'lifecycle.status-set': 'its final status had already been called',
  'lifecycle.released': 'its final status had already returned',
  'lifecycle.failed': 'its start had failed (its method call returned an error)',
  'callback.busy': 'another callback to its sink was still running',
  'callback.final': 'its final SetStatus was running',
  'callback.busy-final': 'a callback and its cancelled final status were both still running',
  'callback.done': 'its final SetStatus had returned',
  'cancel.processed-late-ok': 'the broker had already processed a cancel covering it',
  'cancel.processed': 'the broker had already processed a cancel covering it, and no callback was in flight',
  'cancel.sink-failed': 'its sink had failed a callback, which cancels the call',
  'final.decided': 'the broker had already decided its final status',
  'final.entered': 'its final SetStatus was already in progress',
  'final.returned': 'its final SetStatus had already returned',
  'kind.method': 'it is a method call, whose provider runs to completion',
  'kind.notification': 'it is a notification query, which never completes on its own',
  'status.not-asked': 'it did not ask for status (no WBEM_FLAG_SEND_STATUS)',
  'status.asked': 'it asked for status',
  'reference.held': 'the broker still held its sink, and neither a returned final status nor a processed cancel allowed a release yet',
};

interface Branch { actions?: { type: string; params?: { rules?: string[] } }[] }

/** The regions (`region.state`) whose transition for `event` in their current state rejects with `rule`. */
export function rejectingStates(event: CallEventType, rule: string, state: Readonly<Record<string, string>>): string[] {
  const out: string[] = [];
  for (const region of REGIONS) {
    const s = state[region];
    if (s === undefined) continue;
    const on = lifecycleMachine.root.states[region]?.states[s]?.config.on as Record<string, Branch | Branch[]> | undefined;
    const branches = on?.[event];
    const list = branches === undefined ? [] : Array.isArray(branches) ? branches : [branches];
    if (list.some((b) => b.actions?.some((a) => a.type === 'reject' && a.params?.rules?.includes(rule)))) out.push(`${region}.${s}`);
  }
  return out;
}

/** The rejection of `event` on `call` (trace event `seq`) by `rule`, in one sentence. */
export function rejectionText(r: { call: string; seq: number; event: CallEventType; state: Readonly<Record<string, string>> }, rule: string): string {
  const what = EVENTS[r.event]?.(r.call) ?? `event ${r.event} came for ${r.call}`;
  const where = rejectingStates(r.event, rule, r.state).map((n) => SITUATIONS[n] ?? `it was in ${n}`);
  let summary = '';
  try {
    summary = ruleInfo(rule).summary;
  } catch {
    // A rule the catalogue does not know is named alone.
  }
  const when = where.length ? ` when ${where.join(', and ')}` : '';
  return `At event ${r.seq} ${what}${when}: this breaks ${rule}${summary ? ` (${summary.replace(/\.$/, '')})` : ''}.`;
}
