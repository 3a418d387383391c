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
export { ParallelAdmmEngine, type ParallelEngineOptions } from './ParallelAdmmEngine.js';
export { networkFromSpec, type DeviceSpec, type NetworkSpec } from './networkFromSpec.js';
export { localResponse, type LocalIncentive, type LocalResponseOptions } from './localResponse.js';
export { createDevice, type DeviceKind, type DeviceParametersByKind } from './createDevice.js';
export { deviceParameterSchemas } from './deviceParameterSchemas.js';
export { Battery, type BatteryParameters } from './devices/Battery.js';
export { CurtailableGeneration, type CurtailableGenerationParameters } from './devices/CurtailableGeneration.js';
export { CurtailableLoad, type CurtailableLoadParameters } from './devices/CurtailableLoad.js';
export { DeferrableLoad, type DeferrableLoadParameters } from './devices/DeferrableLoad.js';
export { ElectricVehicle, type ElectricVehicleParameters } from './devices/ElectricVehicle.js';
export { FixedLoad, type FixedLoadParameters } from './devices/FixedLoad.js';
export { Generator, type GeneratorParameters } from './devices/Generator.js';
export { GridConnection, type GridConnectionParameters } from './devices/GridConnection.js';
export { HeatPump, type HeatPumpParameters } from './devices/HeatPump.js';
export { Line, type LineParameters } from './devices/Line.js';
export { LqDevice } from './devices/LqDevice.js';
export { RemoteTerminal } from './devices/RemoteTerminal.js';
export { StorageDevice } from './devices/StorageDevice.js';
export { TargetFollower, type TargetFollowerParameters } from './devices/TargetFollower.js';
export { communityNetwork, communityNetworkSpec, type CommunityInstance, type CommunityNetwork } from './communityNetwork.js';
export { VenModel, type VenModelOptions } from './VenModel.js';
export {
  COMMUNITY_NET,
  memberDevices,
  negotiationNetwork,
  type GridModel,
  type MemberDeviceSpec,
  type NegotiationMember,
  type NegotiationNetwork,
} from './negotiationNetwork.js';
