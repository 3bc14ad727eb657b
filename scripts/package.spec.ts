/**
 * The published package, as a user gets it: `npm pack` (which builds dist/ through `prepare`), the
 * tarball installed into a scratch project, then used with plain Node (no TypeScript loader): the
 * library imported, its bin run, its declarations read by tsc.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };

let dir = '';
let project = '';
let packed: string[] = [];

/** Runs a command in the scratch project with plain Node. */
function inProject(command: string, args: string[]) {
  return spawnSync(command, args, { cwd: project, encoding: 'utf8', timeout: 120_000 });
}

describe('the npm package', () => {
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'wbemsim-pack-'));
    const out = execFileSync('npm', ['pack', '--json', '--pack-destination', dir], { cwd: ROOT, encoding: 'utf8', timeout: 240_000, stdio: ['ignore', 'pipe', 'pipe'] });
    // The build's own output precedes the JSON array on stdout.
    packed = (JSON.parse(out.slice(out.indexOf('\n[') + 1)) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path);
    project = join(dir, 'project');
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'scratch', private: true, type: 'module' }));
    const install = (mode: string) => execFileSync('npm', ['install', mode, '--no-audit', '--no-fund', join(dir, `wbemsim-${version}.tgz`)], { cwd: project, encoding: 'utf8', timeout: 240_000, stdio: ['ignore', 'pipe', 'pipe'] });
    // The dependencies' tarballs are in npm's cache after `npm ci`; their metadata may not be.
    try {
      install('--offline');
    } catch {
      install('--prefer-offline');
    }
  }, 600_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('ships compiled JavaScript with declarations, the workloads, the schemas and the docs, and no TypeScript sources', () => {
    for (const f of ['bin/wbemsim.mjs', 'dist/index.js', 'dist/index.d.ts', 'dist/cli/main.js', 'dist/brokers/stdio-broker-worker.mjs', 'workloads/mixed.json', 'specs/trace.schema.json', 'docs/protocol.md', 'README.md']) {
      expect(packed).toContain(f);
    }
    expect(packed.filter((f) => /\.ts$/.test(f) && !/\.d\.ts$/.test(f))).toEqual([]);
    expect(packed.filter((f) => /\.spec\./.test(f))).toEqual([]);
  });

  it('installs without tsx: the compiled CLI needs no TypeScript loader', () => {
    expect(existsSync(join(project, 'node_modules', 'wbemsim', 'dist', 'index.js'))).toBe(true);
    expect(existsSync(join(project, 'node_modules', 'tsx'))).toBe(false);
  });

  it('imports with plain Node, checks a broker and replays its token through the library', () => {
    const script = `
      const m = await import('wbemsim');
      const factory = () => new m.ReferenceBroker();
      const mixed = m.builtinWorkloads().filter((w) => w.name === 'mixed');
      const c = m.checkConformance(factory, { runs: 2, workloads: mixed });
      const first = m.runOnce({ impl: 'module', broker: factory(), workload: mixed[0], seed: 5, keepTrace: true });
      const again = m.replay(first.token, factory);
      console.log(JSON.stringify({ conformant: c.conformant, runs: c.runs, same: JSON.stringify(again.trace) === JSON.stringify(first.trace), token: again.token === first.token }));
    `;
    const r = inProject(process.execPath, ['--input-type=module', '-e', script]);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ conformant: true, runs: 2, same: true, token: true });
  });

  it('runs its bin: --version and a tiny run', () => {
    const bin = join(project, 'node_modules', '.bin', 'wbemsim');
    const v = inProject(bin, ['--version']);
    expect(v.status).toBe(0);
    expect(v.stdout.trim()).toBe(version);
    const run = inProject(bin, ['run', '--workload', 'mixed', '--runs', '2']);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/runs 2\b/);
    expect(run.stdout).toMatch(/Verdict: CONFORMANT/);
  });

  it('ships the schema validators compiled ahead of time, and checks a bad workload file with them', () => {
    for (const v of ['dist/sim/workload-validator.generated.mjs', 'dist/scenarios/scenario-validator.generated.mjs', 'dist/report/result-validator.generated.mjs']) expect(packed).toContain(v);
    writeFileSync(join(project, 'bad-workload.json'), JSON.stringify({ name: 'w', sinks: [{ id: 's', sikn: 1 }], calls: [] }));
    const r = inProject(join(project, 'node_modules', '.bin', 'wbemsim'), ['run', '--workload', 'bad-workload.json']);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('wbemsim: bad-workload.json: unknown field "sinks[0].sikn" (known fields: id, behaviour, delay, wrapped)\n');
  });

  it('gives a TypeScript user its types', () => {
    writeFileSync(join(project, 'use.ts'), [
      "import { checkConformance, ReferenceBroker, replay } from 'wbemsim';",
      'const c = checkConformance(() => new ReferenceBroker(), { runs: 1 });',
      'const runs: number = c.runs;',
      '// @ts-expect-error: `runs` is a number, so the declarations were found',
      'const wrong: string = c.runs;',
      'export const r = replay(c.violations[0]?.replay ?? "", () => new ReferenceBroker()).steps + runs + wrong.length;',
      '',
    ].join('\n'));
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', strict: true, noEmit: true, skipLibCheck: true, types: ['node'], typeRoots: [join(ROOT, 'node_modules', '@types')] },
      files: ['use.ts'],
    }));
    const r = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', project], { cwd: project, encoding: 'utf8', timeout: 120_000 });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});

