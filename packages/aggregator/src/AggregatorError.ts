const BRAND = Symbol.for('oadr-kit.AggregatorError');

/** Stable codes of the errors the aggregator throws; match on these, not on messages. */
export const AggregatorErrorCode = {
  INVALID_PARAMETER: 'OADR_ERR_AGG_INVALID_PARAMETER',
  INFEASIBLE: 'OADR_ERR_AGG_INFEASIBLE',
  UNKNOWN_DEVICE_KIND: 'OADR_ERR_AGG_UNKNOWN_DEVICE_KIND',
  INVALID_NETWORK: 'OADR_ERR_AGG_INVALID_NETWORK',
  INVALID_OPTION: 'OADR_ERR_AGG_INVALID_OPTION',
  UNKNOWN_ID: 'OADR_ERR_AGG_UNKNOWN_ID',
  INVALID_PROFILE: 'OADR_ERR_AGG_INVALID_PROFILE',
  INVALID_INSTANCE: 'OADR_ERR_AGG_INVALID_INSTANCE',
  WORKER_FAILED: 'OADR_ERR_AGG_WORKER_FAILED',
} as const;

export type AggregatorErrorCode = (typeof AggregatorErrorCode)[keyof typeof AggregatorErrorCode];

/**
 * Every error of the aggregator. `deviceId` names the device (or net) at fault and `field` the
 * parameter, when there is one; both also appear in the message so logs alone are enough.
 */
export class AggregatorError extends Error {
  readonly code: AggregatorErrorCode;
  readonly deviceId: string | undefined;
  readonly field: string | undefined;

  constructor(code: AggregatorErrorCode, message: string, options?: { deviceId?: string; field?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.name = 'AggregatorError';
    this.deviceId = options?.deviceId;
    this.field = options?.field;
    Object.defineProperty(this, BRAND, { value: true });
  }

  // A brand check keeps instanceof working across duplicate installs and jest module registries.
  static override [Symbol.hasInstance](instance: unknown): boolean {
    return typeof instance === 'object' && instance !== null && (instance as Record<symbol, unknown>)[BRAND] === true;
  }
}

export function invalidParameter(deviceId: string, field: string, problem: string): AggregatorError {
  return new AggregatorError(AggregatorErrorCode.INVALID_PARAMETER, `device "${deviceId}": ${field} ${problem}`, { deviceId, field });
}

export function infeasible(deviceId: string, problem: string, field?: string): AggregatorError {
  return new AggregatorError(AggregatorErrorCode.INFEASIBLE, `device "${deviceId}" is infeasible: ${problem}`, {
    deviceId,
    ...(field === undefined ? {} : { field }),
  });
}
