export { systemClock, type Clock, type TimerHandle } from './Clock.js';
export {
  buildCreatedEvent,
  EventEngine,
  eventStatusAt,
  executionPhase,
  executionWindow,
  signalValueAt,
  STANDARD_SIGNALS,
  targetMatches,
  toVenEvent,
  validateEvent,
  type DistributePlan,
  type EngineChange,
  type ExecutionPhase,
  type OptDecisions,
  type PlanContext,
  type PlannedEvent,
  type PlannedEventKind,
  type TrackedEvent,
  type VenEvent,
  type VenSignal,
  type VenSignalInterval,
  type VenTargets,
} from './EventEngine.js';
export { deviceSchedule, type DeviceSchedule, type DeviceScheduleOptions } from './deviceSchedule.js';
export { silentLogger, type Logger } from './Logger.js';
export { FileStateStore, MemoryStateStore, type Registration, type StoredReportRequest, type VenState, type VenStateStore } from './StateStore.js';
export { VenClient, type OptSchedule, type VenClientEvents } from './VenClient.js';
export type { VtnReportRequest } from './VtnReportRequests.js';
// Handlers can be typed without a dependency on the protocol package.
export type { NegotiationRound } from '@oadr-kit/protocol';
export { VenError, VenErrorCode } from './VenError.js';
export {
  DEFAULT_REPORT_CAPABILITIES,
  DEFAULT_VEN_OPTIONS,
  NEGOTIATION_REPORT_CAPABILITY,
  type BackoffOptions,
  type ReportCapability,
  type ReportReading,
  type ReportReadRequest,
  type VenClientOptions,
  type VenHandlers,
  type VenNegotiationHandlers,
  type VenPushOptions,
  type VenTlsOptions,
  type VenXmlSignature,
} from './VenOptions.js';
