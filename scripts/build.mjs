#!/usr/bin/env node
/**
 * `npm run build` (run by `prepare`, hence by `npm ci` and `npm pack`): compiles the sources to
 * dist/ with tsc (tsconfig.build.json rewrites the `./x.ts` imports to `./x.js`), copies the plain
 * JavaScript modules that sit beside the sources (the stdio broker's and the CLI's workers, the
 * generated schema validators), and last writes
 * dist/build-info.json, whose presence marks a complete build and whose time bin/wbemsim.mjs
 * compares with the sources' to tell a stale build. It builds into a fresh folder and then swaps
 * it for dist/, so a `wbemsim` started meanwhile finds either the old build or the new one.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const final = join(root, 'dist');
const dist = join(root, `dist.building-${process.pid}`);
rmSync(dist, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const r = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json'), '--outDir', dist], { stdio: 'inherit' });
if (r.status !== 0) {
  rmSync(dist, { recursive: true, force: true });
  process.stderr.write('wbemsim build: tsc failed\n');
  process.exit(r.status ?? 1);
}
// Plain .mjs modules: loaded by path at run time (a worker thread cannot use a TypeScript loader),
// or generated (scripts/gen-validators.ts).
for (const dir of ['brokers', 'cli', 'sim', 'scenarios', 'report']) {
  for (const f of readdirSync(join(root, dir))) {
    if (f.endsWith('.mjs')) {
      mkdirSync(join(dist, dir), { recursive: true });
      copyFileSync(join(root, dir, f), join(dist, dir, f));
    }
  }
}
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
writeFileSync(join(dist, 'build-info.json'), JSON.stringify({ version }) + '\n');
const old = join(root, `dist.old-${process.pid}`);
if (existsSync(final)) renameSync(final, old);
renameSync(dist, final);
rmSync(old, { recursive: true, force: true });
