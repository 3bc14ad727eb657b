/**
 * Writes a report folder: `index.html`, `report.md`, `result.json` and `junit.xml`, all rendered
 * from one ReportResult.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ReportResult } from './report-result.ts';
import { renderHtml } from './html.ts';
import { renderMarkdown } from './markdown.ts';
import { renderJunit } from './junit.ts';

export const REPORT_FILES = ['index.html', 'report.md', 'result.json', 'junit.xml'] as const;

/** Every rendering of the result, by file name. */
export function renderAll(r: ReportResult): Record<(typeof REPORT_FILES)[number], string> {
  return { 'index.html': renderHtml(r), 'report.md': renderMarkdown(r), 'result.json': JSON.stringify(r, null, 2) + '\n', 'junit.xml': renderJunit(r) };
}

/** Writes the report into `dir` (created when missing); returns the paths written. */
export function writeReport(dir: string, r: ReportResult): string[] {
  mkdirSync(dir, { recursive: true });
  const files = renderAll(r);
  return Object.entries(files).map(([name, text]) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  });
}
