/**
 * The reference broker, which also writes its thread's process id to the file named by
 * WBEMSIM_TEST_READY_FILE when the harness makes it: for the interrupt tests, the sign that an
 * in-process campaign has started (`--impl module:brokers/testdata/ready-reference-broker.ts`).
 */
import { writeFileSync } from 'node:fs';
import { ReferenceBroker } from '../reference-broker.ts';

export function createBroker(): ReferenceBroker {
  const file = process.env.WBEMSIM_TEST_READY_FILE;
  if (file) writeFileSync(file, `${process.pid}\n`);
  return new ReferenceBroker();
}
