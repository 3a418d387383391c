import type { EiTarget } from '@oadr-kit/protocol';
import type { VenRecord } from '../store/VtnStore.js';

type TargetAttributes = Pick<VenRecord, 'venID' | 'groupIDs' | 'resourceIDs' | 'partyIDs'>;

const hasAny = (list: readonly string[] | undefined): list is readonly string[] => list !== undefined && list.length > 0;

/**
 * Whether an event's target reaches a VEN: criteria are OR-ed (rule 22), an empty target reaches every
 * VEN. The VTN resolves venID, groupID, resourceID and partyID; other criteria (pnodes, meters,
 * device classes) it passes on for the VEN to apply and treats as reaching every VEN.
 */
export function targetsVen(target: EiTarget, ven: TargetAttributes): boolean {
  const resolvable = [target.venID, target.groupID, target.resourceID, target.partyID];
  if (!resolvable.some(hasAny)) return true;
  const includes = (list: readonly string[] | undefined, values: readonly string[]): boolean =>
    hasAny(list) && values.some((value) => list.includes(value));
  return (
    includes(target.venID, [ven.venID]) ||
    includes(target.groupID, ven.groupIDs) ||
    includes(target.resourceID, ven.resourceIDs) ||
    includes(target.partyID, ven.partyIDs)
  );
}

/** The eiTarget as one VEN sees it: at most one venID, its own (TH DistributeEvent_MultipleVENIDFound). */
export function eventTargetFor(target: EiTarget, venID: string): EiTarget {
  if (!hasAny(target.venID)) return target;
  const { venID: listed, ...rest } = target;
  return listed.includes(venID) ? { ...rest, venID: [venID] } : rest;
}
