/**
 * The judge convicts a trace of the rules it breaks and of no other: the checks and the lifecycle
 * monitor together, as `wbemsim check` (monitor searching the unseen moments) and `wbemsim run`
 * with an annotating broker (monitor following the annotations) combine them.
 */
import { describe, expect, it } from 'vitest';
import { RPC_E_DISCONNECTED, WBEM_E_CALL_CANCELLED, WBEM_E_FAILED } from '../trace/hresult.ts';
import type { TraceEvent } from '../trace/event.ts';
import { judgeTrace, type JudgeResult } from './judge.ts';
import { addMonitorFindings, Monitor } from './monitor.ts';
import { TraceBuilder, verdictOf, violatedRules, type BuilderOptions } from './trace-builder.ts';

/** Judges with the checks and the monitor, the monitor annotated or not. */
function judgeBoth(b: TraceBuilder, annotated: boolean): JudgeResult {
  const lines = b.lines();
  const r = judgeTrace(lines);
  const m = new Monitor({ annotated });
  for (const e of lines.slice(1)) m.event(e as TraceEvent);
  addMonitorFindings(r, m.rejections);
  return r;
}

interface Case { name: string; opts?: BuilderOptions; rules: string[]; build(b: TraceBuilder): void; check?(r: JudgeResult): void }

const STDIO: BuilderOptions = { recorder: 'stdio' };
const REQUIREMENTS = 1;

