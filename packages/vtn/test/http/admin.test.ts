import { expectType, simpleEvent, startHarness, type Harness } from '../helpers/harness.js';

describe('admin API', () => {
  let h: Harness;

  beforeEach(async () => {
    h = await startHarness({ registration: { autoApprove: false } });
  });

  afterEach(async () => {
    await h.close();
  });

  it('refuses requests without the token (401) and serves /health and /metrics without it', async () => {
    expect((await h.admin('GET', '/admin/v1/vens', undefined, 'wrong-token-0123456789')).status).toBe(401);
    const none = await h.admin('GET', '/admin/v1/vens', undefined, '');
    expect(none.status).toBe(401);
    expect(none.json).toMatchObject({ error: { code: 'OADR_ERR_VTN_UNAUTHORIZED' } });
    expect((await h.admin('GET', '/health', undefined, '')).status).toBe(200);
    await h.post('OadrPoll', { type: 'oadrPoll', body: { venID: 'x' } });
    const response = await fetch(`${h.vtn.adminUrl}/metrics`);
    const text = await response.text();
    expect(text).toMatch(/oadr_vtn_requests_total\{service="OadrPoll",message="oadrPoll",outcome="403"\} 1/);
  });

  it.each([
    ['POST', '/admin/v1/vens', '{ not json', /not JSON/],
    ['POST', '/admin/v1/vens', { venID: 'a', colour: 'blue' }, /colour/],
    ['POST', '/admin/v1/vens', { fingerprint: 'zz' }, /fingerprint/],
    ['POST', '/admin/v1/programs', { programID: 'p', name: 'P', marketContext: 'not a uri' }, /marketContext/],
    ['POST', '/admin/v1/events', { marketContext: 'http://m', signals: [] }, /activePeriod/],
    ['POST', '/admin/v1/events', simpleEvent({ activePeriod: { dtstart: 'tomorrow', duration: 'PT1H' } }), /dtstart/],
    ['POST', '/admin/v1/events', simpleEvent({ signals: [{ signalName: 'SIMPLE', signalType: 'level', signalID: 's', intervals: [{ duration: 'PT30M', signalPayload: 1 }] }] }), /rule 8/],
    ['POST', '/admin/v1/events', simpleEvent({ signals: [{ signalName: 'SIMPLE', signalType: 'loud', signalID: 's', intervals: [{ duration: 'PT1H', signalPayload: 1 }] }] }), /signalType/],
    ['POST', '/admin/v1/events', simpleEvent({ activePeriod: { dtstart: '2020-01-01T00:00:00Z', duration: 'PT1H' } }), /over already/],
    ['GET', '/admin/v1/events?status=soon', undefined, /status/],
    ['GET', '/admin/v1/report-data?limit=0', undefined, /limit/],
  ])('%s %s with a bad body or query → 400 naming the field', async (method, path, body, message) => {
    const answer = await h.admin(method, path, body);
    expect(answer.status).toBe(400);
    expect(JSON.stringify(answer.json)).toMatch(message);
  });

  it('answers unknown VENs, events, programs and routes with 404', async () => {
    expect((await h.admin('GET', '/admin/v1/vens/nope')).status).toBe(404);
    expect((await h.admin('GET', '/admin/v1/events/nope')).status).toBe(404);
    expect((await h.admin('POST', '/admin/v1/events', simpleEvent({ marketContext: undefined, programID: 'nope' }))).status).toBe(404);
    expect((await h.admin('POST', '/admin/v1/events/nope/cancel')).status).toBe(404);
    expect((await h.admin('GET', '/admin/v1/elsewhere')).status).toBe(404);
  });

  it('holds a new VEN for approval (463) and registers it once approved', async () => {
    const body = { requestID: 'r', oadrProfileName: '2.0b' as const, oadrTransportName: 'simpleHttp' as const, oadrReportOnly: false, oadrXmlSignature: false, venID: 'house-9' };
    expect((await h.admin('POST', '/admin/v1/vens', { venID: 'house-9', groupIDs: ['g'] })).status).toBe(201);
    expect((await h.admin('POST', '/admin/v1/vens', { venID: 'house-9' })).status).toBe(409);
    // A provisioned VEN is approved; an unknown one waits.
    const provisioned = await h.post('EiRegisterParty', { type: 'oadrCreatePartyRegistration', body });
    expect(expectType(provisioned.message, 'oadrCreatedPartyRegistration')).toMatchObject({ eiResponse: { responseCode: '200' }, venID: 'house-9' });
    const anonymous: Omit<typeof body, 'venID'> & { venID?: string } = { ...body };
    delete anonymous.venID;
    const waiting = await h.post('EiRegisterParty', { type: 'oadrCreatePartyRegistration', body: anonymous });
    expect(expectType(waiting.message, 'oadrCreatedPartyRegistration').eiResponse.responseCode).toBe('463');
    const vens = (await h.admin('GET', '/admin/v1/vens')).json as Array<{ venID: string; state: string }>;
    const pending = vens.find((v) => v.state === 'awaiting-approval');
    expect(pending).toBeDefined();
    expect(vens.find((v) => v.venID === 'house-9')?.state).toBe('registered');
    expect((await h.admin('POST', `/admin/v1/vens/${pending?.venID ?? ''}/approve`)).status).toBe(200);
    // Without TLS the VEN names itself to be recognised again.
    const again = await h.post('EiRegisterParty', { type: 'oadrCreatePartyRegistration', body: { ...anonymous, venID: pending?.venID ?? '' } });
    expect(expectType(again.message, 'oadrCreatedPartyRegistration').eiResponse.responseCode).toBe('200');
  });

  it('creates programs, lists events by status and refuses overlapping events for one VEN (rule 18)', async () => {
    expect((await h.admin('POST', '/admin/v1/programs', { programID: 'cpp', name: 'Critical peak', marketContext: 'http://market.example.com/cpp' })).status).toBe(201);
    expect(((await h.admin('GET', '/admin/v1/programs')).json as unknown[]).length).toBe(1);
    await h.admin('POST', '/admin/v1/vens', { venID: 'v1' });
    await h.register({ venID: 'v1' });
    const first = await h.admin('POST', '/admin/v1/events', simpleEvent({ eventID: 'e1', marketContext: undefined, programID: 'cpp' }));
    expect(first.status).toBe(201);
    expect(first.json).toMatchObject({ marketContext: 'http://market.example.com/cpp', status: 'far', vens: 1 });
    const overlap = await h.admin('POST', '/admin/v1/events', simpleEvent({ eventID: 'e2', marketContext: undefined, programID: 'cpp' }));
    expect(overlap.status).toBe(409);
    expect((await h.admin('POST', '/admin/v1/events', simpleEvent({ eventID: 'e1' }))).status).toBe(409);
    expect(((await h.admin('GET', '/admin/v1/events?status=far')).json as unknown[]).length).toBe(1);
    expect(((await h.admin('GET', '/admin/v1/events?status=active')).json as unknown[]).length).toBe(0);
    expect((await h.admin('POST', '/admin/v1/events/e1/cancel', { reason: 'grid ok' })).json).toMatchObject({ status: 'cancelled', modificationNumber: 1 });
    expect((await h.admin('POST', '/admin/v1/events/e1/cancel')).status).toBe(409);
    expect((await h.admin('PUT', '/admin/v1/events/e1', simpleEvent())).status).toBe(409);
  });

  it('refuses to deregister or ask re-registration of an unregistered VEN (409)', async () => {
    await h.admin('POST', '/admin/v1/vens', { venID: 'idle' });
    expect((await h.admin('POST', '/admin/v1/vens/idle/deregister')).status).toBe(409);
    expect((await h.admin('POST', '/admin/v1/vens/idle/reregister')).status).toBe(409);
    expect((await h.admin('POST', '/admin/v1/vens/none/reregister')).status).toBe(404);
  });
});
