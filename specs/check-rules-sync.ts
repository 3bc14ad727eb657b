/**
 * `npm run check:rules`: compares the rule IDs and kinds of ../shared/RULES.md with the
 * project's own table (`specs/rules.ts`), which a clone carries without the shared catalogue. Exit 0 when they agree, 1 listing every
 * difference, 2 when RULES.md cannot be read (a clone without ../shared).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { RULES } from './rules.ts';

/** The rule rows of a RULES.md text: `| ID | kind | rule | source |`. */
export function parseRulesMarkdown(markdown: string): Map<string, string> {
  const rows = new Map<string, string>();
  for (const line of markdown.split('\n')) {
    const m = /^\|\s*([A-Z][A-Z0-9-]+)\s*\|\s*(must|should|may|info)\s*\|/.exec(line);
    if (m) rows.set(m[1]!, m[2]!);
  }
  return rows;
}

/** One line per difference between RULES.md's rows and the table; empty when they agree. */
export function diffRules(markdown: string, table: readonly { id: string; kind: string }[] = RULES): string[] {
  const shared = parseRulesMarkdown(markdown);
  const ours = new Map(table.map((r) => [r.id, r.kind]));
  const out: string[] = [];
  for (const [id, kind] of shared) {
    const k = ours.get(id);
    if (k === undefined) out.push(`${id} (${kind}) is in RULES.md but not in specs/rules.ts`);
    else if (k !== kind) out.push(`${id} is "${kind}" in RULES.md but "${k}" in specs/rules.ts`);
  }
  for (const [id, kind] of ours) {
    if (!shared.has(id)) out.push(`${id} (${kind}) is in specs/rules.ts but not in RULES.md`);
  }
  return out;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const path = fileURLToPath(new URL('../../shared/RULES.md', import.meta.url));
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    process.stderr.write(`check:rules: cannot read ${path}\n`);
    process.exit(2);
  }
  const diffs = diffRules(text);
  if (diffs.length > 0) {
    process.stderr.write(`check:rules: ${diffs.length} difference(s) between RULES.md and specs/rules.ts:\n${diffs.map((d) => `  ${d}\n`).join('')}`);
    process.exit(1);
  }
  process.stdout.write(`check:rules: ${RULES.length} rules agree with RULES.md\n`);
}
