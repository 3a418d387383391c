import { ResponseCode } from './responseCodes.js';

const BRAND = Symbol.for('oadr-kit.OadrError');

/**
 * Root of every error oadr-kit throws. Match on `code`, which is stable across versions; `instanceof`
 * works too, even across duplicate installs and jest module registries, because it checks a brand.
 */
export class OadrError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
    Object.defineProperty(this, BRAND, { value: true });
  }

  static override [Symbol.hasInstance](instance: unknown): boolean {
    if (this === OadrError) {
      return typeof instance === 'object' && instance !== null && (instance as Record<symbol, unknown>)[BRAND] === true;
    }
    return Function.prototype[Symbol.hasInstance].call(this, instance);
  }
}

/** The caller passed something invalid (for example a payload that does not validate before encoding). */
export class OadrInvalidArgumentError extends OadrError {
  /** The element or field at fault, as a path of qualified names, when one is known. */
  readonly element: string | undefined;

  constructor(code: string, message: string, options?: { element?: string; cause?: unknown }) {
    super(code, message, options);
    this.element = options?.element;
  }
}

/** Stable codes of the errors a peer's bytes can cause, with what a server answers for each. */
export const ProtocolErrorCode = {
  XML_TOO_LARGE: 'OADR_ERR_XML_TOO_LARGE',
  XML_MALFORMED: 'OADR_ERR_XML_MALFORMED',
  XML_DTD_FORBIDDEN: 'OADR_ERR_XML_DTD_FORBIDDEN',
  XML_UNKNOWN_ROOT: 'OADR_ERR_XML_UNKNOWN_ROOT',
  XML_WRONG_NAMESPACE: 'OADR_ERR_XML_WRONG_NAMESPACE',
  MESSAGE_UNKNOWN: 'OADR_ERR_MESSAGE_UNKNOWN',
  SCHEMA_VERSION_UNSUPPORTED: 'OADR_ERR_SCHEMA_VERSION_UNSUPPORTED',
  ELEMENT_MISSING: 'OADR_ERR_ELEMENT_MISSING',
  ELEMENT_UNEXPECTED: 'OADR_ERR_ELEMENT_UNEXPECTED',
  VALUE_INVALID: 'OADR_ERR_VALUE_INVALID',
  DURATION_INVALID: 'OADR_ERR_DURATION_INVALID',
  DATETIME_INVALID: 'OADR_ERR_DATETIME_INVALID',
} as const;

export type ProtocolErrorCode = (typeof ProtocolErrorCode)[keyof typeof ProtocolErrorCode];

/** What a server sends back for each protocol error: an HTTP status and an OpenADR response code. */
export const PROTOCOL_ERROR_ANSWERS: Readonly<Record<ProtocolErrorCode, { httpStatus: number; responseCode: ResponseCode }>> = {
  OADR_ERR_XML_TOO_LARGE: { httpStatus: 413, responseCode: ResponseCode.INVALID_DATA },
  OADR_ERR_XML_MALFORMED: { httpStatus: 400, responseCode: ResponseCode.INVALID_DATA },
  OADR_ERR_XML_DTD_FORBIDDEN: { httpStatus: 400, responseCode: ResponseCode.INVALID_DATA },
  OADR_ERR_XML_UNKNOWN_ROOT: { httpStatus: 400, responseCode: ResponseCode.NOT_RECOGNIZED },
  OADR_ERR_XML_WRONG_NAMESPACE: { httpStatus: 400, responseCode: ResponseCode.NOT_RECOGNIZED },
  OADR_ERR_MESSAGE_UNKNOWN: { httpStatus: 400, responseCode: ResponseCode.NOT_RECOGNIZED },
  OADR_ERR_SCHEMA_VERSION_UNSUPPORTED: { httpStatus: 400, responseCode: ResponseCode.COMPLIANCE_ERROR },
  OADR_ERR_ELEMENT_MISSING: { httpStatus: 400, responseCode: ResponseCode.INVALID_DATA },
  OADR_ERR_ELEMENT_UNEXPECTED: { httpStatus: 400, responseCode: ResponseCode.INVALID_DATA },
  OADR_ERR_VALUE_INVALID: { httpStatus: 400, responseCode: ResponseCode.INVALID_DATA },
  OADR_ERR_DURATION_INVALID: { httpStatus: 400, responseCode: ResponseCode.INVALID_DATA },
  OADR_ERR_DATETIME_INVALID: { httpStatus: 400, responseCode: ResponseCode.INVALID_DATA },
};

/**
 * The peer sent bytes that are not a valid 2.0b payload. Carries the element at fault and the answer a
 * server gives: `httpStatus` where the message cannot be answered in OpenADR terms at all, otherwise
 * an oadrResponse with `responseCode`.
 */
export class OadrProtocolError extends OadrError {
  declare readonly code: ProtocolErrorCode;
  /** The element at fault, as a path of qualified names (e.g. `oadr:oadrEvent[0]/ei:eiEvent/ei:eventDescriptor`). */
  readonly element: string | undefined;
  readonly httpStatus: number;
  readonly responseCode: ResponseCode;

  constructor(code: ProtocolErrorCode, message: string, options?: { element?: string; cause?: unknown }) {
    super(code, message, options);
    this.element = options?.element;
    this.httpStatus = PROTOCOL_ERROR_ANSWERS[code].httpStatus;
    this.responseCode = PROTOCOL_ERROR_ANSWERS[code].responseCode;
  }
}
