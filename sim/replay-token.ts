/**
 * The replay token: everything needed to reproduce a run, on one line a person can paste:
 *
 *   wbs2.<workload>.<run>
 *
 * `<workload>` is the workload's JSON, inline, brotli-compressed; `<run>` is the rest, deflated:
 * the implementation, strategy, seed and options as JSON, the number of steps, the choices, and
 * the step identity. Both are base64url. The choices are recorded explicitly only as far as the
 * strategy did not make them: a run whose strategy can be remade from its name and seed (random,
 * PCT) records only the choices given to it first (a fast-check schedule), and the replay asks the
 * remade strategy for the rest. The step identity is a 32-bit rolling hash of the keys of the steps
 * taken, recorded after every 64 steps and after the last, so a replay that takes other steps than
 * the run did stops within 64 steps of where it went astray, with that window.
 *
 * Tokens of the first format (`wbs1.<spec JSON>.<choices>`, every choice explicit and no step
 * identity) still decode.
 */
import { brotliCompressSync, brotliDecompressSync, constants as zlib, deflateRawSync, inflateRawSync } from 'node:zlib';
import type { Workload } from './workload.ts';

export interface ReplaySpec {
  impl: string;
  /** The client model that played the workload (`--client`), when not the workload's own client. */
  client?: string;
  /** The workload itself, or a built-in workload's name (tokens of the first format). */
  workload: string | Workload;
  strategy: string;
  seed: number;
  depth?: number;
  maxSteps?: number;
  watchdog?: number;
  /** The run's providers went without virtual-time pacing (`explore --por`: WorldOptions.untimedProviders). */
  untimedProviders?: boolean;
  /**
   * The choices recorded explicitly: all of the run's, or, when `steps` is larger, its first
   * `choices.length`, after which the strategy remade from its name and seed chose.
   */
  choices: number[];
  /** The run's number of steps; `choices.length` when absent. */
  steps?: number;
  /** Step identity: the rolling hash of the steps' keys after every `CHECK_EVERY` steps and after the last. */
  checks?: number[];
}

/** Steps between two recorded step-identity hashes. */
export const CHECK_EVERY = 64;

const PREFIX = 'wbs2';
const OLD_PREFIX = 'wbs1';
/** Decompressed parts larger than this are refused (a token is a few KB). */
const MAX_PART_BYTES = 64 * 1024 * 1024;

/** A token that does not parse. */
export class TokenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TokenError';
  }
}

/** The rolling step-identity hash before any step. */
export const STEP_HASH_START = 0x811c9dc5;

/** The rolling step-identity hash after one more step with this key (FNV-1a over its UTF-16 units and a separator). */
export function hashStep(h: number, key: string): number {
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return Math.imul(h ^ 0xffff, 0x01000193) >>> 0;
}

/** Compressed workloads, by workload object: a campaign makes many tokens of one workload. */
const workloadParts = new WeakMap<object, string>();

function workloadPart(w: string | Workload): string {
  const cached = typeof w === 'object' ? workloadParts.get(w) : undefined;
  if (cached !== undefined) return cached;
  const json = Buffer.from(JSON.stringify(w));
  const part = brotliCompressSync(json, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11, [zlib.BROTLI_PARAM_SIZE_HINT]: json.length } }).toString('base64url');
  if (typeof w === 'object') workloadParts.set(w, part);
  return part;
}

function pushVarint(out: number[], v: number): void {
  v >>>= 0;
  while (v >= 0x80) { out.push((v & 0x7f) | 0x80); v >>>= 7; }
  out.push(v);
}

export function encodeToken(spec: ReplaySpec): string {
  const { impl, client, strategy, seed, depth, maxSteps, watchdog, untimedProviders, choices } = spec;
  const steps = spec.steps ?? choices.length;
  if (steps < choices.length) throw new Error(`encodeToken: ${choices.length} choices recorded for a run of ${steps} steps`);
  const checks = spec.checks ?? [];
  const header = Buffer.from(JSON.stringify({ impl, ...(client !== undefined ? { client } : {}), strategy, seed, ...(depth !== undefined ? { depth } : {}), ...(maxSteps !== undefined ? { maxSteps } : {}), ...(watchdog !== undefined ? { watchdog } : {}), ...(untimedProviders ? { untimedProviders: true } : {}) }));
  const bytes: number[] = [];
  pushVarint(bytes, header.length);
  const rest: number[] = [];
  pushVarint(rest, steps);
  pushVarint(rest, choices.length);
  for (const c of choices) pushVarint(rest, c);
  pushVarint(rest, checks.length);
  for (const h of checks) rest.push((h >>> 24) & 0xff, (h >>> 16) & 0xff, (h >>> 8) & 0xff, h & 0xff);
  const run = deflateRawSync(Buffer.concat([Buffer.from(bytes), header, Buffer.from(rest)]), { level: 9 });
  return `${PREFIX}.${workloadPart(spec.workload)}.${run.toString('base64url')}`;
}

/** Node's base64url decoder skips characters outside the alphabet: refuse them instead of guessing. */
function fromBase64url(s: string): Buffer {
  if (!/^[A-Za-z0-9_-]*$/.test(s) || Buffer.from(s, 'base64url').toString('base64url') !== s) {
    throw new TokenError('replay token: it is not canonical base64url (was it cut, or pasted with extra text?)');
  }
  return Buffer.from(s, 'base64url');
}

