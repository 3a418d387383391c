export { systemClock, type Clock, type TimerHandle } from './Clock.js';
export {
  buildCreatedEvent,
  EventEngine,
  eventStatusAt,
  executionPhase,
  executionWindow,
  STANDARD_SIGNALS,
  toVenEvent,
  validateEvent,
  type DistributePlan,
  type EngineChange,
  type ExecutionPhase,
  type PlanContext,
  type PlannedEvent,
  type PlannedEventKind,
  type TrackedEvent,
  type VenEvent,
  type VenSignal,
  type VenSignalInterval,
} from './EventEngine.js';
export { VenError, VenErrorCode } from './VenError.js';
