/**
 * `--impl` as the commands resolve it: an implementation that names nothing, or a `stdio:`
 * command that cannot run (no such file, not on PATH, no execute bit), is bad usage (exit 2)
 * found before any run, not a broker that fails every run.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'shell-quote';
import which from 'which';
import { ImplError, resolveImpl, type ImplOptions } from '../brokers/implementations.ts';
import { BrokerFailure, type BrokerFactory } from '../sim/broker-adapter.ts';
import { UsageError } from './usage-error.ts';

/**
 * Words the shell runs itself, or that run the command after them: the executable they stand
 * for is not the first word, so it is left to the shell to find.
 */
const SHELL_WORDS = new Set(['.', 'source', 'exec', 'eval', 'command', 'builtin', 'cd', 'set', 'export', 'if', 'for', 'while', 'until', 'case', '{', '!', 'time']);

/**
 * The executable a shell command line starts (after any `NAME=value` assignments), or undefined
 * when it cannot be told without running the shell (an operator first, a variable left unset).
 */
export function commandExecutable(command: string): string | undefined {
  let unset = false;
  const words = parse(command, (name) => {
    const value = process.env[name];
    if (value === undefined) unset = true;
    return value ?? '';
  });
  for (const w of words) {
    if (typeof w !== 'string') return undefined;
    if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(w)) continue;
    return unset || SHELL_WORDS.has(w) ? undefined : w;
  }
  return undefined;
}

/**
 * Checks that a `stdio:` command's executable exists and may be executed: a path must name an
 * executable file, a bare name must be found on PATH. Throws UsageError otherwise.
 */
export function checkStdioCommand(command: string, cwd = process.cwd()): void {
  const exe = commandExecutable(command);
  if (exe === undefined) return;
  const where = `--impl stdio:${command}`;
  if (exe.includes('/')) {
    const path = resolve(cwd, exe);
    let isFile: boolean;
    try {
      isFile = statSync(path).isFile();
    } catch {
      throw new UsageError(`${where}: no such file ${exe}`);
    }
    if (!isFile) throw new UsageError(`${where}: ${exe} is not a file`);
    try {
      accessSync(path, constants.X_OK);
    } catch {
      throw new UsageError(`${where}: ${exe} cannot be executed (no execute permission; try chmod +x, or name its interpreter first)`);
    }
    return;
  }
  if (which.sync(exe, { nothrow: true }) === null) throw new UsageError(`${where}: no command ${JSON.stringify(exe)} on PATH`);
}

/** Resolves `--impl` for a command; every way it can fail is a UsageError (exit 2). */
export async function resolveImplForCli(spec: string, options: ImplOptions = {}, context = '', hint?: string): Promise<BrokerFactory> {
  if (spec.startsWith('stdio:') && spec.length > 'stdio:'.length) checkStdioCommand(spec.slice('stdio:'.length));
  try {
    return await resolveImpl(spec, options);
  } catch (err) {
    if (err instanceof ImplError || err instanceof BrokerFailure) throw new UsageError(`${context}${err.message}${hint ? `; ${hint}` : ''}`);
    throw err;
  }
}

/**
 * A broker that failed before it answered the hello did not start: nothing was judged, so this
 * is bad usage, said on one line with the last line the broker wrote on stderr.
 */
export function notStarted(failure: { reason: string; detail?: string; message?: string }): UsageError {
  const [head, ...rest] = (failure.detail ?? failure.message ?? failure.reason).split('\n');
  const marker = rest.findIndex((l) => l.startsWith('--- last lines'));
  const stderr = marker >= 0 ? rest.slice(marker + 1).filter((l) => l.trim()).pop() : undefined;
  return new UsageError(`the broker did not start: ${head}${stderr ? ` (its stderr: ${stderr.trim()})` : ''}`);
}
