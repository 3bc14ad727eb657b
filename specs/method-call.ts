/** Whether a call is served by a method provider (ExecMethodAsync), which cancellation never reaches (000). */
import type { CallRec } from './records.ts';

/** True for ExecMethodAsync calls and calls whose provider says it is a method provider. */
export function isMethodCall(c: CallRec): boolean {
  return c.op === 'ExecMethodAsync' || c.provider?.kind === 'method';
}
