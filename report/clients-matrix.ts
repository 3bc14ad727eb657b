/**
 * The matrix of `wbemsim clients` as a document, and its renderings: the terminal text, Markdown,
 * and one self-contained HTML page. Every rendering reads the same cells through `cellText`, so
 * that the text, Markdown, JSON and HTML say the same thing of each cell. Strings from a model or
 * an implementation (a `module:` model names itself) are escaped by `html`/`md`, or made inert for
 * the terminal.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MatrixCell } from '../clients/matrix.ts';
import type { ClientFact } from '../sim/client-api.ts';
import { html, md, mdCode } from './escape.ts';
import { inert } from './inert.ts';

export const CLIENTS_FORMAT = 'wbemsim-clients';
export const CLIENTS_VERSION = 1;

/** What `wbemsim clients --json` prints and `--report` writes as result.json. */
export interface ClientsMatrix {
  format: typeof CLIENTS_FORMAT;
  version: typeof CLIENTS_VERSION;
  /** Seeded schedules per cell. */
  runs: number;
  impls: string[];
  clients: { name: string; title: string; facts: readonly ClientFact[] }[];
  /** One per (client, impl), clients in order, then brokers in order. */
  cells: MatrixCell[];
}

/** The matrix document of these cells. */
export function clientsMatrix(runs: number, impls: string[], clients: ClientsMatrix['clients'], cells: MatrixCell[]): ClientsMatrix {
  return { format: CLIENTS_FORMAT, version: CLIENTS_VERSION, runs, impls, clients, cells };
}

function counts(x: Record<string, number>, runs: number): string {
  const keys = Object.keys(x).sort();
  return keys.length ? keys.map((k) => `${k}${x[k] === runs ? '' : ` (${x[k]}/${runs})`}`).join(', ') : '-';
}

/**
 * A cell in words, the one source of every rendering: the client rules with a finding, the broker
 * rules violated (and warned about), what the user saw go wrong; each with the share of runs when
 * not all.
 */
export function cellText(c: MatrixCell): { client: string; broker: string; userSaw: string } {
  const warnings = Object.keys(c.brokerWarnings).length ? `; warnings: ${counts(c.brokerWarnings, c.runs)}` : '';
  return {
    client: counts(c.clientFindings, c.runs),
    broker: `${counts(c.brokerViolations, c.runs)}${warnings}`,
    userSaw: counts(c.userSaw as Record<string, number>, c.runs),
  };
}

const clientsOf = (m: Pick<ClientsMatrix, 'cells'>) => [...new Set(m.cells.map((c) => c.client))];
const implsOf = (m: Pick<ClientsMatrix, 'cells'>) => [...new Set(m.cells.map((c) => c.impl))];
const cellOf = (m: Pick<ClientsMatrix, 'cells'>, client: string, impl: string) => m.cells.find((c) => c.client === client && c.impl === impl);

/** The matrix as a terminal table: one block per client model, three lines per broker. */
export function matrixText(m: Pick<ClientsMatrix, 'cells'>): string {
  const out: string[] = [];
  const width = Math.max(6, ...implsOf(m).map((i) => inert(i).length));
  const pad = ''.padEnd(width);
  for (const client of clientsOf(m)) {
    out.push(inert(client));
    for (const c of m.cells.filter((x) => x.client === client)) {
      const t = cellText(c);
      out.push(`  ${inert(c.impl).padEnd(width)}  client: ${inert(t.client)}`);
      out.push(`  ${pad}  broker: ${inert(t.broker)}`);
      out.push(`  ${pad}  user saw: ${inert(t.userSaw)}`);
      if (c.hang) for (const l of c.hang.cycle) out.push(`  ${pad}    ${inert(l)}`);
    }
  }
  return out.join('\n') + '\n';
}

/**
 * The matrix as Markdown: a table (rows: client models; columns: brokers), then per cell with a
 * hang its cycle, then the replay token of each cell that has something to show.
 */
