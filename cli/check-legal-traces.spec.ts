/**
 * Legal behaviours that a judge once flagged (a false positive is as serious as a missed bug):
 * each trace under specs/testdata/legal-*.jsonl must be judged conformant by `wbemsim check`,
 * checks and lifecycle monitor together.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkTraceFile } from './check-command.ts';

const dir = fileURLToPath(new URL('../specs/testdata/', import.meta.url));
const legal = readdirSync(dir).filter((f) => f.startsWith('legal-') && f.endsWith('.jsonl')).sort();

describe('wbemsim check on legal traces', () => {
  it('has the regression traces', () => {
    expect(legal.length).toBeGreaterThanOrEqual(5);
  });

  it.each(legal)('accepts %s', async (file) => {
    const r = await checkTraceFile(join(dir, file));
    expect(r.violations.map((v) => `${v.rule}: ${v.explanation}`)).toEqual([]);
    expect(r.conformant).toBe(true);
  });
});

describe('wbemsim check on a breach once missed', () => {
  it('convicts a cancel with an inner sink never passed to a call that answers S_OK after the wrapper\'s call ended', async () => {
    const r = await checkTraceFile(join(dir, 'inner-sink-cancel-after-wrapper-ended.jsonl'));
    expect(r.violations.map((v) => v.rule)).toEqual(['CANCEL-UNKNOWN-SINK-ERROR']);
  });
});
