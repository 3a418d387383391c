import { OadrError, ResponseCode } from '@oadr-kit/protocol';

/** Stable codes of the security failures; match on these, not on messages. */
export const SecurityErrorCode = {
  SIGNATURE_MISSING: 'OADR_ERR_SEC_SIGNATURE_MISSING',
  SIGNATURE_INVALID: 'OADR_ERR_SEC_SIGNATURE_INVALID',
  REPLAY: 'OADR_ERR_SEC_REPLAY',
  TIMESTAMP_OUT_OF_WINDOW: 'OADR_ERR_SEC_TIMESTAMP_OUT_OF_WINDOW',
  XML_MALFORMED: 'OADR_ERR_SEC_XML_MALFORMED',
  CERT_INVALID: 'OADR_ERR_SEC_CERT_INVALID',
  CERT_KEY_USAGE: 'OADR_ERR_SEC_CERT_KEY_USAGE',
  CERT_UNTRUSTED: 'OADR_ERR_SEC_CERT_UNTRUSTED',
  CERT_EXPIRED: 'OADR_ERR_SEC_CERT_EXPIRED',
  NO_CLIENT_CERT: 'OADR_ERR_SEC_NO_CLIENT_CERT',
  FINGERPRINT_MISMATCH: 'OADR_ERR_SEC_FINGERPRINT_MISMATCH',
  TLS_HANDSHAKE: 'OADR_ERR_SEC_TLS_HANDSHAKE',
} as const;

export type SecurityErrorCode = (typeof SecurityErrorCode)[keyof typeof SecurityErrorCode];

/**
 * What a server answers for each failure. Identity and signature failures are 463 inside an
 * oadrResponse (what other 2.0b stacks send); where the request cannot be answered in OpenADR terms
 * (no usable TLS identity) the HTTP status is 403, as CHECKLIST §2.2 records.
 */
export const SECURITY_ERROR_ANSWERS: Readonly<Record<SecurityErrorCode, { httpStatus: number; responseCode: ResponseCode }>> = {
  OADR_ERR_SEC_SIGNATURE_MISSING: { httpStatus: 403, responseCode: ResponseCode.NOT_REGISTERED_OR_AUTHORIZED },
  OADR_ERR_SEC_SIGNATURE_INVALID: { httpStatus: 403, responseCode: ResponseCode.NOT_REGISTERED_OR_AUTHORIZED },
  OADR_ERR_SEC_REPLAY: { httpStatus: 403, responseCode: ResponseCode.NOT_REGISTERED_OR_AUTHORIZED },
  OADR_ERR_SEC_TIMESTAMP_OUT_OF_WINDOW: { httpStatus: 403, responseCode: ResponseCode.NOT_REGISTERED_OR_AUTHORIZED },
  OADR_ERR_SEC_XML_MALFORMED: { httpStatus: 400, responseCode: ResponseCode.INVALID_DATA },
  OADR_ERR_SEC_CERT_INVALID: { httpStatus: 403, responseCode: ResponseCode.NOT_REGISTERED_OR_AUTHORIZED },
  OADR_ERR_SEC_CERT_KEY_USAGE: { httpStatus: 403, responseCode: ResponseCode.NOT_REGISTERED_OR_AUTHORIZED },
  OADR_ERR_SEC_CERT_UNTRUSTED: { httpStatus: 403, responseCode: ResponseCode.NOT_REGISTERED_OR_AUTHORIZED },
  OADR_ERR_SEC_CERT_EXPIRED: { httpStatus: 403, responseCode: ResponseCode.NOT_REGISTERED_OR_AUTHORIZED },
  OADR_ERR_SEC_NO_CLIENT_CERT: { httpStatus: 403, responseCode: ResponseCode.NOT_REGISTERED_OR_AUTHORIZED },
  OADR_ERR_SEC_FINGERPRINT_MISMATCH: { httpStatus: 403, responseCode: ResponseCode.NOT_REGISTERED_OR_AUTHORIZED },
  OADR_ERR_SEC_TLS_HANDSHAKE: { httpStatus: 403, responseCode: ResponseCode.NOT_REGISTERED_OR_AUTHORIZED },
};

/**
 * A peer failed a security check: a certificate, a TLS handshake, an XML signature or its replay
 * protection. Carries the answer a server gives (`httpStatus`, `responseCode`).
 */
export class SecurityError extends OadrError {
  declare readonly code: SecurityErrorCode;
  readonly httpStatus: number;
  readonly responseCode: ResponseCode;

  constructor(code: SecurityErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.httpStatus = SECURITY_ERROR_ANSWERS[code].httpStatus;
    this.responseCode = SECURITY_ERROR_ANSWERS[code].responseCode;
  }
}
