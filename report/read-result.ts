/**
 * Reads a result.json back (for `wbemsim report`), checked against report/result.schema.json:
 * a file that is not a result of this version is bad input, named in one line.
 */
import { readFileSync } from 'node:fs';
import { packagePath } from '../package-root.ts';
// result.schema.json compiled ahead of time (scripts/gen-validators.ts).
import validator from './result-validator.generated.mjs';
import { RESULT_FORMAT, RESULT_VERSION, type ReportResult } from './report-result.ts';

/** Found through the package root, so that it is there from the sources and from the compiled package. */
export const RESULT_SCHEMA_PATH = packagePath('report', 'result.schema.json');

export class ResultInputError extends Error {}

/** The schema's verdict on `value`: undefined when valid, else the first problem in words. */
export function resultProblem(value: unknown): string | undefined {
  if (validator(value)) return undefined;
  const e = validator.errors?.[0];
  return e ? `${e.instancePath || '(top)'} ${e.message ?? 'is invalid'}` : 'invalid';
}

/** Parses and checks the result file at `path`; throws ResultInputError for bad input. */
export function readResult(path: string): ReportResult {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ResultInputError(`${path}: cannot read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ResultInputError(`${path}: not JSON (${(err as Error).message})`);
  }
  const v = value as { format?: unknown; version?: unknown };
  if (v?.format !== RESULT_FORMAT) throw new ResultInputError(`${path}: not a wbemsim result (no "format": "${RESULT_FORMAT}"); write one with --report DIR`);
  if (v.version !== RESULT_VERSION) throw new ResultInputError(`${path}: result version ${JSON.stringify(v.version)}, this wbemsim reads version ${RESULT_VERSION}`);
  const problem = resultProblem(value);
  if (problem) throw new ResultInputError(`${path}: not a valid result: ${problem}`);
  return value as ReportResult;
}
