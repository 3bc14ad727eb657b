import { describe, expect, it } from 'vitest';
import { StepIndependence } from './step-independence.ts';
import { stepOf } from './strategy.ts';
import type { Workload } from './workload.ts';

const workload: Workload = {
  name: 'independence',
  sinks: [{ id: 's1' }, { id: 's2' }, { id: 's3', behaviour: 'slow' }, { id: 's4', wrapped: true }],
  calls: [
    { id: 'c1', op: 'ExecQueryAsync', sink: 's1' },
    { id: 'c2', op: 'ExecQueryAsync', sink: 's2' },
    { id: 'c3', op: 'ExecQueryAsync', sink: 's3' },
    { id: 'c4', op: 'ExecQueryAsync', sink: 's1' },
    { id: 'c5', op: 'ExecQueryAsync', sink: 's4~stub' },
  ],
};
const rel = new StepIndependence(workload);
const both = (a: ReturnType<typeof stepOf>, b: ReturnType<typeof stepOf>) => [rel.independent(a, b), rel.independent(b, a)];

describe('which steps commute', () => {
  it('a broker step, a callback return and a provider completion of calls on different fast sinks', () => {
    expect(both(stepOf('broker', 'ind:c1', 'c1'), stepOf('broker', 'fin:c2', 'c2'))).toEqual([true, true]);
    expect(both(stepOf('return', 'c1#1', 'c1'), stepOf('complete', 'c2', 'c2'))).toEqual([true, true]);
    // A wrapper is its inner sink's: the call on s4~stub is on another sink than c1's.
    expect(both(stepOf('broker', 'ind:c5', 'c5'), stepOf('broker', 'ind:c1', 'c1'))).toEqual([true, true]);
  });

  it('not steps of one call, of calls on one sink, or of a call whose sink sets timers', () => {
    expect(rel.independent(stepOf('broker', 'ind:c1', 'c1'), stepOf('return', 'c1#1', 'c1'))).toBe(false);
    expect(rel.independent(stepOf('broker', 'ind:c1', 'c1'), stepOf('broker', 'ind:c4', 'c4'))).toBe(false);
    expect(both(stepOf('broker', 'ind:c3', 'c3'), stepOf('broker', 'ind:c2', 'c2'))).toEqual([false, false]);
  });

  it('not the steps that set a provider timer, client actions, the watchdog or steps without a call', () => {
    const other = stepOf('broker', 'ind:c2', 'c2');
    for (const s of [stepOf('call', 'c1', 'c1'), stepOf('produce', 'c1', 'c1'), stepOf('act', '0:c1#1', 'c1', 'k1'), stepOf('watchdog', 'c1#1', 'c1'), stepOf('broker', 'pc:k1', undefined, 'k1'), stepOf('client', 'main')]) {
      expect(both(s, other), s.key).toEqual([false, false]);
    }
  });

  it('not a broker step that names a cancel, whatever its id; a step\'s id alone says nothing', () => {
    const other = stepOf('broker', 'ind:c2', 'c2');
    expect(both(stepOf('broker', 'finish-cancel:k1', 'c1', 'k1'), other)).toEqual([false, false]);
    expect(both(stepOf('broker', 'cr:k1', 'c1', 'k1'), other)).toEqual([false, false]);
    expect(both(stepOf('broker', 'cr:k1', 'c1'), other)).toEqual([true, true]);
  });
});
