import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { goldenPath, runScenario, scenarios, traceText } from './scenario.ts';

describe.each(scenarios().map((s) => [s.name, s] as const))('scenario %s', (_, s) => {
  it('replays to its golden trace, byte for byte (npm run scenarios:update refreshes it deliberately)', async () => {
    const r = await runScenario(s);
    expect(existsSync(goldenPath(s)), `${goldenPath(s)} is missing: run npm run scenarios:update`).toBe(true);
    expect(traceText(r)).toBe(readFileSync(goldenPath(s), 'utf8'));
  });

  it('gives the verdict it pins', async () => {
    const r = await runScenario(s);
    expect(r.judge.conformant).toBe(s.expect.conformant);
    expect([...new Set(r.judge.violations.map((v) => v.rule))].sort()).toEqual([...s.expect.violated].sort());
  });
});
