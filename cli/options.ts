/**
 * The one parser for every numeric option, and the check of every output path. A bad value is
 * bad usage: one line on stderr and exit 2, never a stack trace, and found before any run starts.
 */
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { InvalidArgumentError } from 'commander';
import { UsageError } from './usage-error.ts';

/** The largest seed: the PRNG (sim/prng.ts) takes a 32-bit unsigned seed, so 0..2^32-1 are all distinct. */
export const MAX_SEED = 0xffffffff;

/**
 * Parses `text` as a whole decimal integer in [min, max]. Only plain digits are accepted: no
 * sign, exponent, fraction, hexadecimal or spaces, so "1.5", "-1", "1e3", "0x10" and "abc" are
 * refused, as is anything beyond `max` (2^53+1 is not even representable exactly).
 */
export function parseInteger(name: string, text: string, min: number, max: number = Number.MAX_SAFE_INTEGER): number {
  const range = max === Number.MAX_SAFE_INTEGER ? `of at least ${min}` : `from ${min} to ${max}`;
  const bad = () => new InvalidArgumentError(`${name} takes a whole number ${range} (got ${JSON.stringify(text)})`);
  if (!/^[0-9]+$/.test(text)) throw bad();
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < min || n > max) throw bad();
  return n;
}

/** A commander parser for an integer option in [min, max]. */
export function intOption(name: string, min: number, max?: number) {
  return (value: string): number => parseInteger(name, value, min, max);
}

/** A commander parser for `--seed`: an integer the PRNG takes whole, 0..2^32-1. */
export function seedOption(name = '--seed') {
  return intOption(name, 0, MAX_SEED);
}

/**
 * Checks, before any work, that `path` can be written: its folder exists and is writable, and
 * the path is not a folder or a read-only file. `option` names the option in the message.
 */
export function checkWritable(option: string, path: string): void {
  const full = resolve(path);
  const dir = dirname(full);
  if (existsSync(full)) {
    if (statSync(full).isDirectory()) throw new UsageError(`${option}: ${path} is a folder, not a file`);
    try {
      accessSync(full, constants.W_OK);
    } catch {
      throw new UsageError(`${option}: ${path} cannot be written (no write permission)`);
    }
    return;
  }
  if (!existsSync(dir)) throw new UsageError(`${option}: no folder ${dir} to write ${path} into`);
  if (!statSync(dir).isDirectory()) throw new UsageError(`${option}: ${dir} is not a folder`);
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    throw new UsageError(`${option}: cannot write ${path} (no write permission in ${dir})`);
  }
}

/** Checks every output path given (undefined ones are skipped): one call per command, before the runs. */
export function checkOutputs(outputs: Record<string, string | undefined>): void {
  for (const [option, path] of Object.entries(outputs)) if (path !== undefined) checkWritable(option, path);
}
