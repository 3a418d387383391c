import { createDevice } from './createDevice.js';
import { NetworkBuilder, type Network } from './Network.js';
import type { Horizon } from './parameters.js';

/** A device as plain data: what a worker thread (or a JSON file) can rebuild it from. */
export interface DeviceSpec {
  readonly kind: string;
  readonly id: string;
  readonly parameters: unknown;
  /** Net of each terminal. */
  readonly nets: readonly string[];
}

/** A whole network as plain data. */
export interface NetworkSpec {
  readonly horizon: Horizon;
  readonly nets: readonly { readonly id: string; readonly parent?: string }[];
  readonly devices: readonly DeviceSpec[];
}

/** Builds a network from plain data (devices through createDevice). */
export function networkFromSpec(spec: NetworkSpec): Network {
  const builder = new NetworkBuilder(spec.horizon);
  for (const net of spec.nets) builder.addNet(net.id, net.parent === undefined ? {} : { parent: net.parent });
  for (const d of spec.devices) builder.addDevice(createDevice(d.kind, d.id, d.parameters, builder.horizon), d.nets);
  return builder.build();
}
