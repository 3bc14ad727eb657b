import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { lifecycleDoc, readmeWithDiagram } from './gen-docs.ts';

describe('generated documentation', () => {
  it('README.md shows the current lifecycle diagram (npm run gen:docs refreshes it)', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    expect(readme).toContain('```mermaid\nstateDiagram-v2');
    expect(readmeWithDiagram(readme)).toBe(readme);
  });

  it('docs/lifecycle.md is the current drawing of every region', () => {
    expect(readFileSync(new URL('../docs/lifecycle.md', import.meta.url), 'utf8')).toBe(lifecycleDoc());
  });
});
