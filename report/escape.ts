/**
 * Escaping for the markup renderers. Every string that came from a trace, a workload or an
 * implementation goes through `html` (HTML, SVG, XML) or `md` (Markdown) on its way out, so that
 * a trace holding `<script>` renders as text. Control characters are made visible first (inert).
 */
import { inert } from './inert.ts';

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text for HTML, SVG or XML content and attribute values. */
export function html(text: string | number): string {
  return inert(String(text)).replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

/**
 * Text for Markdown outside code: HTML-escaped (GitHub renders inline HTML), and the characters
 * that would start emphasis, links, tables or code escaped with a backslash.
 */
export function md(text: string | number): string {
  return html(text).replace(/[\\`*_{}[\]()#+!|~]/g, (c) => `\\${c}`);
}

/** Text for inside a Markdown code span or block: no backtick can close it. */
export function mdCode(text: string): string {
  return inert(text).replace(/`/g, "'");
}
