import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from './main.ts';

/** Runs the CLI, capturing what it prints. */
async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => { out += String(s); return true; });
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => { err += String(s); return true; });
  const code = await main(argv);
  vi.restoreAllMocks();
  return { code, out, err };
}

afterEach(() => vi.restoreAllMocks());

describe('wbemsim explore', () => {
  it('explores a configuration to the end and prints its counts, exit 0 for the reference broker', async () => {
    const r = await cli('explore', '--workload', 'explore-method-progress-wrapped', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.explorations[0]).toMatchObject({ workload: 'explore-method-progress-wrapped', complete: true, conformant: true });
    expect(j.explorations[0].states).toBeGreaterThan(0);
  });

  it('exits 1 with a replayable token for a broken implementation', async () => {
    const r = await cli('explore', '--workload', 'explore-shared-sink-cancel', '--impl', 'module:brokers/mutants/planted-race.ts');
    expect(r.code).toBe(1);
    const token = /replay: wbemsim replay (\S+)/.exec(r.out)![1]!;
    const again = await cli('replay', token);
    expect(again.code).toBe(1);
    expect(again.out).toContain('VIOLATED CANCELLED-STATUS');
  });

  it('exits 2 on an unknown workload', async () => {
    const r = await cli('explore', '--workload', 'no-such-workload');
    expect(r.code).toBe(2);
  });
});
