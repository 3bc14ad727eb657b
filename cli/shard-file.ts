/**
 * The result of one shard of `run` (`--shard k/n`), as `wbemsim merge` reads it back: the shard's
 * own summary (what `--json` prints for any run) plus a `shard` field with what the merge needs,
 * namely which part it is, the options that define the campaign (every shard must have the same),
 * the records of its runs and the witnesses it shrank. Records are written compactly: the rules
 * and the reasons of verdicts once per file, one character per rule verdict per run.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Verdict } from '../specs/check.ts';
import type { FoldOptions, RunRecord, ShardPart, ShrunkPiece } from '../sim/campaign.ts';
import { UsageError } from './usage-error.ts';

export const SHARD_FORMAT = 'wbemsim-shard';
export const SHARD_VERSION = 1;

/** The depth at which a sharded stateful exploration splits the states between the shards. */
export const EXPLORE_SPLIT_DEPTH = 4;

/** The file a shard's `--report DIR` writes beside the report, and that `merge DIR` reads. */
export const SHARD_FILE = 'shard.json';

const VERDICTS: Verdict[] = ['violated', 'inconclusive', 'used', 'held', 'not judged', 'not exercised'];
const CODES = 'viuhnx';

/** What a shard of `run` writes for the merge. */
export interface RunShard {
  format: typeof SHARD_FORMAT;
  version: typeof SHARD_VERSION;
  command: 'run';
  k: number;
  n: number;
  /** Everything that decides the campaign's runs; equal in every shard of one campaign. */
  campaign: Record<string, unknown>;
  fold: FoldOptions;
  part: EncodedPart;
  shrunk: ShrunkPiece[];
  wallMs: number;
}

interface EncodedRecord {
  at: number[];
  w: string;
  rw?: string;
  seed: number;
  g?: string;
  kind: RunRecord['kind'];
  label?: string;
  token: string;
  steps: number;
  end: RunRecord['end'];
  f?: Partial<RunRecord['findings']>;
  advice?: string[];
  /** Indices into `rules`, when the results are not every rule in the table's order. */
  ri?: number[];
  /** One verdict character per result. */
  v: string;
  /** Pairs: result position, index into `reasons`. */
  why?: number[];
  nodes: number[];
  tr: number[];
  traced?: true;
}

interface EncodedPart extends Omit<ShardPart, 'records'> {
  rules: { rule: string; kind: string; party: string }[];
  reasons: string[];
  records: EncodedRecord[];
}

/** A shard part in its written form. */
export function encodePart(part: ShardPart): EncodedPart {
  const rules: EncodedPart['rules'] = [];
  const ruleIndex = new Map<string, number>();
  const reasons: string[] = [];
  const reasonIndex = new Map<string, number>();
  const records = part.records.map((r): EncodedRecord => {
    const ri = r.results.map((x) => {
      let i = ruleIndex.get(x.rule);
      if (i === undefined) { i = rules.length; ruleIndex.set(x.rule, i); rules.push({ rule: x.rule, kind: x.kind, party: x.party }); }
      return i;
    });
    const why: number[] = [];
    r.results.forEach((x, pos) => {
      if (x.reason === undefined) return;
      let i = reasonIndex.get(x.reason);
      if (i === undefined) { i = reasons.length; reasonIndex.set(x.reason, i); reasons.push(x.reason); }
      why.push(pos, i);
    });
    const f: Partial<RunRecord['findings']> = {};
    for (const key of ['violations', 'warnings', 'lint', 'inconclusive'] as const) if (r.findings[key].length) f[key] = r.findings[key];
    return {
      at: r.at, w: r.workload, ...(r.runWorkload !== r.workload ? { rw: r.runWorkload } : {}), seed: r.seed, ...(r.group !== r.workload ? { g: r.group } : {}),
      kind: r.kind, ...(r.label !== undefined ? { label: r.label } : {}), token: r.token, steps: r.steps, end: r.end,
      ...(Object.keys(f).length ? { f } : {}), ...(r.advice.length ? { advice: r.advice } : {}),
      ...(ri.every((x, i) => x === i) ? {} : { ri }), v: r.results.map((x) => CODES[VERDICTS.indexOf(x.verdict)]).join(''),
      ...(why.length ? { why } : {}), nodes: r.nodes, tr: r.transitions, ...(r.traced ? { traced: true as const } : {}),
    };
  });
  const { records: _r, ...rest } = part;
  return { ...rest, rules, reasons, records };
}

/** A shard part read back. */
export function decodePart(e: EncodedPart): ShardPart {
  const records = e.records.map((r): RunRecord => {
    const why = new Map<number, string>();
    for (let i = 0; i + 1 < (r.why?.length ?? 0); i += 2) why.set(r.why![i]!, e.reasons[r.why![i + 1]!]!);
    const results = [...r.v].map((c, pos) => {
      const rule = e.rules[r.ri ? r.ri[pos]! : pos]!;
      const verdict = VERDICTS[CODES.indexOf(c)]!;
      const reason = why.get(pos);
      return { rule: rule.rule, kind: rule.kind, party: rule.party, verdict, ...(reason !== undefined ? { reason } : {}) } as RunRecord['results'][number];
    });
    return {
      at: r.at, workload: r.w, runWorkload: r.rw ?? r.w, seed: r.seed, group: r.g ?? r.w, kind: r.kind, ...(r.label !== undefined ? { label: r.label } : {}),
      token: r.token, steps: r.steps, end: r.end,
      findings: { violations: r.f?.violations ?? [], warnings: r.f?.warnings ?? [], lint: r.f?.lint ?? [], inconclusive: r.f?.inconclusive ?? [] },
      advice: r.advice ?? [], results, nodes: r.nodes, transitions: r.tr, traced: r.traced === true,
    };
  });
  const { rules: _r, reasons: _w, records: _x, ...rest } = e;
  return { ...rest, records };
}

