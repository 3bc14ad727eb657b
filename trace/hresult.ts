/**
 * HRESULTs and flags named by RULES.md ("Error codes and flags referred to"). In traces an
 * HRESULT is an unsigned 32-bit integer (0x80041032 is 2147749938).
 */
export const S_OK = 0x00000000;
export const WBEM_S_NO_ERROR = 0x00000000;
export const S_FALSE = 0x00000001;
export const WBEM_S_NEW_STYLE = 0x000400ff;
export const WBEM_E_FAILED = 0x80041001;
export const WBEM_E_NOT_FOUND = 0x80041002;
export const WBEM_E_ACCESS_DENIED = 0x80041003;
export const WBEM_E_OUT_OF_MEMORY = 0x80041006;
export const WBEM_E_INVALID_PARAMETER = 0x80041008;
export const WBEM_E_NOT_AVAILABLE = 0x80041009;
export const WBEM_E_TRANSPORT_FAILURE = 0x80041015;
export const WBEM_E_INVALID_QUERY = 0x80041017;
export const WBEM_E_CALL_CANCELLED = 0x80041032;
export const REGDB_E_CLASSNOTREG = 0x80040154;
export const RPC_E_DISCONNECTED = 0x80010108;

/** SetStatus lFlags. */
export const WBEM_STATUS_COMPLETE = 0x0;
export const WBEM_STATUS_PROGRESS = 0x2;
export const WBEM_STATUS_REQUIREMENTS = 0x1;
/** Call flag asking for progress statuses. */
export const WBEM_FLAG_SEND_STATUS = 0x80;

/** A failure HRESULT has its severity bit set; success codes such as S_FALSE are not failures. */
export function failed(hr: number): boolean {
  return (hr >>> 31) === 1;
}

const NAMES: Record<number, string> = {
  [S_OK]: 'S_OK',
  [S_FALSE]: 'S_FALSE',
  [WBEM_S_NEW_STYLE]: 'WBEM_S_NEW_STYLE',
  [WBEM_E_FAILED]: 'WBEM_E_FAILED',
  [WBEM_E_NOT_FOUND]: 'WBEM_E_NOT_FOUND',
  [WBEM_E_ACCESS_DENIED]: 'WBEM_E_ACCESS_DENIED',
  [WBEM_E_OUT_OF_MEMORY]: 'WBEM_E_OUT_OF_MEMORY',
  [WBEM_E_INVALID_PARAMETER]: 'WBEM_E_INVALID_PARAMETER',
  [WBEM_E_NOT_AVAILABLE]: 'WBEM_E_NOT_AVAILABLE',
  [WBEM_E_TRANSPORT_FAILURE]: 'WBEM_E_TRANSPORT_FAILURE',
  [WBEM_E_INVALID_QUERY]: 'WBEM_E_INVALID_QUERY',
  [WBEM_E_CALL_CANCELLED]: 'WBEM_E_CALL_CANCELLED',
  [REGDB_E_CLASSNOTREG]: 'REGDB_E_CLASSNOTREG',
  [RPC_E_DISCONNECTED]: 'RPC_E_DISCONNECTED',
};

/** `WBEM_E_CALL_CANCELLED (0x80041032)`, or the hex value alone when the code has no name here. */
export function hrName(hr: number): string {
  const hex = '0x' + (hr >>> 0).toString(16).padStart(8, '0');
  const name = NAMES[hr >>> 0];
  return name ? `${name} (${hex})` : hex;
}
