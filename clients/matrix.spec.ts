import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../cli/cli-test-helper.ts';
import { cellText, type ClientsMatrix } from '../report/clients-matrix.ts';
import { html, md } from '../report/escape.ts';
import { matrixCell, type MatrixCell } from './matrix.ts';
import { clientModels } from './index.ts';
import { ReferenceBroker } from '../brokers/reference-broker.ts';

afterEach(() => vi.restoreAllMocks());
const dir = mkdtempSync(join(tmpdir(), 'wbemsim-matrix-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ARGS = ['clients', '--client', 'dotnet', '--client', 'autoit', '--impl', 'reference', '--impl', 'wine', '--runs', '3'];

/** The Markdown table's cells: row (client) → column (broker) → cell text. */
function markdownCells(text: string): Map<string, Map<string, string>> {
  const lines = text.split('\n').filter((l) => l.startsWith('| '));
  const split = (l: string) => l.slice(2, -2).split(/(?<!\\) \| /);
  const head = split(lines[0]!).slice(1);
  const out = new Map<string, Map<string, string>>();
  for (const l of lines.slice(2)) {
    const [client, ...cells] = split(l);
    expect(cells.length).toBe(head.length);
    out.set(client!, new Map(head.map((h, i) => [h, cells[i]!])));
  }
  return out;
}

/** The HTML table's cell for (client, impl), by its data attributes (escaped as the page escapes them). */
function htmlCell(page: string, client: string, impl: string): string {
  const at = page.indexOf(`data-client="${html(client)}" data-impl="${html(impl)}"`);
  expect(at).toBeGreaterThan(0);
  return page.slice(at, page.indexOf('</td>', at));
}

/** The text's block for (client, impl): its three lines and what follows them up to the next broker. */
function textCell(text: string, client: string, impl: string): string {
  const block = text.slice(text.indexOf(`\n${client}\n`) + 1);
  const from = block.indexOf(`  ${impl} `);
  const rest = block.slice(from + 2);
  const end = rest.search(/\n {2}\S|\n\S/);
  return end < 0 ? rest : rest.slice(0, end);
}

describe('wbemsim clients: the matrix as text, Markdown, JSON and an HTML report', () => {
  it('shows each finding in its own cell, the same cells in every rendering, with replay tokens and the hang cycle', async () => {
    const out = join(dir, 'report');
    const json = await runCli(...ARGS, '--json');
    const text = await runCli(...ARGS);
    const markdown = await runCli(...ARGS, '--markdown');
    const report = await runCli(...ARGS, '--report', out);
    for (const r of [json, text, markdown, report]) expect(r.code).toBe(0);
    const m = JSON.parse(json.out) as ClientsMatrix;
    expect(m.format).toBe('wbemsim-clients');
    expect(m.cells.map((c) => `${c.client}/${c.impl}`)).toEqual(['dotnet/reference', 'dotnet/wine', 'autoit/reference', 'autoit/wine']);
    // The report's result.json is the --json document, and its text the same as without --report.
    expect(JSON.parse(readFileSync(join(out, 'result.json'), 'utf8'))).toEqual(m);
    expect(report.out).toBe(text.out);
    const page = readFileSync(join(out, 'index.html'), 'utf8');
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toBe(markdown.out);
    const table = markdownCells(markdown.out);

    // The findings named in the right cells.
    const cell = (client: string, impl: string) => m.cells.find((c) => c.client === client && c.impl === impl)!;
    expect(cell('autoit', 'wine').userSaw.hang).toBe(3);
    expect(cell('autoit', 'reference').userSaw.hang).toBeUndefined();
    expect(table.get('**autoit**')!.get('wine')).toMatch(/client: LINT-NO-CANCEL-IN-SINK<br>.*user saw: hang$/);
    expect(table.get('**autoit**')!.get('reference')).not.toMatch(/hang/);
    expect(table.get('**dotnet**')!.get('wine')).toMatch(/user saw: success after cancel$/);
    expect(table.get('**dotnet**')!.get('reference')).toMatch(/user saw: -$/);
    expect(htmlCell(page, 'autoit', 'wine')).toContain('LINT-NO-CANCEL-IN-SINK');
    expect(htmlCell(page, 'dotnet', 'reference')).not.toContain('success after cancel');
    expect(htmlCell(page, 'dotnet', 'wine')).toContain('success after cancel');

    // Every cell, in every rendering, says what cellText says of the JSON cell.
    for (const c of m.cells as MatrixCell[]) {
      const t = cellText(c);
      expect(c.replay).toMatch(/^wbs\d\./);
      expect(table.get(`**${c.client}**`)!.get(c.impl)).toBe(`client: ${md(t.client)}<br>broker: ${md(t.broker)}<br>user saw: ${md(t.userSaw)}`);
      const h = htmlCell(page, c.client, c.impl);
      for (const v of [t.client, t.broker, t.userSaw]) expect(h).toContain(`>${html(v)}</span>`);
      expect(h).toContain(html(`wbemsim replay ${c.replay}`));
      expect(markdown.out).toContain(`wbemsim replay ${c.replay}`);
      expect(textCell(text.out, c.client, c.impl)).toContain(`client: ${t.client}\n`);
      expect(textCell(text.out, c.client, c.impl)).toContain(`broker: ${t.broker}\n`);
      expect(textCell(text.out, c.client, c.impl)).toContain(`user saw: ${t.userSaw}`);
    }

    // A hang names its cycle: in the JSON, the HTML cell, the Markdown and the text.
    const hang = cell('autoit', 'wine').hang!;
    expect(hang.cycle).toContain('client thread sink:c1#3f → waits on the return of SWbemSink.Cancel on autoit.sink → held by the broker, which waits for callback sink:c1#3f to return: a cycle, the thread waits for itself');
    for (const l of hang.cycle) {
      expect(htmlCell(page, 'autoit', 'wine')).toContain(`<li>${html(l)}</li>`);
      expect(markdown.out).toContain(`  - ${md(l)}`);
      expect(textCell(text.out, 'autoit', 'wine')).toContain(l);
    }
    expect(cell('autoit', 'reference').hang).toBeUndefined();
    expect(htmlCell(page, 'autoit', 'reference')).not.toContain('class="hang"');
    // Self-contained: no script, no link, no remote source.
    expect(page).not.toMatch(/<script|<link|src="http|href="http/);
  });

  it('escapes what a model says of itself in the Markdown and the HTML', async () => {
    const mod = join(dir, 'evil.mjs');
    writeFileSync(mod, `export default {
  name: 'evil<img src=x onerror=alert(1)>|*x*', title: '<script>alert(1)</script>',
  facts: [{ kind: 'derived', source: '<b>bold</b>', what: 'a | pipe' }],
  workload: { version: 1, name: 'one-query', sinks: [], calls: [{ id: 'c1', op: 'ExecQueryAsync', sink: null, objects: 1 }] },
  start(api) { api.createSink('m1'); api.spawn('main', 'call'); },
  run(t, api) {
    if (t.cb) { if (t.cb.final) api.saw('completed', 'final', t.cb.call); return api.returnFromCallback(); }
    if (t.at === 'call') { api.callAsync({ call: 'c1', sink: 'm1' }); return api.goto('returned'); }
    api.exit();
  },
};\n`);
    const out = join(dir, 'evil');
    const r = await runCli('clients', '--client', `module:${mod}`, '--impl', 'reference', '--runs', '1', '--markdown', '--report', out);
    expect(r.code).toBe(0);
    const page = readFileSync(join(out, 'index.html'), 'utf8');
    expect(page).not.toContain('<img');
    expect(page).not.toContain('<script');
    expect(page).not.toContain('<b>bold');
    expect(page).toContain('evil&lt;img src=x onerror=alert(1)&gt;|*x*');
    // The pipe does not split the Markdown row, and the name is no markup.
    const table = markdownCells(r.out);
    expect([...table.keys()]).toEqual(['**evil&lt;img src=x onerror=alert\\(1\\)&gt;\\|\\*x\\***']);
    expect(r.out).not.toContain('<img');
  });

  it('refuses --json with --markdown, and a --report path that is a file, in one line', async () => {
    const both = await runCli('clients', '--client', 'autoit', '--impl', 'wine', '--runs', '1', '--json', '--markdown');
    expect(both.code).toBe(2);
    expect(both.err.trim().split('\n')).toHaveLength(1);
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    const bad = await runCli('clients', '--client', 'autoit', '--impl', 'wine', '--runs', '1', '--report', file);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/is a file, not a folder/);
  });
});

describe('what the user saw go wrong', () => {
  const cellOf = (client: string) => {
    const model = clientModels().find((m) => m.name === client)!;
    return matrixCell(model, 'reference', () => new ReferenceBroker(), 6);
  };

  it('names the problems the models report in their own words: a leak, a use after free, an event after completion', () => {
    expect(cellOf('wmi-rs-stream-2022').userSaw.leak).toBeGreaterThan(0);
    expect(cellOf('wmilight').userSaw['use after free']).toBe(6);
    expect(cellOf('wmilight-fixed').userSaw['use after free']).toBeUndefined();
    expect(cellOf('ms-wmi-go').userSaw['event after completion']).toBeGreaterThan(0);
    expect(cellOf('ms-wmi-go-fixed').userSaw['event after completion']).toBeUndefined();
  });

  it('does not count a subscription that nothing asked to stop as a completion never raised', () => {
    const kept = cellOf('wmilight-x86-fixed');
    expect(kept.userSaw['completion never raised']).toBeUndefined();
    expect(Object.keys(kept.userSaw)).toEqual([]);
  });
});