const CASES: Case[] = [
  // Only WBEM_STATUS_COMPLETE is final.
  { name: 'a WBEM_STATUS_REQUIREMENTS SetStatus before the final status is neither final nor progress', rules: ['STATUS-FLAGS-VALID'], build: (b) => {
    b.call('q', 's'); b.ret('q'); b.status('r', 's', 'q', 0, { lFlags: REQUIREMENTS }); b.sret('r'); b.status('f', 's', 'q'); b.sret('f'); b.end();
  }, check: (r) => {
    expect(verdictOf(r, 'FINAL-STATUS-ONCE')).toBe('held');
    expect(verdictOf(r, 'NOTHING-AFTER-FINAL')).toBe('held');
  } },
  { name: 'a SetStatus of unknown lFlags after the final status is still a callback after it', rules: ['NOTHING-AFTER-FINAL', 'STATUS-FLAGS-VALID'], build: (b) => {
    b.call('q', 's'); b.ret('q'); b.status('f', 's', 'q'); b.sret('f'); b.status('r', 's', 'q', 0, { lFlags: 4 }); b.sret('r'); b.end();
  } },
  { name: 'a SetStatus of unknown lFlags overlapping an Indicate is still a callback', rules: ['ONE-CALLBACK-AT-A-TIME', 'STATUS-FLAGS-VALID'], build: (b) => {
    b.call('q', 's'); b.ret('q'); b.ind('i', 's', 'q'); b.status('r', 's', 'q', 0, { lFlags: REQUIREMENTS }); b.iret('i'); b.sret('r');
    b.status('f', 's', 'q'); b.sret('f'); b.end();
  } },
  { name: 'a SetStatus of unknown lFlags that the sink fails is no sink error, and is no callback after a cancel', rules: ['STATUS-FLAGS-VALID'], build: (b) => {
    b.call('q', 's'); b.ret('q'); b.status('r', 's', 'q', 0, { lFlags: REQUIREMENTS }); b.sret('r', WBEM_E_FAILED);
    b.status('f', 's', 'q'); b.sret('f'); b.end();
  }, check: (r) => expect(verdictOf(r, 'SINK-ERROR-CANCELS')).toBe('not exercised') },

  // An annotation outside its window: ANNOTATIONS-CONSISTENT alone, and the window is used.
  { name: 'a final-decided annotation after its SetStatus started', opts: STDIO, rules: ['ANNOTATIONS-CONSISTENT'], build: (b) => {
    b.call('q', 's'); b.ret('q'); b.status('f', 's', 'q'); b.add({ type: 'annotation.final-decided', call: 'q', hResult: 0 }); b.sret('f'); b.end();
  }, check: (r) => expect(verdictOf(r, 'FINAL-STATUS-ONCE')).toBe('held') },
  { name: 'a final-decided annotation while an Indicate is still running, before a cancel lost the race', opts: STDIO, rules: ['ANNOTATIONS-CONSISTENT'], build: (b) => {
    b.call('q', 's'); b.ret('q'); b.ind('i1', 's', 'q'); b.add({ type: 'annotation.final-decided', call: 'q', hResult: 0 }); b.iret('i1');
    b.cancel('k', 's'); b.add({ type: 'annotation.cancel-processed', cancel: 'k', calls: ['q'] }); b.cret('k');
    b.status('f', 's', 'q'); b.sret('f'); b.end();
  }, check: (r) => expect(verdictOf(r, 'CANCELLED-STATUS')).toBe('inconclusive') },
  { name: 'a cancel-processed annotation after the cancel returned', opts: { recorder: 'stdio', whiteBox: true }, rules: ['ANNOTATIONS-CONSISTENT'], build: (b) => {
    b.accept('q', 's'); b.cancel('k', 's'); b.addref('s', 'broker'); b.release('s', 'broker'); b.cret('k');
    b.add({ type: 'annotation.cancel-processed', cancel: 'k', calls: ['q'] });
    b.status('f', 's', 'q', WBEM_E_CALL_CANCELLED); b.sret('f'); b.release('s', 'broker'); b.end();
  }, check: (r) => expect(verdictOf(r, 'CANCELLED-STATUS')).toBe('held') },
  // The cancel waited for the held callback, and annotated its processing only after that callback returned.
  { name: 'a cancel-processed annotation after a held callback bounded the window', opts: STDIO, rules: ['ANNOTATIONS-CONSISTENT', 'CANCEL-DOES-NOT-WAIT-FOR-CLIENT'], build: (b) => {
    b.call('q', 's'); b.ret('q'); b.ind('i1', 's', 'q', { held: true }); b.cancel('k', 's'); b.hold('i1'); b.iret('i1');
    b.add({ type: 'annotation.cancel-processed', cancel: 'k', calls: ['q'] }); b.cret('k');
    b.status('f', 's', 'q', WBEM_E_CALL_CANCELLED); b.sret('f'); b.end();
  } },

  // A call that lost the race is not pending: the annotation lists the calls whose CallCancelled the broker set.
  { name: 'an annotating broker leaves out of its cancel the call whose final status it had already called', opts: STDIO, rules: [], build: (b) => {
    b.call('q1', 's'); b.ret('q1'); b.call('q2', 's'); b.ret('q2');
    b.add({ type: 'annotation.final-decided', call: 'q1', hResult: 0 });
    b.cancel('k', 's'); b.add({ type: 'annotation.cancel-processed', cancel: 'k', calls: ['q2'] }); b.cret('k');
    b.status('f1', 's', 'q1'); b.sret('f1');
    b.add({ type: 'annotation.final-decided', call: 'q2', hResult: WBEM_E_CALL_CANCELLED }); b.status('f2', 's', 'q2', WBEM_E_CALL_CANCELLED); b.sret('f2');
    b.end();
  }, check: (r) => {
    expect(verdictOf(r, 'CANCEL-MAY-LOSE-RACE')).toBe('used');
    expect(verdictOf(r, 'CANCEL-COVERS-SHARING-CALLS')).toBe('held');
    expect(verdictOf(r, 'CANCELLED-STATUS')).toBe('held');
  } },
  { name: 'a cancel that leaves out a call whose final status came only after it', opts: STDIO, rules: ['CANCEL-COVERS-SHARING-CALLS'], build: (b) => {
    b.call('q1', 's'); b.ret('q1'); b.call('q2', 's'); b.ret('q2');
    b.cancel('k', 's'); b.add({ type: 'annotation.cancel-processed', cancel: 'k', calls: ['q2'] }); b.cret('k');
    b.add({ type: 'annotation.final-decided', call: 'q2', hResult: WBEM_E_CALL_CANCELLED }); b.status('f2', 's', 'q2', WBEM_E_CALL_CANCELLED); b.sret('f2');
    b.add({ type: 'annotation.final-decided', call: 'q1', hResult: WBEM_E_CALL_CANCELLED }); b.status('f1', 's', 'q1', WBEM_E_CALL_CANCELLED); b.sret('f1');
    b.end();
  } },
  { name: 'a cancel that leaves out a call whose final status may have been called before it', opts: STDIO, rules: [], build: (b) => {
    b.call('q1', 's'); b.ret('q1'); b.call('q2', 's'); b.ret('q2');
    b.cancel('k', 's'); b.add({ type: 'annotation.cancel-processed', cancel: 'k', calls: ['q2'] }); b.cret('k');
    b.status('f1', 's', 'q1'); b.sret('f1'); b.status('f2', 's', 'q2', WBEM_E_CALL_CANCELLED); b.sret('f2'); b.end();
  }, check: (r) => expect(verdictOf(r, 'CANCEL-COVERS-SHARING-CALLS')).toBe('inconclusive') },

  // CANCELLED-STATUS is exercised only by a client's cancel.
  { name: 'a call the broker cancels because the sink failed an Indicate, ended with its own status', rules: ['SINK-ERROR-CANCELS'], build: (b) => {
    b.call('q', 's'); b.ret('q'); b.ind('i1', 's', 'q'); b.iret('i1', WBEM_E_FAILED); b.status('f', 's', 'q'); b.sret('f'); b.end();
  }, check: (r) => expect(verdictOf(r, 'CANCELLED-STATUS')).toBe('not exercised') },
  { name: 'a call the broker cancels because the sink failed a progress status, then cancelled by the client', rules: ['SINK-ERROR-CANCELS'], build: (b) => {
    b.call('q', 's', { flags: 0x80 }); b.ret('q'); b.status('p', 's', 'q', 0x10002, { lFlags: 2 }); b.sret('p', WBEM_E_FAILED);
    b.cancel('k', 's'); b.cret('k'); b.status('f', 's', 'q'); b.sret('f'); b.end();
  }, check: (r) => expect(verdictOf(r, 'CANCELLED-STATUS')).toBe('not exercised') },

  // A held callback bounds the p of a cancel only while it is held: once its hold was released it is an ordinary callback.
  { name: 'a callback whose hold ended before a second cancel entered does not bound that cancel', opts: STDIO, rules: [], build: (b) => {
    b.call('q', 's'); b.ret('q'); b.ind('i1', 's', 'q', { held: true });
    b.cancel('k1', 's'); b.add({ type: 'annotation.cancel-processed', cancel: 'k1', calls: ['q'] }); b.cret('k1'); b.hold('i1', 'cancel-returned');
    b.cancel('k2', 's'); b.iret('i1'); b.add({ type: 'annotation.cancel-processed', cancel: 'k2', calls: [] }); b.cret('k2');
    b.add({ type: 'annotation.final-decided', call: 'q', hResult: WBEM_E_CALL_CANCELLED }); b.status('f', 's', 'q', WBEM_E_CALL_CANCELLED); b.sret('f'); b.end();
  }, check: (r) => expect(verdictOf(r, 'ANNOTATIONS-CONSISTENT')).toBe('held') },
  // A sink is known while any call made with it is still inside its method, not only the latest one.
  { name: 'a cancel succeeds while an earlier call on its sink is still being made and a later one failed to start', rules: [], build: (b) => {
    b.call('m', 's', { op: 'ExecMethodAsync' }); b.call('q', 's'); b.ret('q', WBEM_E_FAILED);
    b.cancel('k', 's'); b.status('f', 's', 'm'); b.sret('f'); b.cret('k'); b.ret('m'); b.end();
  }, check: (r) => expect(verdictOf(r, 'CANCEL-UNKNOWN-SINK-ERROR')).toBe('not exercised') },
  // A start failure that blames the request (access denied, an unsupported or malformed request) is no refusal of overlapping calls.
  { name: 'a second call refused for its request while the first is pending', rules: [], build: (b) => {
    b.call('q1', 's1'); b.ret('q1');
    for (const [i, hr] of [0x80041003, 0x8004100c, 0x8004100e, 0x80041018, 0x8004102e, 0x8004102f, 0x8004103a].entries()) { b.call(`x${i}`, 's2'); b.ret(`x${i}`, hr); }
    b.status('f', 's1', 'q1'); b.sret('f'); b.call('q3', 's3'); b.ret('q3', 0x80041003); b.end();
  }, check: (r) => {
    expect(verdictOf(r, 'OVERLAPPING-CALLS-ACCEPTED')).toBe('held');
    expect(verdictOf(r, 'SEQUENTIAL-CALLS-ACCEPTED')).toBe('held');
    expect(r.warnings).toEqual([]);
  } },
  // After a lost transport no callback reaches the client: a refused provider cancel cannot be judged by a missing final status.
  { name: 'a provider refuses the cancel the broker makes after the transport was lost', opts: { whiteBox: true, recorder: 'simulation' }, rules: [], build: (b) => {
    b.accept('n', 's', { op: 'ExecNotificationQueryAsync' }); b.add({ type: 'provider.started', call: 'n', kind: 'event' });
    b.add({ type: 'marker.transport-lost' }); b.add({ type: 'provider.cancel-requested', call: 'n', answer: 0x80041009 });
    b.add({ type: 'annotation.final-decided', call: 'n', hResult: WBEM_E_CALL_CANCELLED }); b.end();
  }, check: (r) => expect(verdictOf(r, 'PROVIDER-CANCEL-UNSUPPORTED')).not.toBe('violated') },
  // A call or cancel made over a lost transport never reaches the broker: its answer says nothing of it.
  { name: 'a NULL-sink call and a NULL cancel made after the transport was lost', opts: { whiteBox: true, recorder: 'simulation' }, rules: [], build: (b) => {
    b.add({ type: 'marker.transport-lost' }); b.call('n', null); b.ret('n', RPC_E_DISCONNECTED); b.cancel('k', null); b.cret('k', RPC_E_DISCONNECTED); b.end();
  }, check: (r) => {
    expect(r.warnings).toEqual([]);
    expect(verdictOf(r, 'NULL-SINK-REJECTED')).toBe('not exercised');
    expect(verdictOf(r, 'CANCEL-INVALID-PARAMETER-CODE')).toBe('not exercised');
  } },
  { name: 'a cancel made after the transport was lost sets the broker no deadline to release', opts: { whiteBox: true, recorder: 'simulation' }, rules: [], build: (b) => {
    b.add({ type: 'marker.no-security' }); b.accept('n', 's', { op: 'ExecNotificationQueryAsync' });
    b.add({ type: 'marker.transport-lost' }); b.cancel('k', 's'); b.cret('k', RPC_E_DISCONNECTED); b.end();
  }, check: (r) => expect(verdictOf(r, 'RELEASE-AFTER-FINAL')).not.toBe('violated') },
  // The broker may act on a cancel made from inside a callback: a call it cancelled then is cancelled already for a later cancel.
  { name: 'a cancel from inside a callback cancelled both calls, a later cancel of the sink lists none', opts: STDIO, rules: [], build: (b) => {
    b.call('q1', 's'); b.ret('q1'); b.call('q2', 's'); b.ret('q2'); b.ind('i1', 's', 'q1');
    b.cancel('k1', 's', { fromCallback: 'i1' }); b.add({ type: 'annotation.cancel-processed', cancel: 'k1', calls: ['q1', 'q2'] }); b.cret('k1'); b.iret('i1');
    b.cancel('k2', 's'); b.add({ type: 'annotation.cancel-processed', cancel: 'k2', calls: [] }); b.cret('k2');
    b.add({ type: 'annotation.final-decided', call: 'q1', hResult: WBEM_E_CALL_CANCELLED }); b.status('f1', 's', 'q1', WBEM_E_CALL_CANCELLED); b.sret('f1');
    b.add({ type: 'annotation.final-decided', call: 'q2', hResult: WBEM_E_CALL_CANCELLED }); b.status('f2', 's', 'q2', WBEM_E_CALL_CANCELLED); b.sret('f2'); b.end();
  }, check: (r) => expect(verdictOf(r, 'CANCEL-COVERS-SHARING-CALLS')).toBe('held') },
];

describe('the judge convicts a trace of what it breaks and of no unrelated rule', () => {
  for (const c of CASES) {
    for (const annotated of [false, true]) {
      it(`${c.name} (${c.rules.join(', ') || 'conformant'}; monitor ${annotated ? 'following annotations' : 'searching'})`, () => {
        const b = new TraceBuilder(c.opts);
        c.build(b);
        const r = judgeBoth(b, annotated);
        expect(violatedRules(r)).toEqual([...c.rules].sort());
        c.check?.(r);
      });
    }
  }
});
