import { AggregatorError, AggregatorErrorCode } from './AggregatorError.js';
import type { Device } from './Device.js';
import { readHorizon, type Horizon } from './parameters.js';

export interface NetOptions {
  /** The enclosing net (a house net inside a feeder net); used for memory layout and work blocks. */
  readonly parent?: string;
}

interface NetSpec {
  readonly id: string;
  readonly parent: string | undefined;
}

interface DeviceSpec {
  readonly device: Device;
  readonly nets: readonly string[];
}

/**
 * A built network. Nets are numbered depth-first (a house net right after its feeder's earlier
 * houses), devices are placed with the deepest net they touch, and terminals follow their devices,
 * so one house's terminals, devices and net are neighbours in every Float64Array of the engine.
 */
export class Network {
  readonly horizon: Horizon;
  /** Net ids in layout order. */
  readonly netIds: readonly string[];
  /** Index of each net's parent, -1 for roots. */
  readonly netParent: Int32Array;
  /** Depth of each net (roots 0). */
  readonly netDepth: Int32Array;
  /** Devices in layout order. */
  readonly devices: readonly Device[];
  /** First terminal of each device; terminals of device d are firstTerminal[d] .. firstTerminal[d+1]-1. */
  readonly firstTerminal: Int32Array;
  /** Net index of each terminal. */
  readonly terminalNet: Int32Array;
  /** Number of terminals on each net. */
  readonly netTerminalCount: Int32Array;
  private readonly netIndex: ReadonlyMap<string, number>;
  private readonly deviceIndex: ReadonlyMap<string, number>;

  constructor(horizon: Horizon, nets: readonly NetSpec[], devices: readonly DeviceSpec[]) {
    this.horizon = horizon;
    const children = new Map<string | undefined, NetSpec[]>();
    for (const net of nets) {
      const list = children.get(net.parent) ?? [];
      list.push(net);
      children.set(net.parent, list);
    }
    const order: NetSpec[] = [];
    const depth: number[] = [];
    const visit = (net: NetSpec, d: number): void => {
      order.push(net);
      depth.push(d);
      for (const child of children.get(net.id) ?? []) visit(child, d + 1);
    };
    for (const root of children.get(undefined) ?? []) visit(root, 0);
    if (order.length !== nets.length) {
      throw new AggregatorError(AggregatorErrorCode.INVALID_NETWORK, 'the parents of the nets form a cycle');
    }
    this.netIds = order.map((n) => n.id);
    this.netIndex = new Map(this.netIds.map((id, i) => [id, i]));
    this.netDepth = Int32Array.from(depth);
    this.netParent = Int32Array.from(order, (n) => (n.parent === undefined ? -1 : this.netIndex.get(n.parent)!));

    const home = devices.map((spec) => {
      let best = -1;
      for (const netId of spec.nets) {
        const i = this.netIndex.get(netId)!;
        if (best < 0 || depth[i]! > depth[best]!) best = i;
      }
      return best;
    });
    const placed = devices.map((spec, i) => ({ spec, home: home[i]!, i }));
    placed.sort((a, b) => a.home - b.home || a.i - b.i);
    this.devices = placed.map((p) => p.spec.device);
    this.deviceIndex = new Map(this.devices.map((d, i) => [d.id, i]));
    this.firstTerminal = new Int32Array(devices.length + 1);
    const terminalNet: number[] = [];
    placed.forEach((p, d) => {
      this.firstTerminal[d] = terminalNet.length;
      for (const netId of p.spec.nets) terminalNet.push(this.netIndex.get(netId)!);
    });
    this.firstTerminal[devices.length] = terminalNet.length;
    this.terminalNet = Int32Array.from(terminalNet);
    this.netTerminalCount = new Int32Array(order.length);
    for (const n of terminalNet) this.netTerminalCount[n]!++;
    this.netTerminalCount.forEach((count, n) => {
      if (count === 0) {
        throw new AggregatorError(AggregatorErrorCode.INVALID_NETWORK, `net "${this.netIds[n]}" has no terminal`, { deviceId: this.netIds[n]! });
      }
    });
  }

  get terminalCount(): number {
    return this.terminalNet.length;
  }

  netIndexOf(netId: string): number {
    const i = this.netIndex.get(netId);
    if (i === undefined) throw new AggregatorError(AggregatorErrorCode.UNKNOWN_ID, `unknown net "${netId}"`, { deviceId: netId });
    return i;
  }

  deviceIndexOf(deviceId: string): number {
    const i = this.deviceIndex.get(deviceId);
    if (i === undefined) throw new AggregatorError(AggregatorErrorCode.UNKNOWN_ID, `unknown device "${deviceId}"`, { deviceId });
    return i;
  }

  device(deviceId: string): Device {
    return this.devices[this.deviceIndexOf(deviceId)]!;
  }
}

/** Collects nets and devices, checks them, and lays them out (see Network). */
export class NetworkBuilder {
  readonly horizon: Horizon;
  private readonly nets: NetSpec[] = [];
  private readonly devices: DeviceSpec[] = [];
  private readonly ids = new Set<string>();

  constructor(horizon: Horizon) {
    this.horizon = readHorizon(horizon);
  }

  addNet(id: string, options: NetOptions = {}): this {
    this.claim(id);
    this.nets.push({ id, parent: options.parent });
    return this;
  }

  /** Adds a device whose terminal k sits on nets[k]. */
  addDevice(device: Device, nets: readonly string[]): this {
    this.claim(device.id);
    if (nets.length !== device.terminalCount) {
      throw new AggregatorError(AggregatorErrorCode.INVALID_NETWORK, `device "${device.id}" has ${device.terminalCount} terminal(s) but ${nets.length} net(s) were given`, { deviceId: device.id });
    }
    if (device.horizon.slots !== this.horizon.slots || device.horizon.slotHours !== this.horizon.slotHours) {
      throw new AggregatorError(AggregatorErrorCode.INVALID_NETWORK, `device "${device.id}" was made for another horizon (${device.horizon.slots} x ${device.horizon.slotHours} h)`, { deviceId: device.id });
    }
    this.devices.push({ device, nets: [...nets] });
    return this;
  }

  build(): Network {
    const known = new Set(this.nets.map((n) => n.id));
    for (const net of this.nets) {
      if (net.parent !== undefined && !known.has(net.parent)) {
        throw new AggregatorError(AggregatorErrorCode.INVALID_NETWORK, `net "${net.id}" has an unknown parent "${net.parent}"`, { deviceId: net.id });
      }
    }
    for (const { device, nets } of this.devices) {
      for (const netId of nets) {
        if (!known.has(netId)) throw new AggregatorError(AggregatorErrorCode.INVALID_NETWORK, `device "${device.id}" is connected to an unknown net "${netId}"`, { deviceId: device.id });
      }
    }
    return new Network(this.horizon, this.nets, this.devices);
  }

  private claim(id: string): void {
    if (typeof id !== 'string' || id.length === 0) throw new AggregatorError(AggregatorErrorCode.INVALID_NETWORK, 'ids must be non-empty strings');
    if (this.ids.has(id)) throw new AggregatorError(AggregatorErrorCode.INVALID_NETWORK, `id "${id}" is used twice`, { deviceId: id });
    this.ids.add(id);
  }
}
