import { AggregatorError, AggregatorErrorCode } from './AggregatorError.js';
import type { Device } from './Device.js';
import { Battery, type BatteryParameters } from './devices/Battery.js';
import { CurtailableGeneration, type CurtailableGenerationParameters } from './devices/CurtailableGeneration.js';
import { CurtailableLoad, type CurtailableLoadParameters } from './devices/CurtailableLoad.js';
import { DeferrableLoad, type DeferrableLoadParameters } from './devices/DeferrableLoad.js';
import { ElectricVehicle, type ElectricVehicleParameters } from './devices/ElectricVehicle.js';
import { FixedLoad, type FixedLoadParameters } from './devices/FixedLoad.js';
import { Generator, type GeneratorParameters } from './devices/Generator.js';
import { GridConnection, type GridConnectionParameters } from './devices/GridConnection.js';
import { HeatPump, type HeatPumpParameters } from './devices/HeatPump.js';
import { Line, type LineParameters } from './devices/Line.js';
import { TargetFollower, type TargetFollowerParameters } from './devices/TargetFollower.js';
import type { Horizon } from './parameters.js';

/** Parameters of each device kind, as in `deviceParameterSchemas`. */
export interface DeviceParametersByKind {
  'fixed-load': FixedLoadParameters;
  'curtailable-generation': CurtailableGenerationParameters;
  'curtailable-load': CurtailableLoadParameters;
  'deferrable-load': DeferrableLoadParameters;
  'electric-vehicle': ElectricVehicleParameters;
  battery: BatteryParameters;
  'heat-pump': HeatPumpParameters;
  generator: GeneratorParameters;
  'grid-connection': GridConnectionParameters;
  line: LineParameters;
  transformer: LineParameters;
  'target-follower': TargetFollowerParameters;
}

export type DeviceKind = keyof DeviceParametersByKind;

const makers: { [K in DeviceKind]: (id: string, parameters: DeviceParametersByKind[K], horizon: Horizon) => Device } = {
  'fixed-load': (id, p, h) => new FixedLoad(id, p, h),
  'curtailable-generation': (id, p, h) => new CurtailableGeneration(id, p, h),
  'curtailable-load': (id, p, h) => new CurtailableLoad(id, p, h),
  'deferrable-load': (id, p, h) => new DeferrableLoad(id, p, h),
  'electric-vehicle': (id, p, h) => new ElectricVehicle(id, p, h),
  battery: (id, p, h) => new Battery(id, p, h),
  'heat-pump': (id, p, h) => new HeatPump(id, p, h),
  generator: (id, p, h) => new Generator(id, p, h),
  'grid-connection': (id, p, h) => new GridConnection(id, p, h),
  line: (id, p, h) => new Line(id, p, h, 'line'),
  transformer: (id, p, h) => new Line(id, p, h, 'transformer'),
  'target-follower': (id, p, h) => new TargetFollower(id, p, h),
};

/** Builds a device from its kind and parameters (e.g. from a JSON configuration). */
export function createDevice<K extends DeviceKind>(kind: K, id: string, parameters: DeviceParametersByKind[K], horizon: Horizon): Device;
export function createDevice(kind: string, id: string, parameters: unknown, horizon: Horizon): Device;
export function createDevice(kind: string, id: string, parameters: unknown, horizon: Horizon): Device {
  if (!Object.prototype.hasOwnProperty.call(makers, kind)) {
    throw new AggregatorError(AggregatorErrorCode.UNKNOWN_DEVICE_KIND, `device "${id}": unknown kind "${kind}" (known: ${Object.keys(makers).join(', ')})`, { deviceId: id, field: 'kind' });
  }
  const make = makers[kind as DeviceKind] as (id: string, parameters: unknown, horizon: Horizon) => Device;
  return make(id, parameters, horizon);
}
