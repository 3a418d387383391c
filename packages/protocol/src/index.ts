export { checkConformance, type ConformanceContext, type ConformanceFinding } from './conformance/checkConformance.js';
export { eventStatusAt } from './conformance/eventStatus.js';
export { decodePayload, DEFAULT_MAX_BYTES, type DecodedPayload, type DecodeOptions } from './codec/decode.js';
export { checkPayload, encodePayload, type EncodeOptions } from './codec/encode.js';
export { precompileValidators } from './codec/validate.js';
export {
  OadrError,
  OadrInvalidArgumentError,
  OadrProtocolError,
  ProtocolErrorCode,
  PROTOCOL_ERROR_ANSWERS,
} from './errors.js';
export {
  isNegotiationEvent,
  negotiationEvent,
  NEGOTIATION_PENALTY_SIGNAL,
  NEGOTIATION_REPORT_NAME,
  projectionReport,
  readNegotiationEvent,
  readProjectionReport,
  type NegotiationRound,
  type ProjectedProfile,
} from './negotiation.js';
export { NAMESPACES, SERVICES, SERVICE_PATH_PREFIX, type NamespacePrefix, type ServiceName } from './namespaces.js';
export { ResponseCode, describeResponseCode, isSuccessCode } from './responseCodes.js';
export { pushServiceOf, serviceOf } from './services.js';
export { messageJsonSchema, type JsonSchema } from './schema/jsonSchema.js';
export * from './schema/model.js';
export {
  addDuration,
  durationToMs,
  formatDateTime,
  formatDuration,
  isStrictDateTime,
  parseDateTime,
  parseDuration,
  tryParseDateTime,
  tryParseDuration,
  type Duration,
} from './time.js';
