export { AggregatorError, AggregatorErrorCode } from './AggregatorError.js';
export type { Horizon, Profile } from './parameters.js';
export type { Device } from './Device.js';
export { NetworkBuilder, Network, type NetOptions } from './Network.js';
export {
  AdmmEngine,
  type AdaptiveRhoOptions,
  type Certificate,
  type EngineOptions,
  type Incentive,
  type IterationReport,
  type RunOptions,
  type RunResult,
} from './AdmmEngine.js';
export { Battery, type BatteryParameters } from './devices/Battery.js';
export { FixedLoad, type FixedLoadParameters } from './devices/FixedLoad.js';
export { GridConnection, type GridConnectionParameters } from './devices/GridConnection.js';
export { Line, type LineParameters } from './devices/Line.js';
export { RemoteTerminal } from './devices/RemoteTerminal.js';
export { communityNetwork, type CommunityInstance, type CommunityNetwork } from './communityNetwork.js';
