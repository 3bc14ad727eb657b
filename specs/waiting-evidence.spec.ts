/**
 * RULES.md item 4 with the evidence a recording declares: a recorder's fixed-period hold released
 * by its timer counts as a watchdog release; the waiting bound is max(10 ms, ten times the
 * control-cancel latency of the header); a hold shorter than one second (and ten times that
 * latency) cannot convict a cancel of waiting.
 */
import { describe, expect, it } from 'vitest';
import { TraceBuilder, verdictOf, type BuilderOptions } from './trace-builder.ts';

const RULE = 'CANCEL-DOES-NOT-WAIT-FOR-CLIENT';

/** A held Indicate released at t=1510 by `by`; the cancel returns at `cancelReturnsAt`. */
function heldThenCancel(o: BuilderOptions, by: 'watchdog' | 'timer', cancelReturnsAt: number, holdBound = 1500): TraceBuilder {
  const b = new TraceBuilder({ recorder: 'recorder', ...o });
  b.call('q', 's'); b.addref('s', 'broker'); b.ret('q');
  b.ind('i1', 's', 'q', { held: true, hold: by === 'timer' ? 'fixed-period' : 'until-cancel', holdBound, t: 10 });
  b.cancel('k', 's', { t: 20 });
  b.hold('i1', by, 1510); b.iret('i1', 0, 1510);
  b.cret('k', 0, cancelReturnsAt);
  b.status('f', 's', 'q'); b.sret('f'); b.release('s', 'broker'); b.end('recording-end');
  return b;
}

describe('waiting is convicted by holding (item 4)', () => {
  it('counts a fixed hold released by its timer as a watchdog release', () => {
    expect(verdictOf(heldThenCancel({}, 'timer', 1515).judge(), RULE)).toBe('violated');
  });

  it('says who released the hold: the recorder\'s timer or the watchdog', () => {
    const says = (by: 'watchdog' | 'timer') => heldThenCancel({}, by, 1515).judge().violations.find((f) => f.rule === RULE)!.explanation;
    expect(says('timer')).toContain("after the recorder's timer released the held Indicate");
    expect(says('watchdog')).toContain('after the watchdog released the held Indicate');
  });

  it('stays inconclusive for a return 30 ms after the release without a control latency', () => {
    expect(verdictOf(heldThenCancel({}, 'timer', 1540).judge(), RULE)).toBe('inconclusive');
  });

  it('widens the bound to ten times the declared control-cancel latency', () => {
    expect(verdictOf(heldThenCancel({ controlCancelLatencyMs: 5 }, 'timer', 1540).judge(), RULE)).toBe('violated');
    expect(verdictOf(heldThenCancel({ controlCancelLatencyMs: 5 }, 'timer', 1570).judge(), RULE)).toBe('inconclusive');
  });

  it('does not convict on a hold shorter than one second', () => {
    expect(verdictOf(heldThenCancel({}, 'watchdog', 1515, 500).judge(), RULE)).toBe('inconclusive');
  });

  it('does not convict on a hold shorter than ten times the control latency', () => {
    expect(verdictOf(heldThenCancel({ controlCancelLatencyMs: 200 }, 'watchdog', 1515, 1500).judge(), RULE)).toBe('inconclusive');
    expect(verdictOf(heldThenCancel({ controlCancelLatencyMs: 100 }, 'watchdog', 1515, 1500).judge(), RULE)).toBe('violated');
  });
});
