/**
 * The replay token (CORE-NOTES 11): everything needed to reproduce a run, versioned and compact:
 * `wbs1.<base64url JSON of implementation, workload, strategy, seed, options>.<base64url varint choices>`.
 */
import type { Workload } from './workload.ts';

export interface ReplaySpec {
  impl: string;
  /** A built-in workload's name, or the workload itself when it is not built in. */
  workload: string | Workload;
  strategy: string;
  seed: number;
  depth?: number;
  maxSteps?: number;
  watchdog?: number;
  choices: number[];
}

const PREFIX = 'wbs1';

/** A token that does not parse. */
export class TokenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TokenError';
  }
}

export function encodeToken(spec: ReplaySpec): string {
  const { choices, ...rest } = spec;
  const bytes: number[] = [];
  for (const c of choices) {
    let v = c >>> 0;
    while (v >= 0x80) { bytes.push((v & 0x7f) | 0x80); v >>>= 7; }
    bytes.push(v);
  }
  return `${PREFIX}.${Buffer.from(JSON.stringify(rest)).toString('base64url')}.${Buffer.from(bytes).toString('base64url')}`;
}

export function decodeToken(token: string): ReplaySpec {
  const parts = token.trim().split('.');
  if (parts.length !== 3 || parts[0] !== PREFIX) {
    throw new TokenError(`not a replay token (expected ${PREFIX}.<spec>.<choices>, got ${JSON.stringify(token.slice(0, 40))})`);
  }
  let rest: Omit<ReplaySpec, 'choices'>;
  try {
    rest = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'));
  } catch {
    throw new TokenError('replay token: its spec part is not valid base64url JSON');
  }
  if (typeof rest !== 'object' || rest === null || typeof rest.impl !== 'string' || typeof rest.strategy !== 'string' || typeof rest.seed !== 'number' || rest.workload === undefined) {
    throw new TokenError('replay token: its spec lacks impl, workload, strategy or seed');
  }
  // Node's decoder skips characters that are not base64url: refuse them instead of guessing.
  const canonical = (s: string) => /^[A-Za-z0-9_-]*$/.test(s) && Buffer.from(s, 'base64url').toString('base64url') === s;
  if (!canonical(parts[1]!) || !canonical(parts[2]!)) {
    throw new TokenError('replay token: it is not canonical base64url (was it cut, or pasted with extra text?)');
  }
  const bytes = Buffer.from(parts[2]!, 'base64url');
  const choices: number[] = [];
  let v = 0;
  let shift = 0;
  for (const b of bytes) {
    v |= (b & 0x7f) << shift;
    if (b & 0x80) shift += 7;
    else { choices.push(v >>> 0); v = 0; shift = 0; }
  }
  if (shift !== 0) throw new TokenError('replay token: its choice list is truncated');
  return { ...rest, choices };
}