/** Reads a shard's result: a JSON file, or a report folder holding one. */
export function readShardFile(path: string): { shard: RunShard | unknown; raw: Record<string, unknown> } {
  let file = path;
  let text: string;
  try {
    if (statSync(path).isDirectory()) file = join(path, SHARD_FILE);
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new UsageError(`${file} is not JSON`);
  }
  if (!raw || typeof raw !== 'object' || !('shard' in raw)) throw new UsageError(`${file} is not the result of a shard (run it with --shard k/n and --json, --out or --report)`);
  const shard = (raw as { shard: { format?: unknown; version?: unknown } }).shard;
  if (shard?.format !== SHARD_FORMAT) throw new UsageError(`${file} is not the result of a shard (its shard field is not ${SHARD_FORMAT})`);
  if (shard.version !== SHARD_VERSION) throw new UsageError(`${file} is a shard of format version ${String(shard.version)}; this wbemsim reads version ${SHARD_VERSION}`);
  return { shard, raw: raw as Record<string, unknown> };
}

/**
 * Checks that `shards` (read from `names`) are the n parts of one campaign, each once: same n,
 * same campaign options, k from 1 to n. Throws a UsageError naming the first difference.
 */
export function checkShards<S extends { k: number; n: number; command: string; campaign: Record<string, unknown> }>(shards: S[], names: string[]): void {
  if (shards.length === 0) throw new UsageError('merge needs the result files of the shards');
  const first = shards[0]!;
  shards.forEach((s, i) => {
    if (s.command !== first.command) throw new UsageError(`${names[i]} is a shard of ${s.command}, ${names[0]} one of ${first.command}`);
    if (s.n !== first.n) throw new UsageError(`${names[i]} is shard ${s.k}/${s.n}, ${names[0]} is shard ${first.k}/${first.n}: the shards come from different splits`);
    for (const key of new Set([...Object.keys(first.campaign), ...Object.keys(s.campaign)])) {
      const a = JSON.stringify(first.campaign[key]);
      const b = JSON.stringify(s.campaign[key]);
      if (a !== b) throw new UsageError(`${names[i]} and ${names[0]} are shards of different campaigns: ${key} ${b ?? '(none)'} against ${a ?? '(none)'}`);
    }
  });
  const seen = new Map<number, string>();
  shards.forEach((s, i) => {
    const prior = seen.get(s.k);
    if (prior !== undefined) throw new UsageError(`shard ${s.k}/${s.n} is given twice (${prior} and ${names[i]})`);
    seen.set(s.k, names[i]!);
  });
  const missing = Array.from({ length: first.n }, (_, i) => i + 1).filter((k) => !seen.has(k));
  if (missing.length) throw new UsageError(`shard${missing.length > 1 ? 's' : ''} ${missing.map((k) => `${k}/${first.n}`).join(', ')} ${missing.length > 1 ? 'are' : 'is'} missing`);
}

/** Parses `--shard k/n`. */
export function parseShard(value: string): { k: number; n: number } {
  const m = /^(\d+)\/(\d+)$/.exec(value.trim());
  const k = m ? Number(m[1]) : NaN;
  const n = m ? Number(m[2]) : NaN;
  if (!m || !Number.isSafeInteger(k) || !Number.isSafeInteger(n) || n < 1 || k < 1 || k > n) throw new UsageError(`--shard must be k/n with 1 ≤ k ≤ n (e.g. 2/4), not ${value}`);
  return { k, n };
}

const RECORDS_MARK = '\u0000records\u0000';

/**
 * A result as JSON, indented like every `--json`, but with each run record of a shard
 * (`shard.part.records`) on one line: a shard of a long campaign holds tens of thousands, and
 * indenting each field of each one made the file three times its size.
 */
export function resultJson(value: Record<string, unknown> & { shard?: RunShard }): string {
  const records = value.shard?.part.records;
  if (!records) return JSON.stringify(value, null, 2) + '\n';
  const marked = { ...value, shard: { ...value.shard!, part: { ...value.shard!.part, records: RECORDS_MARK } } };
  const text = JSON.stringify(marked, null, 2);
  const at = text.indexOf(JSON.stringify(RECORDS_MARK));
  const indent = text.slice(text.lastIndexOf('\n', at) + 1).match(/^ */)![0];
  const list = records.length ? `[\n${records.map((r) => `${indent}  ${JSON.stringify(r)}`).join(',\n')}\n${indent}]` : '[]';
  return text.slice(0, at) + list + text.slice(at + JSON.stringify(RECORDS_MARK).length) + '\n';
}
