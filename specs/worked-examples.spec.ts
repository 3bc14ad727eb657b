/**
 * RULES.md, "Worked examples of judging": A–D must come out exactly as stated there.
 */
import { describe, expect, it } from 'vitest';
import { WBEM_E_CALL_CANCELLED } from '../trace/hresult.ts';
import { TraceBuilder, verdictOf, violatedRules } from './trace-builder.ts';

describe('worked example A: a lost race', () => {
  function exampleA(): TraceBuilder {
    const b = new TraceBuilder({ recorder: 'recorder' });
    b.call('q', 's'); b.ret('q'); b.ind('i1', 's', 'q'); b.iret('i1');
    b.cancel('k', 's'); b.status('f', 's', 'q'); b.sret('f'); b.release('s'); b.cret('k');
    return b;
  }

  it('is conformant, with CANCELLED-STATUS inconclusive and the race-losing freedom used', () => {
    const r = exampleA().judge();
    expect(r.conformant).toBe(true);
    expect(r.violations).toEqual([]);
    expect(verdictOf(r, 'CANCELLED-STATUS')).toBe('inconclusive');
    expect(r.results.find((x) => x.rule === 'CANCELLED-STATUS')!.reason).toContain('p in (5, 9), d in (4, 6)');
    expect(verdictOf(r, 'CANCEL-MAY-LOSE-RACE')).toBe('used');
  });

  it('is decided by the broker\'s annotations: final decided before the cancel was processed', () => {
    const b = new TraceBuilder({ recorder: 'stdio' });
    b.call('q', 's'); b.ret('q'); b.ind('i1', 's', 'q'); b.iret('i1');
    b.cancel('k', 's');
    b.add({ type: 'annotation.final-decided', call: 'q', hResult: 0 });
    b.status('f', 's', 'q'); b.sret('f');
    b.add({ type: 'annotation.cancel-processed', cancel: 'k', calls: [] });
    b.release('s'); b.cret('k');
    const r = b.judge();
    expect(verdictOf(r, 'CANCELLED-STATUS')).toBe('held');
    expect(verdictOf(r, 'ANNOTATIONS-CONSISTENT')).toBe('held');
  });

  it('is decided by the annotations the other way: processed before the final status was called', () => {
    const b = new TraceBuilder({ recorder: 'stdio' });
    b.call('q', 's'); b.ret('q'); b.ind('i1', 's', 'q'); b.iret('i1');
    b.cancel('k', 's');
    b.add({ type: 'annotation.cancel-processed', cancel: 'k', calls: ['q'] });
    b.add({ type: 'annotation.final-decided', call: 'q', hResult: 0 });
    b.status('f', 's', 'q'); b.sret('f'); b.release('s'); b.cret('k');
    const r = b.judge();
    expect(violatedRules(r)).toEqual(['CANCELLED-STATUS']);
  });
});

describe('worked example B: the cancel waits for a held callback (Wine)', () => {
  const b = new TraceBuilder({ recorder: 'recorder' });
  b.call('q', 's'); b.ret('q'); b.ind('i1', 's', 'q', { held: true });
  b.cancel('k', 's'); b.hold('i1', 'watchdog'); b.iret('i1');
  b.ind('i2', 's', 'q'); b.iret('i2'); b.status('f', 's', 'q'); b.sret('f'); b.release('s'); b.cret('k');
  const r = b.judge();

  it('violates exactly CANCEL-DOES-NOT-WAIT-FOR-CLIENT, NO-CALLBACKS-AFTER-CANCEL and CANCELLED-STATUS', () => {
    expect(violatedRules(r)).toEqual(['CANCEL-DOES-NOT-WAIT-FOR-CLIENT', 'CANCELLED-STATUS', 'NO-CALLBACKS-AFTER-CANCEL']);
    expect(r.conformant).toBe(false);
  });

  it('names the events of RULES.md', () => {
    const wait = r.violations.find((f) => f.rule === 'CANCEL-DOES-NOT-WAIT-FOR-CLIENT')!;
    expect(wait.events).toEqual(expect.arrayContaining([4, 5, 12]));
    const late = r.violations.find((f) => f.rule === 'NO-CALLBACKS-AFTER-CANCEL')!;
    expect(late.events).toContain(7);
    expect(late.derivedFrom).toBe('CANCEL-DOES-NOT-WAIT-FOR-CLIENT');
    const status = r.violations.find((f) => f.rule === 'CANCELLED-STATUS')!;
    expect(status.events).toContain(9);
    expect(status.explanation).toContain('p in (4, 6)');
    expect(status.explanation).toContain('d in (8, 9)');
  });
});

