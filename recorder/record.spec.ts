/**
 * How `wbemsim record` runs one scenario's process, with stand-ins for the recorder (shell
 * scripts run as the native recorder): a helper process that outlives it and keeps its output
 * open, as Wine's do, must not hold the harness; a process without a trace runs once more; a
 * scenario the broker cannot run is reported with the recorder's reason.
 */
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { recordScenario } from './record.ts';

const HEADER = '{"seq":0,"type":"header","format":"wbemsim-trace","version":2,"recorder":"recorder","broker":{"name":"x","version":"1"},"inProcess":true,"whiteBox":false}';

function script(body: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'wbemsim-fake-recorder-'));
  const path = join(dir, 'recorder.sh');
  writeFileSync(path, `#!/bin/sh\n${body.replaceAll('$DIR', dir)}\n`);
  chmodSync(path, 0o755);
  return path;
}

describe.skipIf(process.platform === 'win32')('recording one scenario', () => {
  it('returns when the recorder exits, although a helper it started still holds its output open', async () => {
    const exe = script(`echo '${HEADER}'\nsleep 20 &\nexit 0`);
    const started = Date.now();
    const r = await recordScenario(exe, 'query-complete', 'native');
    expect(r.status).toBe('recorded');
    expect(r.trace!.startsWith(HEADER)).toBe(true);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('runs a process that gave no trace once more', async () => {
    const exe = script(`if [ -f $DIR/ran ]; then echo '${HEADER}'; exit 0; fi\ntouch $DIR/ran\necho 'wine: something went wrong' >&2\nexit 1`);
    const r = await recordScenario(exe, 'query-complete', 'native');
    expect(r.status).toBe('recorded');
  });

  it('says failed, with the last line of stderr, when the second run gives no trace either', async () => {
    const exe = script(`echo 'wine: something went wrong' >&2\nexit 1`);
    const r = await recordScenario(exe, 'query-complete', 'native');
    expect(r).toMatchObject({ status: 'failed', reason: 'the recorder exited 1 without a trace; stderr: wine: something went wrong (twice)' });
  });

  it('reports a scenario the broker cannot run (exit 3) with the recorder\'s reason', async () => {
    const exe = script(`echo 'recorder: unsecured-apartment: IUnsecuredApartment is not available (CoCreateInstance 0x80040154)' >&2\nexit 3`);
    const r = await recordScenario(exe, 'unsecured-apartment', 'native');
    expect(r).toMatchObject({ status: 'unavailable', reason: 'unsecured-apartment: IUnsecuredApartment is not available (CoCreateInstance 0x80040154)' });
  });
});
