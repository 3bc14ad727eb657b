import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { packagePath } from '../package-root.ts';
import { parseTrace } from '../trace/reader.ts';
import { judgeTrace } from './judge.ts';
import { verdictOf } from './trace-builder.ts';

/**
 * Two cancels of one sink overlapping (the reference broker, found by exhaustive search): k1 is
 * processed first and sets CallCancelled for c2 and c1; k2, processed before c2's cancelled final
 * status is called, lists only c1. c2 was cancelled already: k2 need not cancel it again.
 */
const text = readFileSync(packagePath('specs', 'testdata', 'overlapping-cancels.jsonl'), 'utf8');

describe('two overlapping cancels of one sink', () => {
  it('a call an earlier cancel already listed need not be listed by the later one', () => {
    const r = judgeTrace(parseTrace(text));
    expect(verdictOf(r, 'CANCEL-COVERS-SHARING-CALLS')).toBe('held');
    expect(r.violations).toEqual([]);
  });

  it('a call neither cancel listed is still a violation', () => {
    const r = judgeTrace(parseTrace(text.replace('"calls":["c2","c1"]', '"calls":["c1"]')));
    expect(verdictOf(r, 'CANCEL-COVERS-SHARING-CALLS')).toBe('violated');
  });
});
