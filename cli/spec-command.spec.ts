/** `wbemsim spec`: every rule of the catalogue, as text and as JSON. */
import { describe, expect, it } from 'vitest';
import { registerSpec } from './spec-command.ts';
import { runCommand } from './cli-test-helper.ts';
import { RULES } from '../specs/rules.ts';

describe('wbemsim spec', () => {
  it('lists every rule with ID, kind, party, source and citation', async () => {
    const r = await runCommand(registerSpec, ['spec']);
    expect(r.code).toBe(0);
    for (const rule of RULES) expect(r.stdout).toContain(`${rule.id}  ${rule.kind}  ${rule.party}`);
    expect(r.stdout).toContain('000_79cd3919768e36a1.txt');
  });

  it('prints [{id, kind, party, source, summary, citation}] with --json', async () => {
    const r = await runCommand(registerSpec, ['spec', '--json']);
    const j = JSON.parse(r.stdout) as Record<string, unknown>[];
    expect(j.map((x) => x.id)).toEqual(RULES.map((x) => x.id));
    expect(Object.keys(j[0]!).sort()).toEqual(['citation', 'id', 'kind', 'party', 'source', 'summary']);
  });

  it('has help text', async () => {
    const r = await runCommand(registerSpec, ['spec', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--json');
  });
});
