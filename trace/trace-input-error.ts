/**
 * Bad input: a file that cannot be a trace. It carries the 1-based line number
 * (0 when the problem is the file itself) so the CLI can print one clear line and exit 2.
 */
export class TraceInputError extends Error {
  constructor(
    /** 1-based line of the trace file; 0 for the file as a whole (missing, empty). */
    readonly line: number,
    message: string,
  ) {
    super(line > 0 ? `line ${line}: ${message}` : message);
    this.name = 'TraceInputError';
  }
}
