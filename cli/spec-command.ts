/**
 * `wbemsim spec`: the rule catalogue the checker enforces (specs/rules.ts), each rule with its
 * kind, party, source and citation. `--json` prints `[{id, kind, party, source, summary, citation}]`.
 */
import type { Command } from 'commander';
import { RULES } from '../specs/rules.ts';

/** The catalogue as the `--json` array. */
export function specJson(): object[] {
  return RULES.map((r) => ({ id: r.id, kind: r.kind, party: r.party, source: r.source, summary: r.summary, citation: r.citation }));
}

/** The catalogue as text: one block per rule. */
export function specText(): string {
  let s = `${RULES.length} rules (must: conformance failure; should: warning or client lint; may: a freedom, never flagged; info: advice)\n\n`;
  for (const r of RULES) {
    const c = r.citation;
    s += `${r.id}  ${r.kind}  ${r.party}\n  ${r.summary}\n  source: ${r.source}\n  cites: ${c.page}${c.seed ? ` [${c.seed}]` : ''}: "${c.phrase}"\n`;
  }
  return s;
}

/** Registers `wbemsim spec` on the program. */
export function registerSpec(program: Command, setCode: (n: number) => void): void {
  program
    .command('spec')
    .description('List every rule the checker enforces: ID, kind, party, source and citation.')
    .option('--json', 'print [{id, kind, party, source, summary, citation}]')
    .action((opts: { json?: boolean }) => {
      process.stdout.write(opts.json ? JSON.stringify(specJson(), null, 2) + '\n' : specText());
      setCode(0);
    });
}
