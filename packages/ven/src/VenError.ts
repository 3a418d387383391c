import { OadrError } from '@oadr-kit/protocol';

/** Stable codes of the errors the VEN raises or reports through its `error` event; match on these. */
export const VenErrorCode = {
  /** An option given to the constructor is missing, of the wrong type or out of range (`field` names it). */
  OPTIONS_INVALID: 'OADR_ERR_VEN_OPTIONS_INVALID',
  /** The VTN could not be reached: connection refused or reset, DNS, TLS handshake. */
  TRANSPORT: 'OADR_ERR_VEN_TRANSPORT',
  /** TLS with the VTN failed, typically its certificate is untrusted or expired (the cause is a SecurityError). */
  TLS: 'OADR_ERR_VEN_TLS',
  /** The VTN did not answer within `requestTimeoutMs`. */
  TIMEOUT: 'OADR_ERR_VEN_TIMEOUT',
  /** The VTN answered with an HTTP status other than 200. */
  HTTP_STATUS: 'OADR_ERR_VEN_HTTP_STATUS',
  /** The VTN answered with bytes that are not a valid 2.0b payload (the cause is the protocol error). */
  BAD_PAYLOAD: 'OADR_ERR_VEN_BAD_PAYLOAD',
  /** The VTN answered with a message type that does not belong to the request. */
  UNEXPECTED_MESSAGE: 'OADR_ERR_VEN_UNEXPECTED_MESSAGE',
  /** The VTN answered with an OpenADR error response code (`responseCode` holds it). */
  RESPONSE_CODE: 'OADR_ERR_VEN_RESPONSE_CODE',
  /** The VTN presented a vtnID other than the one this VEN registered with. */
  VTN_ID_CHANGED: 'OADR_ERR_VEN_VTN_ID_CHANGED',
  /** The VTN's clock differs from ours by more than `maxClockSkewMs`. */
  CLOCK_SKEW: 'OADR_ERR_VEN_CLOCK_SKEW',
  /** An event from the VTN was refused (unknown signal, impossible intervals, stale modification). */
  EVENT_REFUSED: 'OADR_ERR_VEN_EVENT_REFUSED',
  /** An application handler threw, rejected or did not answer within `handlerTimeoutMs`. */
  HANDLER_FAILED: 'OADR_ERR_VEN_HANDLER_FAILED',
  /** The state file could not be read or written. */
  STORE_FAILED: 'OADR_ERR_VEN_STORE_FAILED',
  /** A call that needs registration was made while the VEN is not registered. */
  NOT_REGISTERED: 'OADR_ERR_VEN_NOT_REGISTERED',
  /** The push listener refused an incoming request (unauthenticated peer, wrong path, bad payload). */
  PUSH_REFUSED: 'OADR_ERR_VEN_PUSH_REFUSED',
  /** An event cannot become a device schedule (no signal to act on, open-ended, devices of another horizon). */
  SCHEDULE_IMPOSSIBLE: 'OADR_ERR_VEN_SCHEDULE_IMPOSSIBLE',
} as const;

export type VenErrorCode = (typeof VenErrorCode)[keyof typeof VenErrorCode];

/** An error of the VEN library. `field` names the bad option, `responseCode` the VTN's OpenADR code. */
export class VenError extends OadrError {
  declare readonly code: VenErrorCode;
  readonly field: string | undefined;
  readonly responseCode: string | undefined;
  readonly httpStatus: number | undefined;

  constructor(
    code: VenErrorCode,
    message: string,
    options: { cause?: unknown; field?: string; responseCode?: string; httpStatus?: number } = {},
  ) {
    super(code, message, options.cause === undefined ? undefined : { cause: options.cause });
    this.field = options.field;
    this.responseCode = options.responseCode;
    this.httpStatus = options.httpStatus;
  }
}
