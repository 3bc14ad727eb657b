/**
 * CANCEL-DOES-NOT-WAIT-FOR-FINAL (should, broker). [MS-WMI] 3.1.4.3.2: no waiting for the client,
 * here a sink held in a final SetStatus (the WBEM_E_CALL_CANCELLED one, or a race-winning final).
 * A should until Windows' own behaviour is recorded.
 */
import { cancelWaitCheck } from './cancel-wait-verdict.ts';

/** The check of CANCEL-DOES-NOT-WAIT-FOR-FINAL. */
export const cancelDoesNotWaitForFinal = cancelWaitCheck('CANCEL-DOES-NOT-WAIT-FOR-FINAL', {
  saw: (k) => k.sawHeldFinal,
  pick: (w) => w.cb.kind === 'final',
  what: 'final SetStatus',
});