/** A reader of the run part's varints that names a cut token. */
class Bytes {
  private at = 0;
  constructor(private readonly b: Buffer) {}
  varint(): number {
    let v = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const byte = this.b[this.at++];
      if (byte === undefined) throw new TokenError('replay token: its run part is truncated');
      v += (byte & 0x7f) * 2 ** shift;
      if (!(byte & 0x80)) return v;
    }
    throw new TokenError('replay token: its run part holds a number too large');
  }
  take(n: number): Buffer {
    if (this.at + n > this.b.length) throw new TokenError('replay token: its run part is truncated');
    const out = this.b.subarray(this.at, this.at + n);
    this.at += n;
    return out;
  }
  get done(): boolean {
    return this.at === this.b.length;
  }
}

function checkHeader(rest: unknown): asserts rest is Omit<ReplaySpec, 'choices' | 'workload'> {
  const r = rest as Record<string, unknown> | null;
  if (typeof r !== 'object' || r === null || typeof r.impl !== 'string' || typeof r.strategy !== 'string' || typeof r.seed !== 'number') {
    throw new TokenError('replay token: its spec lacks impl, strategy or seed');
  }
  if (r.client !== undefined && typeof r.client !== 'string') throw new TokenError('replay token: its client is not a name');
  for (const k of ['depth', 'maxSteps', 'watchdog'] as const) {
    if (r[k] !== undefined && typeof r[k] !== 'number') throw new TokenError(`replay token: its ${k} is not a number`);
  }
  if (r.untimedProviders !== undefined && r.untimedProviders !== true) throw new TokenError('replay token: its untimedProviders is not true');
}

export function decodeToken(token: string): ReplaySpec {
  const parts = token.trim().split('.');
  if (parts[0] === OLD_PREFIX && parts.length === 3) return decodeOld(parts[1]!, parts[2]!);
  if (parts.length !== 3 || parts[0] !== PREFIX) {
    throw new TokenError(`not a replay token (expected ${PREFIX}.<workload>.<run>, got ${JSON.stringify(token.slice(0, 40))})`);
  }
  // Decompresses a part, which must end where its compressed stream does.
  const wire = (f: () => { buffer: Buffer; engine: { bytesWritten: number } }, input: Buffer, what: string): Buffer => {
    let out: { buffer: Buffer; engine: { bytesWritten: number } };
    try {
      out = f();
    } catch {
      throw new TokenError(`replay token: its ${what} part does not decompress (was it cut or altered?)`);
    }
    if (out.engine.bytesWritten !== input.length) throw new TokenError(`replay token: its ${what} part has bytes past its end (was it pasted with extra text?)`);
    return out.buffer;
  };
  const workloadBytes = fromBase64url(parts[1]!);
  const runBytes = fromBase64url(parts[2]!);
  let workload: unknown;
  try {
    workload = JSON.parse(wire(() => brotliDecompressSync(workloadBytes, { maxOutputLength: MAX_PART_BYTES, info: true } as object) as never, workloadBytes, 'workload').toString('utf8'));
  } catch (err) {
    if (err instanceof TokenError) throw err;
    throw new TokenError('replay token: its workload part is not JSON');
  }
  if (typeof workload !== 'string' && (typeof workload !== 'object' || workload === null)) throw new TokenError('replay token: its workload part is not a workload');
  const b = new Bytes(wire(() => inflateRawSync(runBytes, { maxOutputLength: MAX_PART_BYTES, info: true }) as never, runBytes, 'run'));
  let header: unknown;
  try {
    header = JSON.parse(b.take(b.varint()).toString('utf8'));
  } catch (err) {
    if (err instanceof TokenError) throw err;
    throw new TokenError('replay token: its spec is not JSON');
  }
  checkHeader(header);
  const steps = b.varint();
  const n = b.varint();
  if (n > steps) throw new TokenError(`replay token: ${n} choices recorded for a run of ${steps} steps`);
  const choices: number[] = [];
  for (let i = 0; i < n; i++) choices.push(b.varint());
  const nChecks = b.varint();
  const checks: number[] = [];
  for (let i = 0; i < nChecks; i++) checks.push(b.take(4).readUInt32BE(0));
  if (!b.done) throw new TokenError('replay token: its run part has bytes past its end');
  return { ...header, workload: workload as string | Workload, choices, steps, ...(nChecks ? { checks } : {}) };
}

/** `wbs1.<base64url JSON spec>.<base64url varint choices>`. */
function decodeOld(specPart: string, choicesPart: string): ReplaySpec {
  let rest: Omit<ReplaySpec, 'choices'>;
  try {
    rest = JSON.parse(Buffer.from(specPart, 'base64url').toString('utf8'));
  } catch {
    throw new TokenError('replay token: its spec part is not valid base64url JSON');
  }
  checkHeader(rest);
  if (rest.workload === undefined) throw new TokenError('replay token: its spec lacks impl, workload, strategy or seed');
  fromBase64url(specPart);
  const bytes = fromBase64url(choicesPart);
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
