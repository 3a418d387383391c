import { AggregatorError, AggregatorErrorCode } from './AggregatorError.js';
import { createDevice } from './createDevice.js';
import type { Device } from './Device.js';
import { GridConnection, type GridConnectionParameters } from './devices/GridConnection.js';
import { Line } from './devices/Line.js';
import { RemoteTerminal } from './devices/RemoteTerminal.js';
import { NetworkBuilder, type Network } from './Network.js';
import { readHorizon, type Horizon } from './parameters.js';

/** The VTN's own side of a negotiation: where the members' net meets the grid. */
export interface GridModel {
  readonly connection: GridConnectionParameters;
  /**
   * Capacity of a transformer between the members' net and the grid connection, kW. When set, the
   * grid connection sits on an upstream net and the transformer's dual is the congestion price.
   */
  readonly transformerKw?: number;
}

/** A device of a member as plain data (its id is local to the member). */
export interface MemberDeviceSpec {
  readonly kind: string;
  readonly id: string;
  readonly parameters: unknown;
}

/** A participant: remote (a VEN answering over OpenADR) unless its devices are given. */
export interface NegotiationMember {
  readonly id: string;
  readonly devices?: readonly MemberDeviceSpec[];
}

export interface NegotiationNetwork {
  readonly network: Network;
  /** The members' net, "community". */
  readonly netId: string;
  /** The grid connection's net: "upstream" behind a transformer, else the members' net. */
  readonly gridNetId: string;
  readonly gridId: string;
  readonly transformerId: string | undefined;
  /** Per member, the ids of its devices in the network (its own id when remote). */
  readonly memberDevices: ReadonlyMap<string, readonly string[]>;
}

export const COMMUNITY_NET = 'community';
const UPSTREAM_NET = 'upstream';
const GRID_ID = 'grid';
const TRANSFORMER_ID = 'transformer';

/** The devices of one member, built and checked (ids as the member gave them). */
export function memberDevices(member: NegotiationMember, horizon: Horizon): Device[] {
  return (member.devices ?? []).map((spec) => createDevice(spec.kind, spec.id, spec.parameters, horizon));
}

/**
 * One network for both ways of negotiating the same instance: members with devices are solved
 * in-process (their devices on the members' net, ids prefixed "member/"), members without are
 * RemoteTerminals answered over OpenADR. Same instance, same optimum, whichever way it runs.
 */
export function negotiationNetwork(horizon: Horizon, grid: GridModel, members: readonly NegotiationMember[]): NegotiationNetwork {
  const h = readHorizon(horizon);
  if (members.length === 0) throw new AggregatorError(AggregatorErrorCode.INVALID_NETWORK, 'a negotiation needs at least one member');
  const seen = new Set<string>();
  for (const member of members) {
    if (seen.has(member.id)) throw new AggregatorError(AggregatorErrorCode.INVALID_NETWORK, `member "${member.id}" appears twice`, { field: 'members' });
    seen.add(member.id);
  }
  const builder = new NetworkBuilder(h);
  const transformer = grid.transformerKw;
  let gridNetId = COMMUNITY_NET;
  if (transformer === undefined) {
    builder.addNet(COMMUNITY_NET);
  } else {
    gridNetId = UPSTREAM_NET;
    builder.addNet(UPSTREAM_NET).addNet(COMMUNITY_NET, { parent: UPSTREAM_NET });
    builder.addDevice(new Line(TRANSFORMER_ID, { capacityKw: transformer }, h), [UPSTREAM_NET, COMMUNITY_NET]);
  }
  builder.addDevice(new GridConnection(GRID_ID, grid.connection, h), [gridNetId]);
  const ids = new Map<string, string[]>();
  for (const member of members) {
    if (member.devices === undefined) {
      builder.addDevice(new RemoteTerminal(member.id, h), [COMMUNITY_NET]);
      ids.set(member.id, [member.id]);
      continue;
    }
    const prefixed = (member.devices ?? []).map((spec) => createDevice(spec.kind, `${member.id}/${spec.id}`, spec.parameters, h));
    for (const device of prefixed) builder.addDevice(device, [COMMUNITY_NET]);
    ids.set(
      member.id,
      prefixed.map((device) => device.id),
    );
  }
  return { network: builder.build(), netId: COMMUNITY_NET, gridNetId, gridId: GRID_ID, transformerId: transformer === undefined ? undefined : TRANSFORMER_ID, memberDevices: ids };
}
