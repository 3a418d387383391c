export { VtnError, VtnErrorCode } from './VtnError.js';
export type * from './store/VtnStore.js';
export { createSqliteStore, type SqliteStoreOptions } from './store/createSqliteStore.js';
export { createPostgresStore, type PostgresStoreOptions } from './store/createPostgresStore.js';
export {
  loadVtnConfig,
  resolveVtnConfig,
  VTN_ENV_VARIABLES,
  VTN_SCHEMA_DIR,
  type LogLevel,
  type StorageConfig,
  type VtnConfig,
  type OfferedReportInput,
  type ReportOnRegistration,
  type VtnConfigInput,
  type VtnEnvVariable,
} from './config.js';
export { createVtnApp, type VtnApp, type VtnOptions, type VtnTlsMaterial } from './createVtnApp.js';
export { startVtn, type RunningVtn } from './startVtn.js';
export { VtnCore, type EventChange, type EventInput, type ReportRequestInput } from './VtnCore.js';
export { LAST_SEEN_FLUSH_MS, LastSeen } from './LastSeen.js';
export { xmlSignatureHooks, type XmlSignatureOptions } from './xmlSignatureHooks.js';
export { OadrServices, SERVICE_MESSAGES, errorReply, type RequestIdentity, type ServiceReply, type SignatureHooks } from './OadrServices.js';
export { Pusher, backoffMs, pushUrl } from './Pusher.js';
export { eventStatus, eventTimes, orderEvents, toOadrEvent, visibleUntil, FOREVER } from './domain/eventLifecycle.js';
export { newVenRecord } from './domain/newVenRecord.js';
export { eventTargetFor, targetsVen } from './domain/targets.js';
export { choosePollAnswer, type PollAnswer } from './domain/pollOrder.js';
export type { VtnMetrics } from './metrics.js';
export { parseVtnArgs, runVtnCli, startVtnFromArgs, VTN_USAGE } from './cli.js';
export {
  NegotiationOrchestrator,
  PROJECTION_RID,
  type NegotiationMember,
  type NegotiationOutcome,
  type NegotiationRoundData,
  type RoundProgress,
} from './negotiation/NegotiationOrchestrator.js';
export { readNegotiationInput, type NegotiationInput, type NegotiationSpec } from './negotiation/negotiationInput.js';
