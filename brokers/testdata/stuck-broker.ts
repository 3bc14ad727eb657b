/**
 * A module broker that never returns from its first input (a busy loop), for the interrupt
 * tests: it writes its process id to the file named by WBEMSIM_TEST_READY_FILE just before it
 * gets stuck. Nothing polls a stop request inside it, so only ending its thread stops it.
 */
import { writeFileSync } from 'node:fs';
import type { BrokerInput, BrokerOutput } from '../../sim/broker-adapter.ts';
import { ReferenceBroker } from '../reference-broker.ts';

class StuckBroker extends ReferenceBroker {
  override input(msg: BrokerInput): BrokerOutput[] {
    const file = process.env.WBEMSIM_TEST_READY_FILE;
    if (file) writeFileSync(file, `${process.pid}\n`);
    for (;;) {
      // Busy for good.
    }
    return super.input(msg);
  }
}

export function createBroker(): ReferenceBroker {
  return new StuckBroker();
}
