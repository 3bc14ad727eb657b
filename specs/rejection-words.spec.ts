/**
 * A rejection by the lifecycle machine reads as words: the event, the call, the situation the
 * call was in (from the region whose transition rejected it) and the rule, never a dump of the
 * regions' states.
 */
import { describe, expect, it } from 'vitest';
import { addMonitorFindings, type MonitorRejection } from './monitor.ts';
import { rejectingStates, rejectionText } from './rejection-words.ts';
import type { JudgeResult } from './judge.ts';

const state = { lifecycle: 'cancelled', callback: 'idle', cancel: 'processed', final: 'decided', kind: 'other', status: 'not-asked', reference: 'held', provider: 'stopped' };
const rejection: MonitorRejection = { rules: ['CANCELLED-STATUS'], call: 'c1', seq: 45, event: 'FINAL_OK_ENTERED', state };

describe('a rejection by the lifecycle machine, in words', () => {
  it('names the regions whose transition rejected the event, read from the machine', () => {
    expect(rejectingStates('FINAL_OK_ENTERED', 'CANCELLED-STATUS', state)).toEqual(['lifecycle.cancelled', 'cancel.processed']);
    expect(rejectingStates('INDICATE_ENTERED', 'NOTHING-AFTER-FINAL', { ...state, final: 'returned' })).toEqual(['final.returned']);
    expect(rejectingStates('INDICATE_ENTERED', 'CANCELLED-STATUS', state)).toEqual([]);
  });

  it('says which event came when the call was in which situation, and the rule it breaks', () => {
    const text = rejectionText(rejection, 'CANCELLED-STATUS');
    expect(text).toBe('At event 45 the broker called the final SetStatus of c1 with a success code when it had been cancelled (a cancel processed, or a callback its sink failed), '
      + 'and the broker had already processed a cancel covering it, and no callback was in flight: this breaks CANCELLED-STATUS '
      + '(A call whose cancel was processed before its final SetStatus was called ends with WBEM_E_CALL_CANCELLED).');
  });

  it('is the explanation of the finding a rejection becomes, with no dump of region states', () => {
    const result = { violations: [], warnings: [], lint: [], inconclusive: [], advice: [], results: [], events: 50, conformant: true } as unknown as JudgeResult;
    addMonitorFindings(result, [rejection]);
    const f = result.violations[0]!;
    expect(f.explanation).toBe(rejectionText(rejection, 'CANCELLED-STATUS'));
    expect(f.explanation).not.toMatch(/[{}=]|lifecycle|FINAL_OK_ENTERED/);
  });
});
