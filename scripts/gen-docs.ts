/**
 * Regenerates the documentation drawn from code: the lifecycle diagram in README.md (between its
 * markers) and docs/lifecycle.md. `npm run gen:docs`; a test fails when they are stale.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { machineDiagram } from '../specs/machine-diagram.ts';
import { REGIONS } from '../specs/lifecycle-machine.ts';
import { PACKAGE_ROOT } from '../package-root.ts';

const root = `${PACKAGE_ROOT}/`;

/** README.md with the current lifecycle diagram between its markers. */
export function readmeWithDiagram(readme: string): string {
  const block = '<!-- lifecycle-diagram:start -->\n```mermaid\n' + machineDiagram(['lifecycle']) + '```\n<!-- lifecycle-diagram:end -->';
  return readme.replace(/<!-- lifecycle-diagram:start -->[\s\S]*<!-- lifecycle-diagram:end -->/, block);
}

/** docs/lifecycle.md: every region of the machine, generated. */
export function lifecycleDoc(): string {
  const parts = [
    '# The call lifecycle machine',
    '',
    'Generated from `specs/lifecycle-machine.ts` by `npm run gen:docs`; do not edit by hand. Each region',
    'is drawn on its own; in the machine they run in parallel, one state per region at a time. Arrows',
    'are legal transitions labelled `EVENT [RULE]`; events a state does not accept are violations of the',
    'rule its rejecting transition names (see the source). Self-loops are left out.',
    '',
  ];
  for (const r of REGIONS) parts.push(`## ${r}`, '', '```mermaid', machineDiagram([r]).trimEnd(), '```', '');
  return parts.join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const readmePath = `${root}README.md`;
  writeFileSync(readmePath, readmeWithDiagram(readFileSync(readmePath, 'utf8')));
  writeFileSync(`${root}docs/lifecycle.md`, lifecycleDoc());
  console.log('README.md and docs/lifecycle.md regenerated');
}
