/**
 * HRESULTs that describe the request itself (bad query, bad parameter, no such object): a call
 * failing with one was not refused because of other calls (OVERLAPPING-/SEQUENTIAL-CALLS-ACCEPTED).
 */
import { WBEM_E_INVALID_PARAMETER, WBEM_E_INVALID_QUERY, WBEM_E_NOT_FOUND } from '../trace/hresult.ts';

const WBEM_E_INVALID_CLASS = 0x80041010;
const REQUEST_ERRORS = new Set([WBEM_E_INVALID_PARAMETER, WBEM_E_INVALID_QUERY, WBEM_E_NOT_FOUND, WBEM_E_INVALID_CLASS]);

/** True when `hr` blames the request, not the broker's state. */
export function isRequestError(hr: number): boolean {
  return REQUEST_ERRORS.has(hr >>> 0);
}
