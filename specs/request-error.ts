/**
 * HRESULTs that describe the request itself (bad query, bad parameter, no such object or method,
 * a namespace or operation the caller may not use): a call failing with one was not refused
 * because of other calls (OVERLAPPING-/SEQUENTIAL-CALLS-ACCEPTED). WBEM_E_FAILED, the code of a
 * refusal for a busy object, and the codes of a broker in trouble (out of memory, provider
 * failures) are not among them.
 */
import { WBEM_E_ACCESS_DENIED, WBEM_E_INVALID_PARAMETER, WBEM_E_INVALID_QUERY, WBEM_E_NOT_FOUND } from '../trace/hresult.ts';

const WBEM_E_NOT_SUPPORTED = 0x8004100c;
const WBEM_E_INVALID_SUPERCLASS = 0x8004100d;
const WBEM_E_INVALID_NAMESPACE = 0x8004100e;
const WBEM_E_INVALID_OBJECT = 0x8004100f;
const WBEM_E_INVALID_CLASS = 0x80041010;
const WBEM_E_INVALID_QUERY_TYPE = 0x80041018;
const WBEM_E_INVALID_METHOD = 0x8004102e;
const WBEM_E_INVALID_METHOD_PARAMETERS = 0x8004102f;
const WBEM_E_INVALID_OBJECT_PATH = 0x8004103a;

const REQUEST_ERRORS = new Set([
  WBEM_E_INVALID_PARAMETER, WBEM_E_INVALID_QUERY, WBEM_E_NOT_FOUND, WBEM_E_INVALID_CLASS, WBEM_E_ACCESS_DENIED, WBEM_E_NOT_SUPPORTED,
  WBEM_E_INVALID_SUPERCLASS, WBEM_E_INVALID_NAMESPACE, WBEM_E_INVALID_OBJECT, WBEM_E_INVALID_QUERY_TYPE, WBEM_E_INVALID_METHOD,
  WBEM_E_INVALID_METHOD_PARAMETERS, WBEM_E_INVALID_OBJECT_PATH,
]);

/** True when `hr` blames the request, not the broker's state. */
export function isRequestError(hr: number): boolean {
  return REQUEST_ERRORS.has(hr >>> 0);
}
