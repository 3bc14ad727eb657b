/**
 * How a finding reads as text: its rule, where and how often it was found, its explanation, the
 * events it names, the source it rests on, how its witness was shrunk, and its replay command.
 * The one formatter of findings and citations: the terminal summaries of `run`, `check` and
 * `replay` and the text parts of the reports (Markdown, HTML, JUnit) all take theirs from here.
 */
import { inert } from './inert.ts';

/** A finding's source: the page, the seed file and the phrase it rests on. */
export interface CitationLike { page: string; seed?: string; phrase: string }

/** The sizes of a shrunk witness, before and after (sim/shrink.ts). */
export interface ShrinkLike {
  before: { steps: number; calls: number; actions: number; objects: number };
  after: { steps: number; calls: number; actions: number; objects: number };
  runs: number;
  budget: number;
  exhausted: boolean;
}

/** How a witness was shrunk, as a result records it (sim/shrink.ts makes it; result.schema.json `shrink`). */
export interface ShrinkInfo extends ShrinkLike {
  rule: string;
  before: ShrinkLike['before'] & { sinks: number; choices: number };
  after: ShrinkLike['after'] & { sinks: number; choices: number };
  /** The replay token of the run as found. */
  original: string;
}

/** What the formatter reads of a finding (a judge's, a campaign's or a report's). */
export interface FindingLike {
  rule: string;
  explanation: string;
  events: readonly number[];
  citation: CitationLike;
  derivedFrom?: string;
  replay?: string;
  workload?: string;
  runs?: number;
  steps?: number;
  shrink?: ShrinkLike;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** A finding's source, in one line: page, seed file, and the phrase it rests on (raw text). */
export function citationText(c: CitationLike): string {
  return `${c.page}${c.seed ? ` [${c.seed}]` : ''}: "${c.phrase}"`;
}

/** "412 steps, 6 calls, 3 actions, 40 objects" */
export function witnessSizeText(s: ShrinkLike['before']): string {
  return `${plural(s.steps, 'step')}, ${plural(s.calls, 'call')}, ${plural(s.actions, 'action')}, ${plural(s.objects, 'object')}`;
}

/** How a witness was shrunk, in one line (raw text: numbers only). */
export function shrinkText(s: ShrinkLike): string {
  return `shrunk from ${witnessSizeText(s.before)} to ${witnessSizeText(s.after)} (${s.runs} of ${s.budget} shrink runs${s.exhausted ? '; the budget ran out, it may shrink further' : ''})`;
}

/** Where and how often the finding was found: "mixed, 3 runs; witness 12 steps". */
export function foundText(f: FindingLike): string | undefined {
  const parts: string[] = [];
  if (f.workload !== undefined) parts.push(f.workload);
  if (f.runs !== undefined) parts.push(plural(f.runs, 'run'));
  const where = parts.join(', ');
  const witness = f.steps === undefined ? '' : `${f.shrink ? 'shrunk witness' : 'shortest witness'} ${plural(f.steps, 'step')}`;
  return where || witness ? [where, witness].filter(Boolean).join('; ') : undefined;
}

/** The replay command of a finding, when it has one (a recorded trace has none). */
export function replayCommand(f: { replay?: string }): string | undefined {
  return f.replay && f.replay.startsWith('wbs') ? `wbemsim replay ${f.replay}` : undefined;
}

/**
 * The finding for a terminal: every string from a trace, a workload or a broker made inert.
 * `label` leads (`VIOLATED`, `warning`, ...); `indent` is put before every line.
 */
export function findingLines(f: FindingLike, label: string, indent = ''): string[] {
  const found = foundText(f);
  const lines = [
    `${label} ${inert(f.rule)}${found ? `  (${inert(found)})` : ''}`,
    `  ${inert(f.explanation)}`,
    `  events: ${f.events.join(', ') || '-'}   source: ${inert(citationText(f.citation))}`,
  ];
  if (f.derivedFrom) lines.push(`  derived from: ${inert(f.derivedFrom)}`);
  if (f.shrink) lines.push(`  ${shrinkText(f.shrink)}`);
  const replay = replayCommand(f);
  if (replay) lines.push(`  replay: ${inert(replay)}`);
  return lines.map((l) => indent + l);
}
