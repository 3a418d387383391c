import type { MessageBody, OadrReportRequest } from '@oadr-kit/protocol';
import { newVenRecord, type EventRecord, type VenRecord, type VtnStore } from '../../src/index.js';
import { postgresFactory, sqliteFactory, type StoreFactory } from '../helpers/stores.js';

const T0 = Date.UTC(2026, 10, 27, 12);

function ven(venID: string, extra: Partial<VenRecord> = {}): VenRecord {
  return { ...newVenRecord(venID, T0, { venName: `name of ${venID}`, registrationID: `reg-${venID}`, registeredAt: T0 }), ...extra };
}

function event(eventID: string, extra: Partial<EventRecord> = {}): EventRecord {
  return {
    eventID,
    programID: undefined,
    marketContext: 'http://market.example.com',
    modificationNumber: 0,
    modificationReason: undefined,
    createdAt: T0,
    modifiedAt: T0,
    cancelledAt: undefined,
    visibleUntil: T0 + 3_600_000,
    spec: {
      priority: 1,
      testEvent: undefined,
      vtnComment: undefined,
      responseRequired: 'always',
      activePeriod: { dtstart: '2026-11-27T13:00:00Z', duration: 'PT1H' },
      signals: [{ intervals: [{ duration: 'PT1H', uid: '0', signalPayload: 1 }], signalName: 'SIMPLE', signalType: 'level', signalID: 's' }],
      baseline: undefined,
      target: {},
    },
    ...extra,
  };
}

