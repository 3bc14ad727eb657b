/**
 * Files that ship beside the code (built-in workloads, schemas, README and docs) live at the
 * package root. The code runs from its sources (`sim/x.ts`) or compiled (`dist/sim/x.js`), so a
 * path relative to a module's own location differs between the two: this resolves paths from the
 * package root instead, the nearest folder above this module that holds package.json.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`wbemsim: no package.json above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
}

/** The package's root folder. */
export const PACKAGE_ROOT = findRoot();

/** A path inside the package, e.g. `packagePath('workloads')`. */
export function packagePath(...parts: string[]): string {
  return join(PACKAGE_ROOT, ...parts);
}
