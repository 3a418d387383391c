import { OadrError } from '@oadr-kit/protocol';

/** Stable codes of the VTN's own failures; match on these, not on messages. */
export const VtnErrorCode = {
  CONFIG_INVALID: 'OADR_ERR_VTN_CONFIG_INVALID',
  STORE_FAILED: 'OADR_ERR_VTN_STORE_FAILED',
  NOT_FOUND: 'OADR_ERR_VTN_NOT_FOUND',
  CONFLICT: 'OADR_ERR_VTN_CONFLICT',
  BAD_REQUEST: 'OADR_ERR_VTN_BAD_REQUEST',
  UNAUTHORIZED: 'OADR_ERR_VTN_UNAUTHORIZED',
} as const;

export type VtnErrorCode = (typeof VtnErrorCode)[keyof typeof VtnErrorCode];

const HTTP_STATUS: Record<VtnErrorCode, number> = {
  OADR_ERR_VTN_CONFIG_INVALID: 500,
  OADR_ERR_VTN_STORE_FAILED: 500,
  OADR_ERR_VTN_NOT_FOUND: 404,
  OADR_ERR_VTN_CONFLICT: 409,
  OADR_ERR_VTN_BAD_REQUEST: 400,
  OADR_ERR_VTN_UNAUTHORIZED: 401,
};

/**
 * A failure of the VTN itself or of an admin request. `httpStatus` is what the admin API answers;
 * `details` lists the fields at fault (ajv errors, for example) when there are any.
 */
export class VtnError extends OadrError {
  declare readonly code: VtnErrorCode;
  readonly httpStatus: number;
  readonly details: readonly string[];

  constructor(code: VtnErrorCode, message: string, options?: { details?: readonly string[]; cause?: unknown }) {
    super(code, message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.httpStatus = HTTP_STATUS[code];
    this.details = options?.details ?? [];
  }
}
