/**
 * The judge convicts a trace of the rules it breaks and of no other: the checks and the lifecycle
 * monitor together, as `wbemsim check` (monitor searching the unseen moments) and `wbemsim run`
 * with an annotating broker (monitor following the annotations) combine them.
 */
import { describe, expect, it } from 'vitest';
import { WBEM_E_CALL_CANCELLED, WBEM_E_FAILED } from '../trace/hresult.ts';
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
