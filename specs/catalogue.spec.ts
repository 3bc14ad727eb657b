/**
 * The project's rule table: every ID has a check, one file per rule named after it,
 * citing its source; and the sync script finds differences with RULES.md.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { RULES } from './rules.ts';
import { CHECKS } from './registry.ts';
import { diffRules, parseRulesMarkdown } from './check-rules-sync.ts';

const here = (name: string) => fileURLToPath(new URL(name, import.meta.url));

describe('the rule table', () => {
  it('has unique IDs, each with a summary and a citation', () => {
    expect(new Set(RULES.map((r) => r.id)).size).toBe(RULES.length);
    for (const r of RULES) {
      expect(r.summary.length, r.id).toBeGreaterThan(10);
      expect(r.citation.page.length, r.id).toBeGreaterThan(0);
      expect(r.citation.phrase.length, r.id).toBeGreaterThan(0);
    }
  });

  it('takes parties from the sections of RULES.md: scripting rules are SWBEMSINK-*, client rules LINT-*', () => {
    for (const r of RULES) {
      const expected = r.id.startsWith('LINT-') ? 'client' : r.id.startsWith('SWBEMSINK-') ? 'scripting' : 'broker';
      expect(r.party, r.id).toBe(expected);
    }
  });

  it('has a check for every ID, in a file named after it that cites the rule', () => {
    const missing = RULES.filter((r) => !CHECKS[r.id]).map((r) => r.id);
    expect(missing).toEqual([]);
    for (const r of RULES) {
      const path = here(`./${r.id.toLowerCase()}.ts`);
      expect(existsSync(path), path).toBe(true);
      expect(readFileSync(path, 'utf8'), r.id).toContain(r.id);
    }
    expect(Object.keys(CHECKS).sort()).toEqual(RULES.map((r) => r.id).sort());
  });
});

describe('npm run check:rules', () => {
  const sample = '| A-RULE | must | text | src |\n| B-RULE | may | text | src |\n';

  it('finds nothing when IDs and kinds agree', () => {
    expect(diffRules(sample, [{ id: 'A-RULE', kind: 'must' }, { id: 'B-RULE', kind: 'may' }])).toEqual([]);
  });

  it('lists an ID missing on either side and a changed kind', () => {
    const d = diffRules(sample + '| C-RULE | should | t | s |\n', [{ id: 'A-RULE', kind: 'should' }, { id: 'D-RULE', kind: 'info' }]);
    expect(d).toHaveLength(4);
    expect(d.join('\n')).toMatch(/A-RULE is "must" in RULES.md but "should"/);
    expect(d.join('\n')).toMatch(/D-RULE \(info\) is in specs\/rules.ts but not in RULES.md/);
  });

  it('agrees with ../shared/RULES.md when it is there (a clone without ../shared skips only this)', () => {
    const path = fileURLToPath(new URL('../../shared/RULES.md', import.meta.url));
    const text = existsSync(path) ? readFileSync(path, 'utf8') : RULES.map((r) => `| ${r.id} | ${r.kind} | x | y |`).join('\n');
    expect(parseRulesMarkdown(text).size).toBe(RULES.length);
    expect(diffRules(text)).toEqual([]);
  });
});
