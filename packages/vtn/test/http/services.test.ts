import { request } from 'node:http';
import { encodePayload, type MessageBody, type OadrMessage } from '@oadr-kit/protocol';
import { expectType, PREFIX, simpleEvent, startHarness, T0, type Harness } from '../helpers/harness.js';
import { postgresFactory, type StoreFactory } from '../helpers/stores.js';

describe.each<[string, (() => StoreFactory) | undefined]>([
  ['SQLite', undefined],
  ['PostgreSQL', postgresFactory],
])('OpenADR services over simple HTTP (pull, %s store)', (_name, makeFactory) => {
  let h: Harness;
  let factory: StoreFactory | undefined;

  beforeEach(async () => {
    factory = makeFactory?.();
    h = await startHarness(factory === undefined ? {} : { store: await factory.open() });
  });

  afterEach(async () => {
    await h.close();
    await factory?.cleanup();
  });

  async function registered(): Promise<string> {
    const { venID } = await h.register({ oadrVenName: 'house-1' });
    const first = await h.drain(venID);
    // The VTN's own metadata report comes on the first poll (N1_0020); answer it.
    const report = expectType(first[0], 'oadrRegisterReport');
    const ack = await h.post('EiReport', { type: 'oadrRegisteredReport', body: { eiResponse: { responseCode: '200', requestID: report.requestID }, venID } });
    expect(expectType(ack.message, 'oadrResponse').eiResponse.responseCode).toBe('200');
    return venID;
  }

  describe('EiRegisterParty', () => {
    it('answers a query from an unregistered party without IDs, then registers it with a poll frequency', async () => {
      const query = await h.post('EiRegisterParty', { type: 'oadrQueryRegistration', body: { requestID: 'q1' } });
      const queried = expectType(query.message, 'oadrCreatedPartyRegistration');
      expect(queried.registrationID).toBeUndefined();
      expect(queried.oadrProfiles).toEqual([{ oadrProfileName: '2.0b', oadrTransports: ['simpleHttp'] }]);
      const answer = await h.post('EiRegisterParty', {
        type: 'oadrCreatePartyRegistration',
        body: { requestID: 'r1', oadrProfileName: '2.0b', oadrTransportName: 'simpleHttp', oadrReportOnly: false, oadrXmlSignature: false, oadrHttpPullModel: true },
      });
      const created = expectType(answer.message, 'oadrCreatedPartyRegistration');
      expect(created.eiResponse).toMatchObject({ responseCode: '200', requestID: 'r1' });
      expect(created.venID).toBeTruthy();
      expect(created.registrationID).toBeTruthy();
      expect(created.oadrRequestedOadrPollFreq).toBe('PT10S');
      expect(created.vtnID).toBe('oadr-kit-vtn');
    });

    it('keeps the registrationID on re-registration with it and refuses an unknown one (452)', async () => {
      const { venID, registrationID } = await h.register();
      const again = await h.register({ venID, registrationID });
      expect(again).toEqual({ venID, registrationID });
      const wrong = await h.post('EiRegisterParty', {
        type: 'oadrCreatePartyRegistration',
        body: { requestID: 'r', venID, registrationID: 'nope', oadrProfileName: '2.0b', oadrTransportName: 'simpleHttp', oadrReportOnly: false, oadrXmlSignature: false },
      });
      expect(expectType(wrong.message, 'oadrCreatedPartyRegistration').eiResponse.responseCode).toBe('452');
    });

    it('refuses a push registration without a transport address (454) and a 2.0a profile (459)', async () => {
      const push = await h.post('EiRegisterParty', {
        type: 'oadrCreatePartyRegistration',
        body: { requestID: 'r', oadrProfileName: '2.0b', oadrTransportName: 'simpleHttp', oadrReportOnly: false, oadrXmlSignature: false, oadrHttpPullModel: false },
      });
      expect(expectType(push.message, 'oadrCreatedPartyRegistration').eiResponse.responseCode).toBe('454');
      const a = await h.post('EiRegisterParty', {
        type: 'oadrCreatePartyRegistration',
        body: { requestID: 'r', oadrProfileName: '2.0a', oadrTransportName: 'simpleHttp', oadrReportOnly: false, oadrXmlSignature: false },
      });
      expect(expectType(a.message, 'oadrCreatedPartyRegistration').eiResponse.responseCode).toBe('459');
    });

    it('cancels a registration asked by the VEN, refusing a wrong registrationID (452)', async () => {
      const { venID, registrationID } = await h.register();
      const wrong = await h.post('EiRegisterParty', { type: 'oadrCancelPartyRegistration', body: { requestID: 'c0', registrationID: 'other', venID } });
      expect(expectType(wrong.message, 'oadrCanceledPartyRegistration').eiResponse.responseCode).toBe('452');
      const ok = await h.post('EiRegisterParty', { type: 'oadrCancelPartyRegistration', body: { requestID: 'c1', registrationID, venID } });
      expect(expectType(ok.message, 'oadrCanceledPartyRegistration')).toMatchObject({ eiResponse: { responseCode: '200', requestID: 'c1' }, registrationID });
      const poll = await h.post('OadrPoll', { type: 'oadrPoll', body: { venID } });
      expect(poll).toMatchObject({ status: 403, text: '', message: undefined });
    });

    it('delivers a VTN-initiated cancellation and re-registration request by poll', async () => {
      const venID = await registered();
      expect((await h.admin('POST', `/admin/v1/vens/${venID}/reregister`)).status).toBe(202);
      expect(expectType((await h.post('OadrPoll', { type: 'oadrPoll', body: { venID } })).message, 'oadrRequestReregistration').venID).toBe(venID);
      const ack = await h.post('EiRegisterParty', { type: 'oadrResponse', body: { eiResponse: { responseCode: '200', requestID: '' }, venID } });
      expect(ack).toMatchObject({ status: 200, text: '' });
      expect((await h.admin('POST', `/admin/v1/vens/${venID}/deregister`)).status).toBe(202);
      const cancel = expectType((await h.post('OadrPoll', { type: 'oadrPoll', body: { venID } })).message, 'oadrCancelPartyRegistration');
      const reply = await h.post('EiRegisterParty', {
        type: 'oadrCanceledPartyRegistration',
        body: { eiResponse: { responseCode: '200', requestID: cancel.requestID }, registrationID: cancel.registrationID, venID },
      });
      expect(expectType(reply.message, 'oadrResponse').eiResponse.responseCode).toBe('200');
      expect((await h.post('OadrPoll', { type: 'oadrPoll', body: { venID } })).status).toBe(403);
    });
  });

  describe('OadrPoll and EiEvent', () => {
    it('answers an empty poll with oadrResponse 200 (4011)', async () => {
      const venID = await registered();
      const poll = await h.post('OadrPoll', { type: 'oadrPoll', body: { venID } });
      expect(expectType(poll.message, 'oadrResponse').eiResponse.responseCode).toBe('200');
    });

    it('delivers every modification of an event exactly once, with status and modificationNumber', async () => {
      const venID = await registered();
      const created = await h.admin('POST', '/admin/v1/events', simpleEvent({ eventID: 'ev-1', target: { venID: [venID, 'someone-else'] } }));
      expect(created.status).toBe(201);
      const [first, ...rest] = await h.drain(venID);
      expect(rest).toEqual([]);
      const distribute = expectType(first, 'oadrDistributeEvent');
      const event = distribute.oadrEvent?.[0]?.eiEvent;
      expect(event?.eventDescriptor).toMatchObject({ eventID: 'ev-1', modificationNumber: 0, eventStatus: 'far' });
      expect(event?.eiTarget.venID).toEqual([venID]);
      expect(await h.drain(venID)).toEqual([]);

      const modified = await h.admin('PUT', '/admin/v1/events/ev-1?expectedModificationNumber=0', simpleEvent({ target: { venID: [venID] }, priority: 2 }));
      expect(modified.status).toBe(200);
      const [second] = await h.drain(venID);
      expect(expectType(second, 'oadrDistributeEvent').oadrEvent?.[0]?.eiEvent.eventDescriptor).toMatchObject({ modificationNumber: 1, priority: 2 });
      const stale = await h.admin('PUT', '/admin/v1/events/ev-1?expectedModificationNumber=0', simpleEvent({ target: { venID: [venID] } }));
      expect(stale.status).toBe(409);

      h.clock.now = T0 + 61 * 60_000;
      expect(await h.drain(venID)).toEqual([]);
      expect((await h.admin('POST', '/admin/v1/events/ev-1/cancel', {})).status).toBe(200);
      const [third] = await h.drain(venID);
      expect(expectType(third, 'oadrDistributeEvent').oadrEvent?.[0]?.eiEvent.eventDescriptor).toMatchObject({ modificationNumber: 2, eventStatus: 'cancelled' });
    });

    it('reports status far, near, active with the current value, completed', async () => {
      const venID = await registered();
      await h.admin('POST', '/admin/v1/events', simpleEvent({ eventID: 'ev', activePeriod: { dtstart: '2026-11-27T13:00:00Z', duration: 'PT1H', 'x-eiRampUp': 'PT30M' } }));
      const statusAt = async (minutes: number): Promise<[string | undefined, number | undefined]> => {
        h.clock.now = T0 + minutes * 60_000;
        const answer = await h.post('EiEvent', { type: 'oadrRequestEvent', body: { eiRequestEvent: { requestID: `re-${minutes}`, venID } } });
        const e = expectType(answer.message, 'oadrDistributeEvent').oadrEvent?.[0]?.eiEvent;
        return [e?.eventDescriptor.eventStatus, e?.eiEventSignals.eiEventSignal[0]?.currentValue];
      };
      expect(await statusAt(0)).toEqual(['far', 0]);
      expect(await statusAt(40)).toEqual(['near', 0]);
      expect(await statusAt(70)).toEqual(['active', 2]);
      expect(await statusAt(121)).toEqual([undefined, undefined]);
    });

    it('orders events active first (by priority), then pending by start (rule 15)', async () => {
      const venID = await registered();
      await h.admin('POST', '/admin/v1/events', simpleEvent({ eventID: 'later', marketContext: 'http://a.example', activePeriod: { dtstart: '2026-11-27T15:00:00Z', duration: 'PT1H' } }));
      await h.admin('POST', '/admin/v1/events', simpleEvent({ eventID: 'sooner', marketContext: 'http://b.example', activePeriod: { dtstart: '2026-11-27T14:00:00Z', duration: 'PT1H' } }));
      await h.admin('POST', '/admin/v1/events', simpleEvent({ eventID: 'now', marketContext: 'http://c.example', activePeriod: { dtstart: '2026-11-27T11:30:00Z', duration: 'PT1H' } }));
      const [distribute] = await h.drain(venID);
      expect(expectType(distribute, 'oadrDistributeEvent').oadrEvent?.map((e) => e.eiEvent.eventDescriptor.eventID)).toEqual(['now', 'sooner', 'later']);
    });

    it('takes oadrCreatedEvent for the delivered modification and refuses unknown IDs (452), stale modifications (450) and wrong requestIDs (452)', async () => {
      const venID = await registered();
      await h.admin('POST', '/admin/v1/events', simpleEvent({ eventID: 'ev' }));
      const requestID = expectType((await h.drain(venID))[0], 'oadrDistributeEvent').requestID;
      const respond = async (eventID: string, modificationNumber: number, rid = requestID): Promise<string> => {
        const answer = await h.post('EiEvent', {
          type: 'oadrCreatedEvent',
          body: {
            eiCreatedEvent: {
              eiResponse: { responseCode: '200', requestID: '' },
              eventResponses: [{ responseCode: '200', requestID: rid, qualifiedEventID: { eventID, modificationNumber }, optType: 'optIn' }],
              venID,
            },
          },
        });
        return expectType(answer.message, 'oadrResponse').eiResponse.responseCode;
      };
      expect(await respond('ev', 0)).toBe('200');
      expect(await respond('unknown', 0)).toBe('452');
      expect(await respond('ev', 7)).toBe('450');
      expect(await respond('ev', 0, 'not-the-distribute')).toBe('452');
      const view = (await h.admin('GET', '/admin/v1/events/ev')).json as { optedIn: number; deliveries: Array<{ opt: string; optSource: string }> };
      expect(view.optedIn).toBe(1);
      expect(view.deliveries[0]).toMatchObject({ opt: 'optIn', optSource: 'oadrCreatedEvent' });
    });

    it('delivers an unacknowledged cancellation again, a bounded number of times, until the VEN answers it (rule 52)', async () => {
      const venID = await registered();
      const resender = h.vtn.app.cancellations;
      const { cancelResendMs, cancelResends } = h.vtn.app.config.events;
      await h.admin('POST', '/admin/v1/events', simpleEvent({ eventID: 'kept' }));
      await h.admin('POST', '/admin/v1/events', simpleEvent({ eventID: 'never', responseRequired: 'never', marketContext: 'http://other.example' }));
      await h.drain(venID);
      await h.admin('POST', '/admin/v1/events/kept/cancel', {});
      await h.admin('POST', '/admin/v1/events/never/cancel', {});
      const cancelled = expectType((await h.drain(venID))[0], 'oadrDistributeEvent');
      expect(cancelled.oadrEvent?.map((e) => e.eiEvent.eventDescriptor.eventStatus)).toEqual(['cancelled', 'cancelled']);

      h.clock.now += cancelResendMs - 1;
      expect(await resender.sweep()).toEqual([]);
      const resent: string[] = [];
      for (let i = 0; i < cancelResends + 1; i++) {
        h.clock.now += cancelResendMs;
        expect(await resender.sweep()).toEqual(i < cancelResends ? [venID] : []);
        const [again] = await h.drain(venID);
        if (again !== undefined) resent.push(expectType(again, 'oadrDistributeEvent').requestID);
      }
      expect(resent).toHaveLength(cancelResends);
      expect(new Set(resent).size).toBe(cancelResends);

      await h.admin('POST', '/admin/v1/events', simpleEvent({ eventID: 'acked', marketContext: 'http://third.example' }));
      await h.drain(venID);
      await h.admin('POST', '/admin/v1/events/acked/cancel', {});
      const distribute = expectType((await h.drain(venID))[0], 'oadrDistributeEvent');
      const ack = await h.post('EiEvent', {
        type: 'oadrCreatedEvent',
        body: {
          eiCreatedEvent: {
            eiResponse: { responseCode: '200', requestID: '' },
            eventResponses: [{ responseCode: '200', requestID: distribute.requestID, qualifiedEventID: { eventID: 'acked', modificationNumber: 1 }, optType: 'optIn' }],
            venID,
          },
        },
      });
      expect(expectType(ack.message, 'oadrResponse').eiResponse.responseCode).toBe('200');
      h.clock.now += cancelResendMs;
      expect(await resender.sweep()).toEqual([]);
      expect(await h.drain(venID)).toEqual([]);
    });

    it('honours replyLimit on oadrRequestEvent', async () => {
      const venID = await registered();
      await h.admin('POST', '/admin/v1/events', simpleEvent({ eventID: 'a', marketContext: 'http://a.example' }));
      await h.admin('POST', '/admin/v1/events', simpleEvent({ eventID: 'b', marketContext: 'http://b.example' }));
      const answer = await h.post('EiEvent', { type: 'oadrRequestEvent', body: { eiRequestEvent: { requestID: 'r', venID, replyLimit: 1 } } });
      expect(expectType(answer.message, 'oadrDistributeEvent').oadrEvent).toHaveLength(1);
    });

    it('sends an event only to the VENs its groupID, resourceID or partyID names', async () => {
      const a = await registered();
      const b = await registered();
      expect((await h.admin('PATCH', `/admin/v1/vens/${a}`, { groupIDs: ['feeder-3'] })).status).toBe(200);
      await h.admin('POST', '/admin/v1/events', simpleEvent({ eventID: 'g', target: { groupID: ['feeder-3'] } }));
      expect(await h.drain(a)).toHaveLength(1);
      expect(await h.drain(b)).toEqual([]);
      // A VEN joining the group later gets the live event too.
      await h.admin('PATCH', `/admin/v1/vens/${b}`, { groupIDs: ['feeder-3'] });
      expect(await h.drain(b)).toHaveLength(1);
      // A VEN leaving the group gets a distribute without the event: an implied cancellation (rule 61).
      await h.admin('PATCH', `/admin/v1/vens/${a}`, { groupIDs: [] });
      const [without] = await h.drain(a);
      expect(expectType(without, 'oadrDistributeEvent').oadrEvent ?? []).toEqual([]);
      expect(await h.drain(a)).toEqual([]);
      // Retargeting the event away from b does the same for b.
      await h.admin('PUT', '/admin/v1/events/g', simpleEvent({ target: { venID: ['nobody'] } }));
      expect(expectType((await h.drain(b))[0], 'oadrDistributeEvent').oadrEvent ?? []).toEqual([]);
      expect(((await h.admin('GET', '/admin/v1/events/g')).json as { vens: number }).vens).toBe(0);
    });
  });

  describe('EiOpt', () => {
    const schedule = (venID: string, optID: string): { type: 'oadrCreateOpt'; body: MessageBody<'oadrCreateOpt'> } => ({
      type: 'oadrCreateOpt',
      body: {
        optID,
        optType: 'optOut',
        optReason: 'economic',
        marketContext: 'http://market.example.com/dr',
        venID,
        vavailability: [{ dtstart: '2026-11-27T13:00:00Z', duration: 'PT2H' }],
        createdDateTime: '2026-11-27T12:00:00Z',
        requestID: `req-${optID}`,
        eiTarget: { resourceID: ['battery-1'] },
      },
    });

    it('stores schedule opts, replaces one re-sent with the same optID, cancels it, and refuses an unknown optID (452)', async () => {
      const venID = await registered();
      const created = await h.post('EiOpt', schedule(venID, 'o1'));
      expect(expectType(created.message, 'oadrCreatedOpt')).toMatchObject({ eiResponse: { responseCode: '200', requestID: 'req-o1' }, optID: 'o1' });
      await h.post('EiOpt', { ...schedule(venID, 'o1'), body: { ...schedule(venID, 'o1').body, optType: 'optIn' } });
      const opts = (await h.admin('GET', `/admin/v1/opts?venID=${venID}`)).json as Array<{ optType: string }>;
      expect(opts).toHaveLength(1);
      expect(opts[0]?.optType).toBe('optIn');
      const cancel = await h.post('EiOpt', { type: 'oadrCancelOpt', body: { requestID: 'c', optID: 'o1', venID } });
      expect(expectType(cancel.message, 'oadrCanceledOpt').eiResponse.responseCode).toBe('200');
      const unknown = await h.post('EiOpt', { type: 'oadrCancelOpt', body: { requestID: 'c', optID: 'nope', venID } });
      expect(expectType(unknown.message, 'oadrCanceledOpt').eiResponse.responseCode).toBe('452');
    });

    it('refuses a schedule opt without availability (454)', async () => {
      const venID = await registered();
      const body = { ...schedule(venID, 'o2').body, vavailability: [] };
      const answer = await h.post('EiOpt', { type: 'oadrCreateOpt', body });
      expect(expectType(answer.message, 'oadrCreatedOpt').eiResponse.responseCode).toBe('454');
    });

    it('takes an event opt, refuses one for an unknown event (452) and ignores a later oadrCreatedEvent (rule 206)', async () => {
      const venID = await registered();
      await h.admin('POST', '/admin/v1/events', simpleEvent({ eventID: 'ev' }));
      const requestID = expectType((await h.drain(venID))[0], 'oadrDistributeEvent').requestID;
      const base = schedule(venID, 'eo').body;
      delete base.marketContext;
      delete base.vavailability;
      const opt = await h.post('EiOpt', { type: 'oadrCreateOpt', body: { ...base, qualifiedEventID: { eventID: 'ev', modificationNumber: 0 } } });
      expect(expectType(opt.message, 'oadrCreatedOpt').eiResponse.responseCode).toBe('200');
      const unknown = await h.post('EiOpt', { type: 'oadrCreateOpt', body: { ...base, optID: 'x', qualifiedEventID: { eventID: 'nope', modificationNumber: 0 } } });
      expect(expectType(unknown.message, 'oadrCreatedOpt').eiResponse.responseCode).toBe('452');
      await h.post('EiEvent', {
        type: 'oadrCreatedEvent',
        body: { eiCreatedEvent: { eiResponse: { responseCode: '200', requestID: '' }, eventResponses: [{ responseCode: '200', requestID, qualifiedEventID: { eventID: 'ev', modificationNumber: 0 }, optType: 'optIn' }], venID } },
      });
      const view = (await h.admin('GET', '/admin/v1/events/ev')).json as { deliveries: Array<{ opt: string; optSource: string }> };
      expect(view.deliveries[0]).toMatchObject({ opt: 'optOut', optSource: 'EiOpt' });
    });
  });

  describe('EiReport', () => {
    const metadata = (venID: string): OadrMessage => ({
      type: 'oadrRegisterReport',
      body: {
        requestID: 'rr-1',
        venID,
        oadrReport: [
          {
            duration: 'PT2H',
            oadrReportDescription: [
              {
                rID: 'power',
                reportDataSource: { resourceID: ['battery-1'] },
                reportType: 'usage',
                itemBase: { powerReal: { itemDescription: 'RealPower', itemUnits: 'W', siScaleCode: 'k', powerAttributes: { hertz: 50, voltage: 230, ac: true } } },
                readingType: 'Direct Read',
                oadrSamplingRate: { oadrMinPeriod: 'PT1M', oadrMaxPeriod: 'PT15M', oadrOnChange: false },
              },
            ],
            reportRequestID: '0',
            reportSpecifierID: 'TELEMETRY_USAGE_1',
            reportName: 'METADATA_TELEMETRY_USAGE',
            createdDateTime: '2026-11-27T12:00:00Z',
          },
        ],
      },
    });

    const usage = (venID: string, reportRequestID: string, requestID = 'up-1', specifier = 'TELEMETRY_USAGE_1', rID = 'power') => ({
      type: 'oadrUpdateReport' as const,
      body: {
        requestID,
        venID,
        oadrReport: [
          {
            dtstart: '2026-11-27T12:00:00Z',
            duration: 'PT1M',
            intervals: [{ dtstart: '2026-11-27T12:00:00Z', duration: 'PT1M', oadrReportPayload: [{ rID, payloadBase: { payloadFloat: 3.5 } }] }],
            reportRequestID,
            reportSpecifierID: specifier,
            reportName: 'TELEMETRY_USAGE' as const,
            createdDateTime: '2026-11-27T12:01:00Z',
          },
        ],
      },
    });

    it('registers VEN reports, requests one, ingests updates once, and cancels the request', async () => {
      const venID = await registered();
      const reg = await h.post('EiReport', metadata(venID));
      expect(expectType(reg.message, 'oadrRegisteredReport').eiResponse).toMatchObject({ responseCode: '200', requestID: 'rr-1' });
      const request = await h.admin('POST', `/admin/v1/vens/${venID}/report-requests`, { reportSpecifierID: 'TELEMETRY_USAGE_1', granularity: 'PT1M', reportBackDuration: 'PT1M' });
      expect(request.status).toBe(201);
      const { reportRequestID } = request.json as { reportRequestID: string };
      const create = expectType((await h.drain(venID))[0], 'oadrCreateReport');
      expect(create.oadrReportRequest[0]?.reportSpecifier).toMatchObject({ reportSpecifierID: 'TELEMETRY_USAGE_1', granularity: 'PT1M', specifierPayload: [{ rID: 'power', readingType: 'x-notApplicable' }] });
      const wrongAck = await h.post('EiReport', { type: 'oadrCreatedReport', body: { eiResponse: { responseCode: '200', requestID: 'unknown' }, oadrPendingReports: [], venID } });
      expect(expectType(wrongAck.message, 'oadrResponse').eiResponse.responseCode).toBe('452');
      const ack = await h.post('EiReport', { type: 'oadrCreatedReport', body: { eiResponse: { responseCode: '200', requestID: create.requestID }, oadrPendingReports: [reportRequestID], venID } });
      expect(expectType(ack.message, 'oadrResponse').eiResponse.responseCode).toBe('200');

      const update = await h.post('EiReport', usage(venID, reportRequestID));
      expect(expectType(update.message, 'oadrUpdatedReport').eiResponse.responseCode).toBe('200');
      await h.post('EiReport', usage(venID, reportRequestID));
      const data = (await h.admin('GET', `/admin/v1/report-data?venID=${venID}`)).json as Array<{ reportRequestID: string; report: unknown }>;
      expect(data).toHaveLength(1);
      expect(data[0]?.reportRequestID).toBe(reportRequestID);

      expect(expectType((await h.post('EiReport', usage(venID, 'nope', 'up-2'))).message, 'oadrUpdatedReport').eiResponse.responseCode).toBe('452');
      expect(expectType((await h.post('EiReport', usage(venID, reportRequestID, 'up-3', 'OTHER'))).message, 'oadrUpdatedReport').eiResponse.responseCode).toBe('452');
      expect(expectType((await h.post('EiReport', usage(venID, reportRequestID, 'up-4', 'TELEMETRY_USAGE_1', 'energy'))).message, 'oadrUpdatedReport').eiResponse.responseCode).toBe('452');

      expect((await h.admin('POST', `/admin/v1/report-requests/${reportRequestID}/cancel`, { reportToFollow: true })).status).toBe(202);
      const cancel = expectType((await h.drain(venID))[0], 'oadrCancelReport');
      expect(cancel).toMatchObject({ reportRequestID: [reportRequestID], reportToFollow: true });
      // A last update after the cancellation is stored and answered with the cancellation piggy-backed.
      const last = expectType((await h.post('EiReport', usage(venID, reportRequestID, 'up-5'))).message, 'oadrUpdatedReport');
      expect(last.oadrCancelReport?.reportRequestID).toEqual([reportRequestID]);
      const canceled = await h.post('EiReport', { type: 'oadrCanceledReport', body: { eiResponse: { responseCode: '200', requestID: cancel.requestID }, oadrPendingReports: [], venID } });
      expect(expectType(canceled.message, 'oadrResponse').eiResponse.responseCode).toBe('200');
    });

    it('acknowledges the oadrCanceledReport answering a cancellation piggy-backed on oadrUpdatedReport, which replaces the queued one (TH R1_3050)', async () => {
      const venID = await registered();
      await h.post('EiReport', metadata(venID));
      const { reportRequestID } = (await h.admin('POST', `/admin/v1/vens/${venID}/report-requests`, { reportSpecifierID: 'TELEMETRY_USAGE_1', granularity: 'PT1M', reportBackDuration: 'PT1M' })).json as { reportRequestID: string };
      const create = expectType((await h.drain(venID))[0], 'oadrCreateReport');
      await h.post('EiReport', { type: 'oadrCreatedReport', body: { eiResponse: { responseCode: '200', requestID: create.requestID }, oadrPendingReports: [reportRequestID], venID } });
      expect((await h.admin('POST', `/admin/v1/report-requests/${reportRequestID}/cancel`, {})).status).toBe(202);
      const piggyBacked = expectType((await h.post('EiReport', usage(venID, reportRequestID, 'up-6'))).message, 'oadrUpdatedReport').oadrCancelReport;
      expect(piggyBacked?.reportRequestID).toEqual([reportRequestID]);
      const canceled = await h.post('EiReport', { type: 'oadrCanceledReport', body: { eiResponse: { responseCode: '200', requestID: piggyBacked?.requestID ?? '' }, oadrPendingReports: [], venID } });
      expect(expectType(canceled.message, 'oadrResponse').eiResponse.responseCode).toBe('200');
      expect(await h.drain(venID)).toEqual([]);
    });

    it('refuses a request for a report the VEN did not register (404) or rIDs it does not have (400)', async () => {
      const venID = await registered();
      await h.post('EiReport', metadata(venID));
      expect((await h.admin('POST', `/admin/v1/vens/${venID}/report-requests`, { reportSpecifierID: 'NOPE', granularity: 'PT1M', reportBackDuration: 'PT1M' })).status).toBe(404);
      const bad = await h.admin('POST', `/admin/v1/vens/${venID}/report-requests`, { reportSpecifierID: 'TELEMETRY_USAGE_1', granularity: 'PT1M', reportBackDuration: 'PT1M', rIDs: ['energy'] });
      expect(bad.status).toBe(400);
    });

    it('refuses a granularity shorter than the minimum sampling period the VEN registered (400, field named)', async () => {
      const venID = await registered();
      await h.post('EiReport', metadata(venID));
      const tooFast = await h.admin('POST', `/admin/v1/vens/${venID}/report-requests`, { reportSpecifierID: 'TELEMETRY_USAGE_1', granularity: 'PT10S', reportBackDuration: 'PT1M' });
      expect(tooFast.status).toBe(400);
      expect(tooFast.json).toMatchObject({ error: { details: ['/granularity'], message: expect.stringMatching(/PT10S is shorter than the VEN's minimum sampling period PT1M for rID power/) as unknown } });
      const months = await h.admin('POST', `/admin/v1/vens/${venID}/report-requests`, { reportSpecifierID: 'TELEMETRY_USAGE_1', granularity: 'P1M', reportBackDuration: 'PT1M' });
      expect(months.status).toBe(400);
      expect((await h.admin('POST', `/admin/v1/vens/${venID}/report-requests`, { reportSpecifierID: 'TELEMETRY_USAGE_1', granularity: 'PT1M', reportBackDuration: 'PT1M' })).status).toBe(201);
    });

    it('asks for several reports in one oadrCreateReport, stores each and matches the answer and the updates to each (TH R1_3180)', async () => {
      const venID = await registered();
      await h.post('EiReport', metadata(venID));
      const periodic = { reportSpecifierID: 'TELEMETRY_USAGE_1', granularity: 'PT1M', reportBackDuration: 'PT5M', reportInterval: { dtstart: '2026-11-27T12:00:00Z', duration: 'PT0S' } };
      const once = { reportSpecifierID: 'TELEMETRY_USAGE_1', granularity: 'PT0M', reportBackDuration: 'PT0M' };
      const asked = await h.admin('POST', `/admin/v1/vens/${venID}/report-requests`, { requests: [periodic, once] });
      expect(asked.status).toBe(201);
      const { reportRequestIDs } = asked.json as { reportRequestIDs: string[] };
      expect(new Set(reportRequestIDs).size).toBe(2);
      const sent = await h.drain(venID);
      expect(sent).toHaveLength(1);
      const create = expectType(sent[0], 'oadrCreateReport');
      expect(create.oadrReportRequest.map((r) => r.reportRequestID)).toEqual(reportRequestIDs);
      expect(create.oadrReportRequest.map((r) => r.reportSpecifier.reportBackDuration)).toEqual(['PT5M', 'PT0M']);
      const ack = await h.post('EiReport', { type: 'oadrCreatedReport', body: { eiResponse: { responseCode: '200', requestID: create.requestID }, oadrPendingReports: reportRequestIDs, venID } });
      expect(expectType(ack.message, 'oadrResponse').eiResponse.responseCode).toBe('200');
      const stored = ((await h.admin('GET', `/admin/v1/vens/${venID}/reports`)).json as { requests: Array<{ reportRequestID: string; status: string }> }).requests;
      expect(stored.filter((r) => reportRequestIDs.includes(r.reportRequestID)).map((r) => r.status)).toEqual(['active', 'active']);
      for (const [i, reportRequestID] of reportRequestIDs.entries()) {
        expect(expectType((await h.post('EiReport', usage(venID, reportRequestID, `up-${i}`))).message, 'oadrUpdatedReport').eiResponse.responseCode).toBe('200');
      }
      const data = (await h.admin('GET', `/admin/v1/report-data?venID=${venID}`)).json as Array<{ reportRequestID: string }>;
      expect(data.map((r) => r.reportRequestID).sort()).toEqual([...reportRequestIDs].sort());
    });

    it('refuses a batch of report requests with one bad entry as a whole, naming the entry, and sends nothing', async () => {
      const venID = await registered();
      await h.post('EiReport', metadata(venID));
      const good = { reportSpecifierID: 'TELEMETRY_USAGE_1', granularity: 'PT1M', reportBackDuration: 'PT1M' };
      const ask = (body: unknown) => h.admin('POST', `/admin/v1/vens/${venID}/report-requests`, body);
      const refusals = [
        [{ requests: [] }, 400, 'body/requests: must NOT have fewer than 1 items'],
        [{ requests: Array.from({ length: 17 }, () => good) }, 400, 'body/requests: must NOT have more than 16 items'],
        [{ requests: [good, { ...good, granularity: 'soon' }] }, 400, expect.stringMatching(/^body\/requests\/1\/granularity: /)],
        [{ requests: [good, { ...good, granularity: 'PT10S' }] }, 400, '/requests/1/granularity'],
        [{ requests: [good, { ...good, rIDs: ['energy'] }] }, 400, '/requests/1/rIDs'],
        [{ requests: [good, { ...good, reportSpecifierID: 'NOPE' }] }, 404, '/requests/1/reportSpecifierID'],
        [{ requests: [good], ...good }, 400, expect.stringMatching(/^body\/: must NOT have additional properties \(reportSpecifierID\)/)],
      ] as const;
      for (const [body, status, detail] of refusals) {
        const refused = await ask(body);
        expect({ status: refused.status, details: (refused.json as { error: { details: string[] } }).error.details }).toEqual({ status, details: expect.arrayContaining([detail]) as unknown });
      }
      expect(await h.drain(venID)).toEqual([]);
      expect(((await h.admin('GET', `/admin/v1/vens/${venID}/reports`)).json as { requests: unknown[] }).requests).toEqual([]);
      expect((await ask({ requests: [good] })).json).toEqual({ reportRequestIDs: [expect.any(String) as unknown] });
    });

    it('answers a VEN asking for the VTN METADATA with the VTN register report, and refuses other specifiers (452)', async () => {
      const venID = await registered();
      const request = (specifier: string) => ({
        type: 'oadrCreateReport' as const,
        body: {
          requestID: 'cr',
          venID,
          oadrReportRequest: [{ reportRequestID: 'q1', reportSpecifier: { reportSpecifierID: specifier, granularity: 'PT0M', reportBackDuration: 'PT0M', specifierPayload: [{ rID: 'x', readingType: 'x-notApplicable' as const }] } }],
        },
      });
      expect(expectType((await h.post('EiReport', request('METADATA'))).message, 'oadrCreatedReport').eiResponse.responseCode).toBe('200');
      const queued = expectType((await h.drain(venID))[0], 'oadrRegisterReport');
      expect(queued.reportRequestID).toBe('q1');
      expect(expectType((await h.post('EiReport', request('OTHER'))).message, 'oadrCreatedReport').eiResponse.responseCode).toBe('452');
    });
  });

  describe('report requests piggy-backed on oadrRegisteredReport (8060)', () => {
    it('answers a METADATA request with the VTN register report and refuses other specifiers (452)', async () => {
      const { venID } = await h.register();
      const report = expectType((await h.drain(venID))[0], 'oadrRegisterReport');
      const request = (specifier: string, id: string) => ({ reportRequestID: id, reportSpecifier: { reportSpecifierID: specifier, granularity: 'PT0M', reportBackDuration: 'PT0M', specifierPayload: [{ rID: 'x', readingType: 'x-notApplicable' as const }] } });
      const refused = await h.post('EiReport', { type: 'oadrRegisteredReport', body: { eiResponse: { responseCode: '200', requestID: report.requestID }, oadrReportRequest: [request('PRICES', 'q0')], venID } });
      expect(expectType(refused.message, 'oadrResponse').eiResponse.responseCode).toBe('452');
      const accepted = await h.post('EiReport', { type: 'oadrRegisteredReport', body: { eiResponse: { responseCode: '200', requestID: report.requestID }, oadrReportRequest: [request('METADATA', 'q1')], venID } });
      expect(expectType(accepted.message, 'oadrResponse').eiResponse.responseCode).toBe('200');
      expect(expectType((await h.drain(venID))[0], 'oadrRegisterReport').reportRequestID).toBe('q1');
    });
  });

  describe('bad input', () => {
    const poll = (venID: string) => encodePayload({ type: 'oadrPoll', body: { venID } });

    it('gives no payload to an unregistered or unknown VEN (N0_5080)', async () => {
      const answer = await h.post('OadrPoll', { type: 'oadrPoll', body: { venID: 'stranger' } });
      expect(answer).toMatchObject({ status: 403, text: '' });
      const opt = await h.post('EiOpt', { type: 'oadrCancelOpt', body: { requestID: 'r', optID: 'o', venID: 'stranger' } });
      expect(opt).toMatchObject({ status: 403, text: '' });
    });

    it('answers a case-swapped venID with 452 (E0_6080)', async () => {
      const venID = await registered();
      const swapped = venID.toUpperCase() === venID ? venID.toLowerCase() : venID.toUpperCase();
      const answer = await h.post('EiOpt', { type: 'oadrCancelOpt', body: { requestID: 'r', optID: 'o', venID: swapped } });
      expect(expectType(answer.message, 'oadrCanceledOpt').eiResponse.responseCode).toBe('452');
    });

    it('answers a message sent to the wrong service with 459', async () => {
      const venID = await registered();
      const answer = await h.raw(`${PREFIX}/EiEvent`, { body: poll(venID), headers: { 'content-type': 'application/xml' } });
      expect(expectType(answer.message, 'oadrResponse').eiResponse.responseCode).toBe('459');
    });

    it.each([
      ['GET', `${PREFIX}/OadrPoll`, undefined, 'application/xml', 405],
      ['POST', `${PREFIX}/Nope`, 'x', 'application/xml', 404],
      ['POST', `${PREFIX}/OadrPoll`, 'x', 'application/json', 415],
      ['POST', `${PREFIX}/OadrPoll`, 'x', 'application/xml; charset=iso-8859-1', 415],
      ['POST', `${PREFIX}/OadrPoll`, '<oadrPayload', 'application/xml', 400],
      ['POST', `${PREFIX}/OadrPoll`, '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>', 'application/xml', 400],
      ['POST', `${PREFIX}/OadrPoll`, '<foo xmlns="urn:x"/>', 'application/xml', 400],
    ])('%s %s with %s as %s → HTTP %d', async (method, path, body, type, status) => {
      const answer = await h.raw(path, { method, ...(body === undefined ? {} : { body }), headers: { 'content-type': type } });
      expect(answer.status).toBe(status);
    });

    it('refuses an oversized body before reading it (413) and one without Content-Length (411)', async () => {
      const big = `<x>${'a'.repeat(1024 * 1024 + 10)}</x>`;
      expect((await h.raw(`${PREFIX}/OadrPoll`, { body: big, headers: { 'content-type': 'application/xml' } })).status).toBe(413);
      const status = await new Promise<number>((resolve, reject) => {
        const req = request(`${h.vtn.url}${PREFIX}/OadrPoll`, { method: 'POST', headers: { 'content-type': 'application/xml', 'transfer-encoding': 'chunked' } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end(poll('x'));
      });
      expect(status).toBe(411);
    });

    it('answers a schema-invalid payload with an oadrResponse carrying 454', async () => {
      const xml = encodePayload({ type: 'oadrPoll', body: { venID: 'v' } }).replace(/<ei:venID>v<\/ei:venID>/, '');
      const answer = await h.raw(`${PREFIX}/OadrPoll`, { body: xml, headers: { 'content-type': 'application/xml' } });
      expect(answer.status).toBe(200);
      expect(expectType(answer.message, 'oadrResponse').eiResponse.responseCode).toBe('454');
    });
  });
});
