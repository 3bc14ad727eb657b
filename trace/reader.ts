/**
 * Streams a JSON-lines trace file: one line in memory at a time, each parsed and validated
 * (`LineValidator`) before it is yielded, so a 1,000,000-event trace is checked in memory
 * proportional to what is open at once, never to the file's length.
 * Every problem is a `TraceInputError` naming the line; blank lines are skipped.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { TraceLine } from './event.ts';
import { LineValidator } from './line-validator.ts';
import { TraceInputError } from './trace-input-error.ts';
import { upgradeLine } from './upgrade-v1.ts';

export { TraceInputError } from './trace-input-error.ts';

/** Parses one line of text into a validated trace line. */
function parseLine(text: string, line: number, validator: LineValidator): TraceLine {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new TraceInputError(line, `not JSON (${(err as Error).message})`);
  }
  return validator.accept(value, line);
}

/**
 * Yields the validated lines of the trace file at `path`, header first, as format version 2:
 * a version-1 trace keeps its header's version and has its events mapped (trace/upgrade-v1.ts).
 */
export async function* readTrace(path: string): AsyncGenerator<TraceLine> {
  // Checked up front: a read stream reports a missing file only asynchronously, as an opaque error.
  let size: number;
  try {
    const s = await stat(path);
    if (!s.isFile()) throw new TraceInputError(0, `${path}: not a file`);
    size = s.size;
  } catch (err) {
    if (err instanceof TraceInputError) throw err;
    throw new TraceInputError(0, `${path}: no such file`);
  }
  if (size === 0) throw new TraceInputError(0, `${path}: empty file`);
  const validator = new LineValidator();
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  let n = 0;
  let version = 2;
  try {
    for await (const raw of lines) {
      n++;
      // Recorders on Windows often start a UTF-8 file with a byte-order mark.
      const text = n === 1 && raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
      if (text.trim() === '') continue;
      const l = parseLine(text, n, validator);
      if (l.type === 'header') { version = l.version; yield l; continue; }
      if (version === 2) yield l;
      else yield* upgradeLine(l, version);
    }
  } finally {
    lines.close();
  }
  try {
    validator.end();
  } catch (err) {
    // Say which file had nothing in it.
    if (err instanceof TraceInputError && err.line === 0) throw new TraceInputError(0, `${path}: ${err.message}`);
    throw err;
  }
}

/** Validates the lines of an in-memory trace text (tests, small tools); same errors and version mapping as `readTrace`. */
export function parseTrace(text: string): TraceLine[] {
  const validator = new LineValidator();
  const out: TraceLine[] = [];
  const lines = text.split('\n');
  let version = 2;
  for (let i = 0; i < lines.length; i++) {
    const t = lines[i]!;
    if (t.trim() === '') continue;
    const l = parseLine(t, i + 1, validator);
    if (l.type === 'header') version = l.version;
    out.push(...upgradeLine(l, version));
  }
  validator.end();
  return out;
}
