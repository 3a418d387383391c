/**
 * OpenADR application response codes (eiResponse/responseCode). They travel inside a normal reply
 * with HTTP 200; HTTP status codes are reserved for transport-level failures.
 */
export const ResponseCode = {
  OK: '200',
  BAD_REQUEST: '400',
  OUT_OF_SEQUENCE: '450',
  NOT_ALLOWED: '451',
  INVALID_ID: '452',
  NOT_RECOGNIZED: '453',
  INVALID_DATA: '454',
  COMPLIANCE_ERROR: '459',
  SIGNAL_NOT_SUPPORTED: '460',
  REPORT_NOT_SUPPORTED: '461',
  TARGET_MISMATCH: '462',
  NOT_REGISTERED_OR_AUTHORIZED: '463',
  DEPLOYMENT_ERROR_OR_OTHER: '469',
} as const;

export type ResponseCode = (typeof ResponseCode)[keyof typeof ResponseCode];

const descriptions: Record<ResponseCode, string> = {
  '200': 'OK',
  '400': 'Bad request',
  '450': 'Out of sequence',
  '451': 'Not allowed',
  '452': 'Invalid ID',
  '453': 'Not recognized',
  '454': 'Invalid data',
  '459': 'Compliance error',
  '460': 'Signal not supported',
  '461': 'Report not supported',
  '462': 'Target mismatch',
  '463': 'Not registered or authorized',
  '469': 'Deployment error or other error',
};

/** A short human description of a response code; the first digit's class for codes outside the table. */
export function describeResponseCode(code: string): string {
  const known = (descriptions as Record<string, string>)[code];
  if (known !== undefined) return known;
  const classes: Record<string, string> = {
    '1': 'Informational',
    '2': 'Success',
    '3': 'Pending',
    '4': 'Requester error',
    '5': 'Responder error',
  };
  return classes[code.charAt(0)] ?? 'Unknown';
}

/** True for any 2xx code: the schema notes that the first digit is enough for coarse handling. */
export function isSuccessCode(code: string): boolean {
  return /^2\d\d$/.test(code);
}
