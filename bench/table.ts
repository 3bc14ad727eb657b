/**
 * One benchmark table: a title, column names, rows of cells and notes. The same value is printed
 * as aligned text and stored in results.json, so the printed and the recorded figures never differ.
 */

/** A cell: a number (printed with thousands separators) or text. */
export type Cell = number | string;

export interface Table {
  /** Short stable key in results.json (`throughput`, `alternative`, ...). */
  key: string;
  title: string;
  columns: string[];
  rows: Cell[][];
  /** What was measured and how, what was not: printed under the table. */
  notes: string[];
}

function show(c: Cell): string {
  if (typeof c === 'string') return c;
  if (!Number.isFinite(c)) return String(c);
  if (Number.isInteger(c)) return c.toLocaleString('en-US');
  return Math.abs(c) >= 100 ? Math.round(c).toLocaleString('en-US') : String(Number(c.toPrecision(3)));
}

/** The table as aligned text: numbers right-aligned, text left-aligned. */
export function formatTable(t: Table): string {
  const cells = [t.columns, ...t.rows.map((r) => r.map(show))];
  const widths = t.columns.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  // A column is numeric (right-aligned) when every non-empty cell is a number.
  const numeric = t.columns.map((_, i) => t.rows.some((r) => typeof r[i] === 'number') && t.rows.every((r) => typeof r[i] === 'number' || r[i] === '' || r[i] === undefined));
  const line = (r: string[]) => r.map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  const out = [`## ${t.title}`, '', line(t.columns), widths.map((w) => '-'.repeat(w)).join('  ')];
  for (const r of cells.slice(1)) out.push(line(r));
  for (const n of t.notes) out.push(`  · ${n}`);
  return out.join('\n');
}

/** The table as JSON rows keyed by column name, for results.json. */
export function tableJson(t: Table): { title: string; columns: string[]; rows: Record<string, Cell>[]; notes: string[] } {
  return { title: t.title, columns: t.columns, rows: t.rows.map((r) => Object.fromEntries(t.columns.map((c, i) => [c, r[i] ?? '']))), notes: t.notes };
}
