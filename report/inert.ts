/**
 * Untrusted text made inert for a terminal. Ids, workload names and explanations come from
 * traces and workloads, and stderr from a broker process: any of them may hold escape sequences
 * (`\x1b[2K` erases the line it is printed on, `\r` rewinds it) or bidirectional overrides that
 * make a line read differently from what it holds. Every text printer passes such strings through
 * these two functions at the output boundary; JSON output needs neither (JSON.stringify already
 * writes every control character as an escape).
 */

// C0 controls, DEL, C1 controls, and the Unicode bidirectional embeddings, overrides and isolates.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const UNSAFE_BUT_NEWLINE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

function escape(ch: string): string {
  const code = ch.charCodeAt(0);
  if (ch === '\n') return '\\n';
  if (ch === '\r') return '\\r';
  if (ch === '\t') return '\\t';
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** One line of untrusted text: every control character, newlines included, written as an escape. */
export function inert(text: string): string {
  return text.replace(UNSAFE, escape);
}

/** Untrusted text of several lines (a broker's stderr): newlines and tabs kept, every other control character escaped. */
export function inertLines(text: string): string {
  return text.replace(UNSAFE_BUT_NEWLINE, escape);
}