export function matrixMarkdown(m: ClientsMatrix): string {
  const impls = implsOf(m);
  const out = ['## wbemsim clients', '', `${clientsOf(m).length} client models × ${impls.length} brokers, ${m.runs} schedules per cell. Client findings are about the client: they never change a broker's verdict.`, ''];
  out.push(`| client model | ${impls.map((i) => md(i)).join(' | ')} |`, `| --- | ${impls.map(() => '---').join(' | ')} |`);
  for (const client of clientsOf(m)) {
    const row = impls.map((impl) => {
      const c = cellOf(m, client, impl);
      if (!c) return '';
      const t = cellText(c);
      return `client: ${md(t.client)}<br>broker: ${md(t.broker)}<br>user saw: ${md(t.userSaw)}`;
    });
    out.push(`| **${md(client)}** | ${row.join(' | ')} |`);
  }
  out.push('');
  const hangs = m.cells.filter((c) => c.hang);
  if (hangs.length) {
    out.push('### Hangs', '');
    for (const c of hangs) {
      out.push(`- **${md(c.client)}** against **${md(c.impl)}** (seed ${c.hang!.seed}):`);
      for (const l of c.hang!.cycle) out.push(`  - ${md(l)}`);
    }
    out.push('');
  }
  const replays = m.cells.filter((c) => c.replay);
  if (replays.length) {
    out.push('<details><summary>Replay tokens (per cell: its first run with something to show, else its first run)</summary>', '');
    for (const c of replays) out.push(`- ${md(c.client)} × ${md(c.impl)}: \`${mdCode(`wbemsim replay ${c.replay}`)}\``);
    out.push('', '</details>', '');
  }
  return out.join('\n');
}

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1d1d1f;background:#f6f7f9}
main{max-width:1600px;margin:0 auto;padding:20px 28px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:16px 0 6px}
table.matrix{border-collapse:collapse;font-size:13px;background:#fff}
table.matrix td,table.matrix th{border:1px solid #d8dce2;padding:6px 8px;text-align:left;vertical-align:top}
table.matrix th.client{white-space:nowrap}
.rule{font-family:ui-monospace,SFMono-Regular,Menlo,monospace}
.k{color:#57606a}.none{color:#8c959f}
td.problem{background:#fff5f5}
pre{background:#f0f2f4;padding:6px 8px;border-radius:4px;white-space:pre-wrap;word-break:break-all;margin:4px 0;font-size:12px}
ul.cycle{margin:4px 0;padding-left:18px}
.facts li{margin:2px 0}
`;

function cellHtml(c: MatrixCell): string {
  const t = cellText(c);
  const line = (k: string, v: string) => `<div><span class="k">${k}:</span> <span class="${v === '-' ? 'none' : 'rule'}">${html(v)}</span></div>`;
  const hang = c.hang ? `<div class="hang"><span class="k">hang (seed ${html(c.hang.seed)}):</span><ul class="cycle">${c.hang.cycle.map((l) => `<li>${html(l)}</li>`).join('')}</ul></div>` : '';
  const replay = c.replay ? `<details class="replay"><summary>replay</summary><pre>${html(`wbemsim replay ${c.replay}`)}</pre></details>` : '';
  const problem = t.client !== '-' || t.broker !== '-' || t.userSaw !== '-';
  return `<td class="cell${problem ? ' problem' : ''}" data-client="${html(c.client)}" data-impl="${html(c.impl)}">${line('client', t.client)}${line('broker', t.broker)}${line('user saw', t.userSaw)}${hang}${replay}</td>`;
}

/** The matrix as one self-contained HTML page (inline CSS; no script, no network, no font). */
export function matrixHtml(m: ClientsMatrix): string {
  const impls = implsOf(m);
  const rows = clientsOf(m).map((client) => `<tr><th class="client">${html(client)}</th>${impls.map((impl) => {
    const c = cellOf(m, client, impl);
    return c ? cellHtml(c) : '<td></td>';
  }).join('')}</tr>`).join('\n');
  const facts = m.clients.map((c) => `<li><b>${html(c.name)}</b>: ${html(c.title)}<ul>${c.facts.map((f) => `<li>${html(f.kind)}: ${html(f.source)}, ${html(f.what)}</li>`).join('')}</ul></li>`).join('');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>wbemsim clients: ${html(clientsOf(m).length)} client models × ${html(impls.length)} brokers</title><style>${CSS}</style></head>
<body><main>
<h1>wbemsim clients</h1>
<p>${html(clientsOf(m).length)} client models × ${html(impls.length)} brokers, ${html(m.runs)} schedules per cell. Per cell: the client rules with a finding, the broker rules violated (and warned about), and what the library's user saw go wrong, each with its share of runs when not all. Client findings are about the client: they never change a broker's verdict.</p>
<div style="overflow-x:auto"><table class="matrix"><tr><th>client model</th>${impls.map((i) => `<th>${html(i)}</th>`).join('')}</tr>
${rows}</table></div>
<h2>The models and their facts</h2><ul class="facts">${facts}</ul>
<footer><small>format ${html(m.format)} v${html(m.version)}</small></footer>
</main></body></html>
`;
}

export const CLIENTS_REPORT_FILES = ['index.html', 'report.md', 'result.json'] as const;

/** Every rendering of the matrix a report folder holds, by file name. */
export function renderClientsReport(m: ClientsMatrix): Record<(typeof CLIENTS_REPORT_FILES)[number], string> {
  return { 'index.html': matrixHtml(m), 'report.md': matrixMarkdown(m), 'result.json': JSON.stringify(m, null, 2) + '\n' };
}

/** Writes the matrix's report into `dir` (created when missing); returns the paths written. */
export function writeClientsReport(dir: string, m: ClientsMatrix): string[] {
  mkdirSync(dir, { recursive: true });
  return Object.entries(renderClientsReport(m)).map(([name, text]) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  });
}
