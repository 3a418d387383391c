import type { VenRecord } from '../store/VtnStore.js';

/**
 * A VEN as the VTN first knows it: a 2.0b pull VEN over simple HTTP, approved, unregistered, with no
 * certificate, signatures or target attributes until `fields` say otherwise.
 */
export function newVenRecord(venID: string, createdAt: number, fields: Partial<Omit<VenRecord, 'venID' | 'createdAt'>> = {}): VenRecord {
  return {
    venID,
    venName: undefined,
    registrationID: undefined,
    fingerprint: undefined,
    approved: true,
    profileName: '2.0b',
    transportName: 'simpleHttp',
    transportAddress: undefined,
    httpPullModel: true,
    reportOnly: false,
    xmlSignature: false,
    groupIDs: [],
    resourceIDs: [],
    partyIDs: [],
    createdAt,
    registeredAt: undefined,
    lastSeenAt: undefined,
    ...fields,
  };
}