describe.each<[string, () => StoreFactory]>([
  ['sqlite', sqliteFactory],
  ['postgres', postgresFactory],
])('VtnStore contract (%s)', (_name, makeFactory) => {
  let factory: StoreFactory;
  let store: VtnStore;

  beforeEach(async () => {
    factory = makeFactory();
    store = await factory.open();
  });

  afterEach(async () => {
    await store.close();
    await factory.cleanup();
  });

  it('saves, finds and updates VENs by id, case-insensitive id and fingerprint', async () => {
    await store.saveVen(ven('Ven-A', { fingerprint: '00112233445566778899', groupIDs: ['g1'] }));
    expect((await store.getVen('Ven-A'))?.groupIDs).toEqual(['g1']);
    expect(await store.getVen('ven-a')).toBeUndefined();
    expect((await store.findVenIgnoringCase('VEN-a'))?.venID).toBe('Ven-A');
    expect((await store.getVenByFingerprint('00112233445566778899'))?.venID).toBe('Ven-A');
    await store.saveVen(ven('Ven-A', { registrationID: undefined, fingerprint: '00112233445566778899' }));
    expect((await store.getVen('Ven-A'))?.registrationID).toBeUndefined();
    expect(await store.listVens()).toHaveLength(1);
  });

  it('moves lastSeenAt forward only, through recordLastSeen and saveVen alike', async () => {
    await store.saveVen(ven('a'));
    expect((await store.getVen('a'))?.lastSeenAt).toBeUndefined();
    await store.recordLastSeen(new Map([['a', T0 + 5_000], ['unknown', T0]]));
    expect((await store.getVen('a'))?.lastSeenAt).toBe(T0 + 5_000);
    await store.recordLastSeen(new Map([['a', T0 + 1_000]]));
    expect((await store.getVen('a'))?.lastSeenAt).toBe(T0 + 5_000);
    // A registration that read the row before the flush writes an older time: the newer one stays.
    await store.saveVen(ven('a', { lastSeenAt: T0 + 2_000, venName: 'renamed' }));
    expect(await store.getVen('a')).toMatchObject({ venName: 'renamed', lastSeenAt: T0 + 5_000 });
    await store.saveVen(ven('a', { lastSeenAt: undefined }));
    expect((await store.getVen('a'))?.lastSeenAt).toBe(T0 + 5_000);
    await store.saveVen(ven('a', { lastSeenAt: T0 + 9_000 }));
    expect((await store.getVen('a'))?.lastSeenAt).toBe(T0 + 9_000);
    expect(await store.getVen('unknown')).toBeUndefined();
  });

  it('records lastSeenAt of many VENs at once, batched and one by one, still never backwards', async () => {
    const ids = Array.from({ length: 450 }, (_, i) => `v${i}`);
    await store.transaction(async (tx) => {
      for (const id of ids) await tx.saveVen(ven(id));
    });
    await store.recordLastSeen(new Map([['v7', T0 + 99_000], ['v449', T0 + 99_000]]));
    await store.transaction((tx) => tx.recordLastSeen(new Map(ids.map((id, i) => [id, T0 + i]))));
    const seen = new Map((await store.listVens()).map((v) => [v.venID, v.lastSeenAt]));
    expect(ids.filter((id, i) => seen.get(id) !== (id === 'v7' || id === 'v449' ? T0 + 99_000 : T0 + i))).toEqual([]);
  });

  it('refuses a second VEN with a fingerprint already bound', async () => {
    await store.saveVen(ven('a', { fingerprint: 'aaaaaaaaaaaaaaaaaaaa' }));
    await expect(store.saveVen(ven('b', { fingerprint: 'aaaaaaaaaaaaaaaaaaaa' }))).rejects.toMatchObject({ code: 'OADR_ERR_VTN_CONFLICT' });
  });

  it('tracks deliveries per modification and answers whether one is due', async () => {
    await store.saveVen(ven('a'));
    await store.insertEvent(event('e1'));
    await store.setDeliveryTargets('e1', ['a'], 0);
    expect(await store.hasPendingDelivery('a', T0)).toBe(true);
    expect(await store.hasPendingWork('a', T0)).toBe(true);
    expect(await store.markDelivered('e1', 'a', 0, 'req-1', T0, true)).toBe(true);
    expect(await store.hasPendingWork('a', T0)).toBe(false);
    expect(await store.markDelivered('e1', 'a', 0, 'req-again', T0, true)).toBe(false);
    expect(await store.hasPendingDelivery('a', T0)).toBe(false);
    expect(await store.updateEvent(event('e1', { modificationNumber: 1 }), 0)).toBe(true);
    expect(await store.updateEvent(event('e1', { modificationNumber: 2 }), 0)).toBe(false);
    await store.setDeliveryTargets('e1', ['a'], 1);
    expect(await store.hasPendingDelivery('a', T0)).toBe(true);
    // an event past its visibility is never due
    expect(await store.hasPendingDelivery('a', T0 + 3_600_000)).toBe(false);
    const [row] = await store.listVenEvents('a', T0);
    expect(row?.event.modificationNumber).toBe(1);
    expect(row?.delivery).toMatchObject({ targetMod: 1, deliveredMod: 0, requestID: 'req-1' });
    // an older modification never overwrites a newer delivery
    expect(await store.markDelivered('e1', 'a', 1, 'req-2', T0, true)).toBe(true);
    expect(await store.markDelivered('e1', 'a', 1, 'req-2', T0, false)).toBe(true);
    expect(await store.markDelivered('e1', 'a', 0, 'req-old', T0, false)).toBe(false);
    expect((await store.getDelivery('e1', 'a'))?.requestID).toBe('req-2');
    await store.recordEventResponse('e1', 'a', 1, 'optOut', T0);
    await store.setEiOpt('e1', 'a', 'optIn');
    expect(await store.getDelivery('e1', 'a')).toMatchObject({ responseMod: 1, responseOpt: 'optOut', eiOpt: 'optIn' });
    // The event leaves a VEN that saw it: excluded and due; one that never saw it loses its row.
    await store.saveVen(ven('b'));
    await store.setDeliveryTargets('e1', ['b'], 1);
    await store.untargetDeliveries('e1', ['a', 'b'], 2);
    expect(await store.listDeliveriesForEvent('e1')).toEqual([]);
    expect(await store.getDelivery('e1', 'b')).toBeUndefined();
    expect(await store.getDelivery('e1', 'a')).toMatchObject({ excluded: true, targetMod: 2, deliveredMod: -1 });
    expect(await store.hasPendingDelivery('a', T0)).toBe(true);
    expect(await store.markDelivered('e1', 'a', 2, 'req-3', T0, true)).toBe(true);
    expect(await store.hasPendingDelivery('a', T0)).toBe(false);
    await store.setDeliveryTargets('e1', ['a'], 2);
    expect(await store.getDelivery('e1', 'a')).toMatchObject({ excluded: false, deliveredMod: -1, targetMod: 2 });
  });

  it('lets one holder at a time push to a VEN, until its lease ends or it lets go', async () => {
    await store.saveVen(ven('a'));
    expect(await store.claimPushLease('a', 'p1', T0, T0 + 40_000)).toBe(true);
    expect(await store.claimPushLease('a', 'p2', T0 + 1_000, T0 + 41_000)).toBe(false);
    // The holder renews; another VEN's lease is separate.
    expect(await store.claimPushLease('a', 'p1', T0 + 2_000, T0 + 42_000)).toBe(true);
    expect(await store.claimPushLease('b', 'p2', T0 + 2_000, T0 + 42_000)).toBe(true);
    expect(await store.claimPushLease('a', 'p2', T0 + 41_999, T0 + 81_999)).toBe(false);
    // Expired, it goes to whoever asks; the former holder then cannot renew, nor release it.
    expect(await store.claimPushLease('a', 'p2', T0 + 42_000, T0 + 82_000)).toBe(true);
    expect(await store.claimPushLease('a', 'p1', T0 + 43_000, T0 + 83_000)).toBe(false);
    await store.releasePushLease('a', 'p1');
    expect(await store.claimPushLease('a', 'p1', T0 + 43_000, T0 + 83_000)).toBe(false);
    await store.releasePushLease('a', 'p2');
    expect(await store.claimPushLease('a', 'p1', T0 + 43_000, T0 + 83_000)).toBe(true);
    // Deleting the VEN drops its lease with it.
    await store.deleteVen('a');
    expect(await store.claimPushLease('a', 'p2', T0 + 44_000, T0 + 84_000)).toBe(true);
  });

  it('hands each outbox message out once and finds it again by requestID', async () => {
    await store.saveVen(ven('a'));
    const id = await store.enqueue({ venID: 'a', kind: 'oadrCancelReport', requestID: 'r1', body: { requestID: 'r1', reportRequestID: ['x'], reportToFollow: false } }, T0);
    expect((await store.listQueued('a')).map((m) => m.id)).toEqual([id]);
    expect(await store.hasPendingWork('a', T0)).toBe(true);
    expect(await store.findSent('a', 'r1')).toBeUndefined();
    expect(await store.markSent(id, T0)).toBe(true);
    expect(await store.markSent(id, T0)).toBe(false);
    expect((await store.findSent('a', 'r1'))?.kind).toBe('oadrCancelReport');
    await store.markAcked(id);
    expect((await store.findSent('a', 'r1'))?.status).toBe('acked');
    await store.enqueue({ venID: 'a', kind: 'oadrRequestReregistration', requestID: '', body: { venID: 'a' } }, T0);
    await store.dropQueued('a');
    expect(await store.listQueued('a')).toEqual([]);
  });

  it('stores an uploaded report once per (VEN, requestID, index)', async () => {
    const data = {
      venID: 'a',
      reportRequestID: 'rr',
      reportSpecifierID: 'spec',
      reportName: 'TELEMETRY_USAGE',
      requestID: 'up-1',
      index: 0,
      createdDateTime: '2026-11-27T12:00:00Z',
      receivedAt: T0,
      report: { reportRequestID: 'rr', reportSpecifierID: 'spec', createdDateTime: '2026-11-27T12:00:00Z' },
    };
    expect(await store.insertReportData(data)).toBe(true);
    expect(await store.insertReportData(data)).toBe(false);
    expect(await store.listReportData({ venID: 'a' })).toHaveLength(1);
    expect(await store.listReportData({ reportRequestID: 'other' })).toHaveLength(0);
  });

  it('rolls a failed transaction back entirely', async () => {
    await expect(
      store.transaction(async (tx) => {
        await tx.saveVen(ven('a'));
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await store.getVen('a')).toBeUndefined();
    await store.transaction(async (tx) => tx.saveVen(ven('b')));
    expect(await store.getVen('b')).toBeDefined();
  });

  it('keeps concurrent transactions apart', async () => {
    await store.saveVen(ven('a'));
    const id = await store.enqueue({ venID: 'a', kind: 'oadrRequestReregistration', requestID: '', body: { venID: 'a' } }, T0);
    const takers = await Promise.all(Array.from({ length: 8 }, () => store.transaction(async (tx) => tx.markSent(id, T0))));
    expect(takers.filter(Boolean)).toHaveLength(1);
  });

  it('keeps report registrations, requests and opts', async () => {
    await store.replaceReportRegistrations('a', [
      { venID: 'a', reportSpecifierID: 's1', registeredAt: T0, report: { reportRequestID: '0', reportSpecifierID: 's1', createdDateTime: '2026-11-27T12:00:00Z' } },
    ]);
    expect((await store.listReportRegistrations('a')).map((r) => r.reportSpecifierID)).toEqual(['s1']);
    const request: OadrReportRequest = { reportRequestID: 'rr1', reportSpecifier: { reportSpecifierID: 's1', granularity: 'PT1M', reportBackDuration: 'PT5M', specifierPayload: [{ rID: 'p', readingType: 'x-notApplicable' }] } };
    await store.saveReportRequest({ reportRequestID: 'rr1', venID: 'a', direction: 'toVen', reportSpecifierID: 's1', request, status: 'pending', createdAt: T0 });
    await store.setReportRequestStatus('rr1', 'active');
    expect((await store.getReportRequest('rr1'))?.status).toBe('active');
    await store.saveReportRequest({ reportRequestID: 'rr2', venID: 'a', direction: 'toVen', reportSpecifierID: 's1', request: { ...request, reportRequestID: 'rr2' }, status: 'pending', createdAt: T0, onRegistration: true });
    expect((await store.listReportRequests('a')).map((r) => [r.reportRequestID, r.onRegistration])).toEqual([
      ['rr1', undefined],
      ['rr2', true],
    ]);
    const body: MessageBody<'oadrCreateOpt'> = { optID: 'o1', optType: 'optOut', optReason: 'economic', venID: 'a', createdDateTime: '2026-11-27T12:00:00Z', requestID: 'q', eiTarget: {} };
    await store.saveOpt({ venID: 'a', optID: 'o1', optType: 'optOut', optReason: 'economic', marketContext: undefined, eventID: undefined, modificationNumber: undefined, body, createdAt: T0, cancelledAt: undefined });
    expect((await store.getOpt('a', 'o1'))?.body.optID).toBe('o1');
    expect(await store.listOpts()).toHaveLength(1);
    await store.saveProgram({ programID: 'p', name: 'P', marketContext: 'http://m', createdAt: T0 });
    expect((await store.getProgram('p'))?.name).toBe('P');
  });
});