describe('worked example C: a delivery already on its way', () => {
  function exampleC(extraLate: boolean): TraceBuilder {
    const b = new TraceBuilder({ recorder: 'recorder' });
    b.call('q', 's'); b.ret('q'); b.ind('i1', 's', 'q'); b.iret('i1');
    b.cancel('k', 's'); b.cret('k'); b.ind('i2', 's', 'q'); b.iret('i2');
    if (extraLate) { b.ind('i3', 's', 'q'); b.iret('i3'); }
    b.status('f', 's', 'q', WBEM_E_CALL_CANCELLED); b.sret('f');
    return b;
  }

  it('is conformant: one late callback allowed, in-flight freedom used, cancelled status held', () => {
    const r = exampleC(false).judge();
    expect(r.violations).toEqual([]);
    expect(verdictOf(r, 'NO-CALLBACKS-AFTER-CANCEL')).toBe('held');
    expect(verdictOf(r, 'CALLBACK-IN-FLIGHT-MAY-FINISH')).toBe('used');
    expect(verdictOf(r, 'CANCELLED-STATUS')).toBe('held');
  });

  it('violates NO-CALLBACKS-AFTER-CANCEL with a second late Indicate after 8', () => {
    const r = exampleC(true).judge();
    expect(violatedRules(r)).toEqual(['NO-CALLBACKS-AFTER-CANCEL', 'RELEASED-BEFORE-CANCEL-RETURNS']);
    expect(r.violations.find((f) => f.rule === 'NO-CALLBACKS-AFTER-CANCEL')!.events).toContain(9);
  });
});

describe('worked example D: a cancel with a sink never used (Wine)', () => {
  const b = new TraceBuilder({ recorder: 'recorder' });
  b.call('qa', 'a'); b.ret('qa'); b.ind('i1', 'a', 'qa', { held: true });
  b.cancel('k', 'b'); b.hold('i1', 'watchdog'); b.iret('i1');
  b.ind('i2', 'a', 'qa'); b.iret('i2'); b.status('f', 'a', 'qa'); b.sret('f'); b.release('a'); b.cret('k');
  const r = b.judge();

  it('violates exactly CANCEL-UNKNOWN-SINK-ERROR, CANCEL-DOES-NOT-WAIT-FOR-CLIENT and CANCEL-SPARES-OTHER-SINKS', () => {
    expect(violatedRules(r)).toEqual(['CANCEL-DOES-NOT-WAIT-FOR-CLIENT', 'CANCEL-SPARES-OTHER-SINKS', 'CANCEL-UNKNOWN-SINK-ERROR']);
    expect(r.violations.find((f) => f.rule === 'CANCEL-UNKNOWN-SINK-ERROR')!.events).toEqual([4, 12]);
    expect(r.violations.find((f) => f.rule === 'CANCEL-DOES-NOT-WAIT-FOR-CLIENT')!.events).toEqual(expect.arrayContaining([3, 5, 12]));
    const spares = r.violations.filter((f) => f.rule === 'CANCEL-SPARES-OTHER-SINKS').flatMap((f) => f.events);
    expect(spares).toEqual(expect.arrayContaining([4, 11]));
  });

  it('reports LINT-CANCEL-PENDING-SINK for the client at 4', () => {
    expect(r.lint.filter((f) => f.rule === 'LINT-CANCEL-PENDING-SINK').map((f) => f.events)).toEqual([[4]]);
  });
});
