#!/usr/bin/env node
// The `wbemsim` command. It runs the compiled CLI in dist/ with plain Node. In a source checkout
// whose dist/ is missing or older than the sources, it runs the TypeScript sources through tsx
// (a development dependency) instead, and says what to do when tsx is not installed either.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(root, 'dist', 'cli', 'main.js');
const stamp = join(root, 'dist', 'build-info.json');
// The package ships dist/ without the sources: sources beside it mean a checkout.
const checkout = existsSync(join(root, 'cli', 'main.ts'));

/** The newest modification time among the runtime sources (not tests). */
function newestSource() {
  let newest = 0;
  const visit = (path) => {
    const st = statSync(path);
    if (st.isDirectory()) { for (const f of readdirSync(path)) visit(join(path, f)); return; }
    if (/\.(ts|mjs)$/.test(path) && !path.endsWith('.spec.ts') && st.mtimeMs > newest) newest = st.mtimeMs;
  };
  for (const p of ['index.ts', 'package-root.ts', 'cli', 'brokers', 'clients', 'scenarios', 'sim', 'specs', 'trace', 'report', 'recorder']) {
    if (existsSync(join(root, p))) visit(join(root, p));
  }
  return newest;
}

function fail(message) {
  process.stderr.write(`wbemsim: ${message}\n`);
  process.exit(2);
}

let entry;
if (!checkout) {
  if (!existsSync(built)) fail(`this installation has no compiled CLI (${built} is missing): reinstall the package`);
  entry = built;
} else if (existsSync(built) && existsSync(stamp) && statSync(stamp).mtimeMs >= newestSource()) {
  entry = built;
} else {
  let tsx;
  try {
    tsx = await import('tsx/esm/api');
  } catch {
    fail('dist/ is missing or older than the sources, and tsx (a development dependency) is not installed: run `npm run build`, or `npm ci` to install everything and build');
  }
  tsx.register();
  entry = join(root, 'cli', 'main.ts');
}

// A reader that stops early (`wbemsim spec | head`) is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => { if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0); else throw err; });
}
const { main } = await import(pathToFileURL(entry).href);
process.exitCode = await main(process.argv.slice(2));
