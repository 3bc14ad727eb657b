/**
 * The command line loads only the module of the command run: the top-level help, `help` and a
 * word that names no command still see every command, in the same order.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from './cli-test-helper.ts';

const ORDER = ['run', 'check', 'spec', 'diagram', 'explore', 'replay', 'mutants', 'scenario', 'report', 'record', 'clients', 'merge'];

describe('wbemsim', () => {
  it('lists every command in its help, in order', async () => {
    const r = await runCli('--help');
    expect(r.code).toBe(0);
    const listed = [...r.out.slice(r.out.indexOf('Commands:')).matchAll(/^ {2}(\w+)\b/gm)].map((m) => m[1]);
    expect(listed).toEqual([...ORDER, 'help']);
  });

  it('shows a command\'s help through `help` and through the command itself alike', async () => {
    const viaHelp = await runCli('help', 'merge');
    const direct = await runCli('merge', '--help');
    expect(direct.code).toBe(0);
    expect(direct.out).toMatch(/^Usage: wbemsim merge/);
    expect(viaHelp.out).toBe(direct.out);
  });

  it('suggests the command meant for a misspelled one (exit 2)', async () => {
    const r = await runCli('rn');
    expect(r.code).toBe(2);
    expect(r.err).toContain("unknown command 'rn'");
    expect(r.err).toContain('Did you mean run?');
  });
});