describe('bin/wbemsim.mjs in a checkout', () => {
  /** A checkout in miniature: the bin, a CLI source whose main exits 4, a build whose main exits 3. */
  function checkout(withBuild: boolean, withTsx: boolean): string {
    const root = mkdtempSync(join(tmpdir(), 'wbemsim-bin-'));
    for (const d of ['bin', 'cli', 'dist/cli']) mkdirSync(join(root, d), { recursive: true });
    writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'mini', type: 'module' }));
    writeFileSync(join(root, 'bin', 'wbemsim.mjs'), readFileSync(join(ROOT, 'bin', 'wbemsim.mjs')));
    writeFileSync(join(root, 'cli', 'main.ts'), 'export async function main(argv: string[]): Promise<number> { return 4; }\n');
    if (withBuild) {
      writeFileSync(join(root, 'dist', 'cli', 'main.js'), 'export async function main() { return 3; }\n');
      writeFileSync(join(root, 'dist', 'build-info.json'), '{}\n');
    }
    if (withTsx) symlinkSync(join(ROOT, 'node_modules'), join(root, 'node_modules'), 'dir');
    return root;
  }
  const run = (root: string) => spawnSync(process.execPath, [join(root, 'bin', 'wbemsim.mjs'), '--version'], { cwd: root, encoding: 'utf8', timeout: 60_000 });

  it('runs dist/ when it is newer than the sources, and the sources through tsx when they changed since', () => {
    const root = checkout(true, true);
    const old = new Date(Date.now() - 60_000);
    utimesSync(join(root, 'cli', 'main.ts'), old, old);
    expect(run(root).status).toBe(3);
    const later = new Date(Date.now() + 60_000);
    utimesSync(join(root, 'cli', 'main.ts'), later, later);
    expect(run(root).status).toBe(4);
    rmSync(root, { recursive: true, force: true });
  });

  it('counts the client models and the scenario code among the sources', () => {
    for (const dir of ['clients', 'scenarios']) {
      const root = checkout(true, true);
      const old = new Date(Date.now() - 60_000);
      utimesSync(join(root, 'cli', 'main.ts'), old, old);
      mkdirSync(join(root, dir));
      writeFileSync(join(root, dir, 'model.ts'), 'export const x = 1;\n');
      const later = new Date(Date.now() + 60_000);
      utimesSync(join(root, dir, 'model.ts'), later, later);
      expect(run(root).status).toBe(4);
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('says what to do, in one line and exit 2, when dist/ is missing and tsx is not installed', () => {
    const root = checkout(false, false);
    const r = run(root);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^wbemsim: dist\/ is missing or older than the sources, and tsx .* is not installed: run `npm run build`/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    rmSync(join(root, 'cli'), { recursive: true });
    const installed = run(root);
    expect(installed.status).toBe(2);
    expect(installed.stderr).toMatch(/^wbemsim: this installation has no compiled CLI .*reinstall the package\n$/);
    rmSync(root, { recursive: true, force: true });
  });
});
