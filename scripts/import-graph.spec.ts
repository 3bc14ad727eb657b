/**
 * The layers: trace/ (the format) and specs/ (rules, checks, lifecycle machine, monitor) depend on
 * nothing of the simulator or the brokers, so `wbemsim check` judges a recording without loading
 * either; sim/ owns the broker port and never imports a broker.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = normalize(join(dirname(new URL(import.meta.url).pathname), '..'));

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? sources(join(dir, d.name)) : /\.ts$/.test(d.name) && !/\.spec\.ts$/.test(d.name) ? [join(dir, d.name)] : []);
}

/** Relative imports of one file, as repository paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)) out.push(relative(ROOT, join(ROOT, dirname(file), m[1]!)));
  return out;
}

/** Every file reachable from `start` through the imports `of` gives (relative imports by default). */
function closure(start: string, of: (file: string) => string[] = importsOf): Set<string> {
  const seen = new Set<string>();
  const todo = [start];
  while (todo.length) {
    const f = todo.pop()!;
    if (seen.has(f)) continue;
    seen.add(f);
    todo.push(...of(f));
  }
  return seen;
}

/** Relative imports of one file that load with it (not `import()`, not `import type`), as repository paths. */
function staticImportsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/^(?:import|export)(\s+type)?\b[^;']*?(?:from\s*)?'(\.{1,2}\/[^']+)'/gm)) {
    if (!m[1]) out.push(relative(ROOT, join(ROOT, dirname(file), m[2]!)));
  }
  return out;
}

/** Every file loaded with `start`: its static imports, transitively. */
function staticClosure(start: string): Set<string> {
  return closure(start, staticImportsOf);
}

describe('import graph', () => {
  it('trace/ and specs/ import nothing from sim/ or brokers/', () => {
    const bad = [...sources('trace'), ...sources('specs')].flatMap((f) => importsOf(f).filter((i) => /^(sim|brokers)\//.test(i)).map((i) => `${f} -> ${i}`));
    expect(bad).toEqual([]);
  });
  it('sim/ imports no broker', () => {
    const bad = sources('sim').flatMap((f) => importsOf(f).filter((i) => i.startsWith('brokers/')).map((i) => `${f} -> ${i}`));
    expect(bad).toEqual([]);
  });
  it('wbemsim check depends on trace/ and specs/ only (and report modules that import neither the simulator nor a broker)', () => {
    // report/result.ts decides the outcome; report/inert.ts escapes untrusted text for a terminal.
    const leaves = ['report/result.ts', 'report/inert.ts'];
    for (const f of leaves) expect(importsOf(f)).toEqual([]);
    // `check --report` renders its result with report/: those modules stay off sim/ and brokers/.
    const reports = [...closure('cli/check-command.ts')].filter((f) => f.startsWith('report/'));
    for (const f of reports) expect(importsOf(f).filter((i) => /^(sim|brokers|cli)\//.test(i)), f).toEqual([]);
    const outside = [...closure('cli/check-command.ts')].filter((f) => !/^(trace|specs|report)\//.test(f) && !f.startsWith('cli/'));
    expect(outside).toEqual([]);
    const cliFiles = [...closure('cli/check-command.ts')].filter((f) => f.startsWith('cli/'));
    for (const f of cliFiles) expect(importsOf(f).filter((i) => /^(sim|brokers)\//.test(i))).toEqual([]);
  });

  it('the command line loads the module of the command run only, not every command\'s', () => {
    const loaded = staticClosure('cli/main.ts');
    expect(loaded.has('cli/main.ts')).toBe(true);
    expect([...loaded].filter((f) => /-command\.ts$/.test(f))).toEqual([]);
  });
  it('the worker of the long commands loads what only some tasks need when they run', () => {
    const loaded = staticClosure('cli/tasks.ts');
    expect(loaded.has('sim/campaign.ts')).toBe(true);
    for (const f of ['brokers/mutants/run-mutant-zoo.ts', 'cli/explore-command.ts', 'cli/replay-command.ts', 'cli/scenario-command.ts', 'report/write-report.ts', 'report/text.ts']) expect(loaded.has(f), f).toBe(false);
  });
});
