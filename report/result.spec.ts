import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exitCodeFor, NO_FAIL_ON } from '../cli/exit-code.ts';
import { decideOutcome, notConclusiveReason } from './result.ts';

describe('the outcome of a result', () => {
  it('is conformant exactly when no must rule is violated and the broker never failed', () => {
    expect(decideOutcome({ violations: [], runs: 3 }).conformant).toBe(true);
    expect(decideOutcome({ violations: [{ rule: 'CANCELLED-STATUS' }], runs: 3 }).conformant).toBe(false);
    expect(decideOutcome({ violations: [], brokerFailures: 1, runs: 3 }).conformant).toBe(false);
    // Warnings, inconclusive verdicts and lint are listed, never a failure of conformance.
    expect(decideOutcome({ violations: [], runs: 1, warnings: [1], inconclusive: [1], lint: [1] }).conformant).toBe(true);
  });

  it('is not conclusive when a run was cut, a planned run was not made, or an exploration is incomplete', () => {
    const cut = decideOutcome({ violations: [], runs: 10, cutRuns: 2 });
    expect(cut).toMatchObject({ conformant: true, conclusive: false, cut: 2, planned: 10 });
    expect(notConclusiveReason(cut)).toBe('2 of 10 runs cut');
    const short = decideOutcome({ violations: [], runs: 4, planned: 10, cutRuns: 1 });
    expect(short).toMatchObject({ cut: 7, planned: 10, conclusive: false });
    const incomplete = decideOutcome({ violations: [], runs: 100, incomplete: 1 });
    expect(notConclusiveReason(incomplete, 3)).toBe('1 of 3 explorations incomplete');
    expect(decideOutcome({ violations: [], runs: 10 }).conclusive).toBe(true);
    expect(notConclusiveReason(decideOutcome({ violations: [], runs: 10 }))).toBeUndefined();
  });

  it('gives exit 1 for a violation or a cut, 0 for a cut with --allow-cut, and 1 for a violation whatever is allowed', () => {
    expect(exitCodeFor(decideOutcome({ violations: [], runs: 5 }))).toBe(0);
    expect(exitCodeFor(decideOutcome({ violations: [], runs: 5, cutRuns: 1 }))).toBe(1);
    expect(exitCodeFor(decideOutcome({ violations: [], runs: 5, cutRuns: 1 }), NO_FAIL_ON, true)).toBe(0);
    expect(exitCodeFor(decideOutcome({ violations: [1], runs: 5, cutRuns: 1 }), NO_FAIL_ON, true)).toBe(1);
    expect(exitCodeFor(decideOutcome({ violations: [], runs: 5, warnings: [1] }), { ...NO_FAIL_ON, warning: true })).toBe(1);
  });
});

/** The non-test TypeScript sources under the folders that run, judge and report, comments removed. */
function sources(): { path: string; text: string }[] {
  const out: { path: string; text: string }[] = [];
  const visit = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, e.name);
      if (e.isDirectory()) visit(path);
      else if (e.name.endsWith('.ts') && !e.name.endsWith('.spec.ts') && !e.name.endsWith('.d.ts')) {
        out.push({ path, text: readFileSync(path, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '') });
      }
    }
  };
  for (const dir of ['cli', 'sim', 'report', 'brokers', 'specs', 'trace', 'clients']) visit(dir);
  return out;
}

describe('one module decides conformance', () => {
  it('assigns `conformant` only in report/result.ts; everywhere else it is copied from a decided outcome', () => {
    const files = sources();
    expect(files.length).toBeGreaterThan(50);
    const offending: string[] = [];
    for (const { path, text } of files) {
      if (path === join('report', 'result.ts')) continue;
      // `conformant: …` in an object, `conformant = …` in a statement (not `==`/`===`).
      for (const m of text.matchAll(/\bconformant\??\s*(?::|=(?!=))\s*([^,;}\n]*)/g)) {
        const value = m[1]!.trim();
        if (/^boolean\b/.test(value)) continue; // a type
        if (/^([\w.]*\.)?outcome\.conformant$/.test(value)) continue; // copied from what decideOutcome decided
        offending.push(`${path}: conformant: ${value}`);
      }
    }
    expect(offending).toEqual([]);
  });

  it('puts the verdict into words in report/report-result.ts alone: no other source writes NOT CONFORMANT or NOT CONCLUSIVE', () => {
    const offending: string[] = [];
    for (const { path, text } of sources()) {
      if (path === join('report', 'report-result.ts')) continue;
      // Comparing with a word verdictOf gave is reading it, not deciding it.
      const said = text.replace(/[!=]==\s*'[A-Z ]+'/g, '');
      if (/NOT CONFORMANT|NOT CONCLUSIVE/.test(said)) offending.push(path);
    }
    expect(offending).toEqual([]);
  });
});
