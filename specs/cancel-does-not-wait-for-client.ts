/**
 * CANCEL-DOES-NOT-WAIT-FOR-CLIENT (must). [MS-WMI] 3.1.4.3.2: the broker "MUST NOT wait for any
 * response from the client". Convicted by holding (item 4): a cancel that returns only after the
 * watchdog released a held Indicate or progress SetStatus (of any call), or never, waited
 * (worked examples B and D).
 */
import { cancelWaitCheck } from './cancel-wait-verdict.ts';

/** The check of CANCEL-DOES-NOT-WAIT-FOR-CLIENT. */
export const cancelDoesNotWaitForClient = cancelWaitCheck('CANCEL-DOES-NOT-WAIT-FOR-CLIENT', {
  saw: (k) => k.sawHeld,
  pick: (w) => w.cb.kind !== 'final',
  what: 'Indicate or progress',
});
