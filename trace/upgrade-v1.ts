/**
 * Reads a version-1 trace as version 2. Version 1 logged the client's release of an IWbemServices
 * object as one event, `services.release`; version 2 logs Release entered and returned, since a
 * broker may finish its calls before the release returns. A version-1 release reads as both
 * halves at the same `seq` (an instantaneous release), so findings still cite the file's lines.
 * Every other version-1 event is already a version-2 event.
 */
import type { TraceLine } from './event.ts';

/** The version-2 lines that one validated line of a version-`version` trace reads as. */
export function upgradeLine(line: TraceLine, version: number): TraceLine[] {
  if (version !== 1) return [line];
  const o = line as unknown as { type: string; seq: number; services?: string; t?: number; thread?: string };
  if (o.type !== 'services.release') return [line];
  const common = { seq: o.seq, services: o.services!, ...(o.t !== undefined ? { t: o.t } : {}), ...(o.thread !== undefined ? { thread: o.thread } : {}) };
  return [
    { type: 'services.release.entered', ...common },
    { type: 'services.release.returned', ...common },
  ];
}
