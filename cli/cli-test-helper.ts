/**
 * Runs a registered command in-process on a fresh commander program, as cli/main.ts does, and
 * captures stdout, stderr and the exit code (tests only).
 */
import { Command, CommanderError } from 'commander';
import { vi } from 'vitest';
import { UsageError } from './usage-error.ts';

export interface CliRun { code: number; stdout: string; stderr: string }

export async function runCommand(register: (p: Command, setCode: (n: number) => void) => void, argv: string[]): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => { stdout += String(s); return true; });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => { stderr += String(s); return true; });
  let code = 0;
  const program = new Command('wbemsim').exitOverride().configureOutput({ writeOut: (s) => { stdout += s; }, writeErr: (s) => { stderr += s; } });
  register(program, (c) => { code = c; });
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) code = e.exitCode === 0 ? 0 : 2;
    else if (e instanceof UsageError) { stderr += `wbemsim: ${e.message}\n`; code = 2; }
    else throw e;
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  return { code, stdout, stderr };
}

/** Runs the whole `wbemsim` command line in-process (cli/main.ts), capturing what it prints. */
export async function runCli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => { out += String(s); return true; });
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => { err += String(s); return true; });
  try {
    const { main } = await import('./main.ts');
    return { code: await main(argv), out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}
