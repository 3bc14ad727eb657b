import { describe, expect, it } from 'vitest';
import { CompiledMachine } from './compiled-machine.ts';
import { CALL_EVENTS, type CallEventType } from './lifecycle-machine.ts';
import { machineDiagram } from './machine-diagram.ts';

/** Runs events from the initial state; returns the rules broken at each step (undefined when accepted). */
function drive(m: CompiledMachine, events: CallEventType[]): (readonly string[] | undefined)[] {
  let s = 0;
  return events.map((type) => {
    const e = m.eventIndex(type);
    const before = s;
    s = m.step(before, e);
    return m.rejected(before, e);
  });
}

const ACCEPTED: CallEventType[] = ['CALL_OTHER', 'REF_TAKEN', 'PROVIDER_STARTED', 'RETURNED_OK', 'PROVIDER_PRODUCED'];

describe('the lifecycle machine', () => {
  const m = new CompiledMachine();

  it('accepts a plain query: Indicate, final status, release', () => {
    const out = drive(m, [...ACCEPTED, 'INDICATE_ENTERED', 'INDICATE_RETURNED', 'PROVIDER_COMPLETED', 'FINAL_DECIDED', 'FINAL_OK_ENTERED', 'FINAL_RETURNED', 'REF_RELEASED']);
    expect(out.filter(Boolean)).toEqual([]);
  });

  it('rejects a second Indicate while one is in progress (ONE-CALLBACK-AT-A-TIME)', () => {
    expect(drive(m, [...ACCEPTED, 'INDICATE_ENTERED', 'INDICATE_ENTERED']).at(-1)).toEqual(['ONE-CALLBACK-AT-A-TIME']);
  });

  it('lets the cancelled final status overlap a callback in progress (CANCELLED-STATUS-MAY-OVERLAP)', () => {
    const out = drive(m, [...ACCEPTED, 'INDICATE_ENTERED', 'CANCEL_PROCESSED', 'FINAL_DECIDED', 'FINAL_CANCELLED_ENTERED', 'FINAL_RETURNED', 'INDICATE_RETURNED', 'REF_RELEASED']);
    expect(out.filter(Boolean)).toEqual([]);
  });

  it('rejects a new Indicate whose predecessor returned after the cancel was processed (NO-CALLBACKS-AFTER-CANCEL)', () => {
    const out = drive(m, [...ACCEPTED, 'INDICATE_ENTERED', 'CANCEL_PROCESSED', 'INDICATE_RETURNED', 'INDICATE_ENTERED']);
    expect(out.at(-1)).toEqual(['NO-CALLBACKS-AFTER-CANCEL']);
  });

  it('allows one late in-flight Indicate when none was running at the cancel, and not a second', () => {
    const out = drive(m, [...ACCEPTED, 'CANCEL_PROCESSED', 'INDICATE_ENTERED', 'INDICATE_RETURNED', 'INDICATE_ENTERED']);
    expect(drive(m, [...ACCEPTED, 'CANCEL_PROCESSED', 'FINAL_DECIDED', 'FINAL_CANCELLED_ENTERED', 'INDICATE_ENTERED']).at(-1)).toEqual(['NOTHING-AFTER-FINAL']);
    expect(out.slice(-3, -1)).toEqual([undefined, undefined]);
    expect(out.at(-1)).toEqual(['NO-CALLBACKS-AFTER-CANCEL']);
  });

  it('requires WBEM_E_CALL_CANCELLED once the cancel was processed first (CANCELLED-STATUS)', () => {
    expect(drive(m, [...ACCEPTED, 'CANCEL_PROCESSED', 'FINAL_OK_ENTERED']).at(-1)).toEqual(['CANCELLED-STATUS']);
  });

  it('accepts a final status decided before the cancel was processed (CANCEL-MAY-LOSE-RACE)', () => {
    const out = drive(m, [...ACCEPTED, 'PROVIDER_COMPLETED', 'FINAL_DECIDED', 'CANCEL_PROCESSED', 'FINAL_OK_ENTERED', 'FINAL_RETURNED']);
    expect(out.filter(Boolean)).toEqual([]);
  });

  it('rejects a second final status under both rules it breaks', () => {
    const out = drive(m, [...ACCEPTED, 'FINAL_DECIDED', 'FINAL_OK_ENTERED', 'FINAL_RETURNED', 'FINAL_OK_ENTERED']);
    expect(out.at(-1)).toEqual(['FINAL-STATUS-ONCE', 'NOTHING-AFTER-FINAL']);
  });

  it('rejects progress for a call made without WBEM_FLAG_SEND_STATUS, and accepts it with the flag', () => {
    expect(drive(m, [...ACCEPTED, 'PROGRESS_ENTERED']).at(-1)).toEqual(['PROGRESS-ONLY-IF-ASKED']);
    expect(drive(m, ['CALL_OTHER', 'SEND_STATUS', 'PROGRESS_ENTERED']).at(-1)).toBeUndefined();
  });

  it('rejects telling or stopping a method provider, and a notification query ending with success', () => {
    expect(drive(m, ['CALL_METHOD', 'PROVIDER_STARTED', 'CANCEL_PROCESSED', 'PROVIDER_CANCEL_REQUESTED']).at(-1)).toEqual(['PROVIDER-NOT-NOTIFIED']);
    expect(drive(m, ['CALL_METHOD', 'PROVIDER_STARTED', 'PROVIDER_STOPPED']).at(-1)).toEqual(['PROVIDER-RUNS-TO-COMPLETION']);
    expect(drive(m, ['CALL_OTHER', 'PROVIDER_STARTED', 'PROVIDER_STOPPED']).at(-1)).toBeUndefined();
    expect(drive(m, ['CALL_NOTIFICATION', 'FINAL_DECIDED', 'FINAL_OK_ENTERED']).at(-1)).toEqual(['NOTIFICATION-NEVER-COMPLETES']);
  });

  it('rejects callbacks after a start failure, and a start failure after callbacks (START-FAILURE-NO-CALLBACKS)', () => {
    expect(drive(m, ['CALL_OTHER', 'RETURNED_ERROR', 'FINAL_DECIDED', 'FINAL_ERROR_ENTERED']).at(-1)).toEqual(['START-FAILURE-NO-CALLBACKS']);
    expect(drive(m, ['CALL_OTHER', 'INDICATE_ENTERED', 'INDICATE_RETURNED', 'RETURNED_ERROR']).at(-1)).toEqual(['START-FAILURE-NO-CALLBACKS']);
  });

  it('rejects releasing the stored reference before the final status of a call not cancelled (BROKER-HOLDS-SINK)', () => {
    expect(drive(m, [...ACCEPTED, 'INDICATE_ENTERED', 'INDICATE_RETURNED', 'REF_RELEASED']).at(-1)).toEqual(['BROKER-HOLDS-SINK']);
  });

  it('reaches every state node and takes every legal transition somewhere in its reachable space', () => {
    // Breadth-first over the reachable space (states are numbered in the order they are found),
    // stopping once every node and every legal transition has been seen: compiling the whole
    // space through XState takes minutes, and coverage is complete long before that.
    const full = new CompiledMachine();
    const nodes = new Set<number>();
    const taken = new Set<number>();
    const done = () => nodes.size === full.stateNodes.length && taken.size === full.transitions.length;
    for (let s = 0; s < full.stateCount && !done(); s++) {
      for (const n of full.activeNodes(s)) nodes.add(n);
      for (let e = 0; e < full.eventCount; e++) {
        full.step(s, e);
        const t = full.took[s * full.eventCount + e]!;
        if (t >= 0) for (const x of full.transitionSets[t]!) taken.add(x);
      }
    }
    expect(full.stateNodes.filter((_, i) => !nodes.has(i))).toEqual([]);
    expect(full.transitions.filter((_, i) => !taken.has(i)).map((t) => t.id)).toEqual([]);
  }, 120_000);

  it('is drawn from its own definition', () => {
    const text = machineDiagram(['lifecycle']);
    expect(text).toContain('lifecycle_pending --> lifecycle_indicating: INDICATE_ENTERED [CALLBACK-MAY-PRECEDE-RETURN]');
    expect(text).toContain('lifecycle_status_set --> lifecycle_released: FINAL_RETURNED [RELEASE-AFTER-FINAL]');
    expect(machineDiagram().split('\n').filter((l) => l.trim() === '--')).toHaveLength(7);
    expect(CALL_EVENTS.length).toBe(m.eventCount);
  });
});
