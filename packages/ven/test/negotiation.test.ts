import {
  decodePayload,
  NEGOTIATION_REPORT_NAME,
  negotiationEvent,
  readProjectionReport,
  ResponseCode,
  type NegotiationRound,
  type OadrMessage,
  type OadrReport,
  type OadrReportRequest,
} from '@oadr-kit/protocol';
import { STANDARD_SIGNALS, validateEvent } from '../src/EventEngine.js';
import { MemoryStateStore } from '../src/StateStore.js';
import { VenClient } from '../src/VenClient.js';
import type { VenError } from '../src/VenError.js';
import type { VenClientOptions, VenNegotiationHandlers } from '../src/VenOptions.js';
import { FakeVtn, type Received } from './helpers/FakeVtn.js';
import { VEN_ID } from './helpers/events.js';
import { fakeVtnTls, sleep, venOptions } from './helpers/ven.js';

const SLOT_MS = 15 * 60_000;
const SESSION = 'negotiation-1';

/** Round `iteration` of the test session: four slots starting in an hour. */
function round(iteration: number, agreed = false): NegotiationRound {
  return {
    sessionId: SESSION,
    venID: VEN_ID,
    iteration,
    marketContext: 'http://market.example.com/negotiation',
    startMs: Math.ceil((Date.now() + 3_600_000) / SLOT_MS) * SLOT_MS,
    slotMs: SLOT_MS,
    price: [0.2, 0.3, 0.25, 0.1],
    targetKw: [1 + iteration, 2, 3, 4],
    rho: 0.5,
    createdMs: Math.floor(Date.now() / 1000) * 1000,
    agreed,
  };
}

/** The answer of a VEN that follows its target, so each report shows which round it answers. */
const follow = (r: NegotiationRound): number[] => r.targetKw.map((kw) => kw / 2);

function projectionRequest(reportRequestID = 'projection-1'): OadrMessage {
  return {
    type: 'oadrCreateReport',
    body: {
      requestID: `create-${reportRequestID}`,
      oadrReportRequest: [
        {
          reportRequestID,
          reportSpecifier: { reportSpecifierID: NEGOTIATION_REPORT_NAME, granularity: 'PT15M', reportBackDuration: 'PT15M', specifierPayload: [{ rID: 'projection', readingType: 'Projected' }] },
        },
      ],
    },
  };
}

function updateReportOf(received: Received): OadrReport {
  const message = received.message as Extract<OadrMessage, { type: 'oadrUpdateReport' }>;
  return message.body.oadrReport?.[0] as OadrReport;
}

function projections(vtn: FakeVtn): string[] {
  return vtn.received.filter((r) => r.message.type === 'oadrUpdateReport').map((r) => updateReportOf(r).eiReportID ?? '');
}

function createdEventCodes(vtn: FakeVtn): Array<[string, string | undefined]> {
  return vtn.received
    .filter((r) => r.message.type === 'oadrCreatedEvent')
    .flatMap((r) => (r.message as Extract<OadrMessage, { type: 'oadrCreatedEvent' }>).body.eiCreatedEvent.eventResponses ?? [])
    .map((response) => [response.responseCode, response.optType]);
}

/** A promise with its resolve function, to hold a handler until the test lets it go. */
function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve: (value: T) => void = () => undefined;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

let vtn: FakeVtn;
let ven: VenClient | undefined;
let errors: VenError[];

beforeEach(async () => {
  vtn = await FakeVtn.start(fakeVtnTls());
  errors = [];
});

afterEach(async () => {
  await ven?.stop();
  ven = undefined;
  await vtn.close();
});

async function startVen(mode: 'pull' | 'push', negotiation: VenNegotiationHandlers | undefined, overrides: Partial<VenClientOptions> = {}): Promise<VenClient> {
  const client = new VenClient(
    venOptions(vtn, { ...(negotiation === undefined ? {} : { negotiation }), ...(mode === 'push' ? { push: { port: 0, host: '127.0.0.1' } } : {}), ...overrides }),
  );
  ven = client;
  client.on('error', (error) => errors.push(error));
  const registered = client.next('registered');
  await client.start();
  await registered;
  return client;
}

/**
 * Delivers a VTN message the way the mode does: queued for the next poll, or pushed. Resolves with the
 * VEN's direct reply, if any (the pushed HTTP answer, or the reply it POSTs after a poll).
 */
async function deliver(mode: 'pull' | 'push', message: OadrMessage, reply?: OadrMessage['type']): Promise<OadrMessage | undefined> {
  if (mode === 'push') {
    const service = message.type === 'oadrDistributeEvent' ? 'EiEvent' : 'EiReport';
    const answer = await vtn.push((ven as VenClient).pushAddress as string, service, message);
    expect(answer.status).toBe(200);
    return answer.body === '' ? undefined : decodePayload(answer.body).message;
  }
  const from = vtn.received.length;
  vtn.queue.push(message);
  return reply === undefined ? undefined : (await vtn.waitFor(reply, () => true, from)).message;
}

function distributeRound(r: NegotiationRound): OadrMessage {
  vtn.events = [negotiationEvent(r)];
  return vtn.distribute();
}

it('registers the projection report beside its telemetry when it negotiates', async () => {
  await startVen('pull', { respond: follow });
  const register = vtn.received.find((r) => r.message.type === 'oadrRegisterReport')?.message as Extract<OadrMessage, { type: 'oadrRegisterReport' }>;
  expect(register.body.oadrReport?.map((r) => [r.reportName, r.reportSpecifierID])).toEqual([
    ['METADATA_TELEMETRY_STATUS', 'TELEMETRY_STATUS'],
    ['METADATA_TELEMETRY_USAGE', 'TELEMETRY_USAGE'],
    ['METADATA_TELEMETRY_USAGE', NEGOTIATION_REPORT_NAME],
  ]);
  expect(register.body.oadrReport?.[2]?.oadrReportDescription).toEqual([
    {
      rID: 'projection',
      reportType: 'usage',
      readingType: 'Projected',
      itemBase: { powerReal: { itemDescription: 'RealPower', itemUnits: 'W', siScaleCode: 'k', powerAttributes: { hertz: 50, voltage: 230, ac: true } } },
      oadrSamplingRate: { oadrMinPeriod: 'PT1M', oadrMaxPeriod: 'P1D', oadrOnChange: false },
    },
  ]);
});

describe.each(['pull', 'push'] as const)('a round in %s mode', (mode) => {
  it('is opted in without decideOpt and answered with exactly one projection', async () => {
    const rounds: NegotiationRound[] = [];
    const decided: string[] = [];
    const client = await startVen(mode, { respond: (r) => (rounds.push(r), Float64Array.from(follow(r))) }, { handlers: { decideOpt: (event) => (decided.push(event.eventID), Promise.resolve('optOut')) } });
    const created = await deliver(mode, projectionRequest(), 'oadrCreatedReport');
    expect(created).toMatchObject({ type: 'oadrCreatedReport', body: { eiResponse: { responseCode: '200' }, oadrPendingReports: ['projection-1'] } });
    const delivered = client.next('negotiationRound');
    await deliver(mode, distributeRound(round(0)));
    const update = await vtn.waitFor('oadrUpdateReport');
    const report = updateReportOf(update);
    expect(report).toMatchObject({ eiReportID: `${SESSION}#0`, reportRequestID: 'projection-1', reportSpecifierID: NEGOTIATION_REPORT_NAME, reportName: NEGOTIATION_REPORT_NAME });
    expect(readProjectionReport(report)).toMatchObject({ sessionId: SESSION, iteration: 0, rID: 'projection', startMs: round(0).startMs, slotMs: SLOT_MS, profileKw: [0.5, 1, 1.5, 2] });
    const [deliveredRound, profileKw] = await delivered;
    expect([deliveredRound.iteration, profileKw]).toEqual([0, [0.5, 1, 1.5, 2]]);
    expect(rounds.map((r) => [r.sessionId, r.iteration, r.targetKw, r.price, r.rho])).toEqual([[SESSION, 0, [1, 2, 3, 4], [0.2, 0.3, 0.25, 0.1], 0.5]]);
    expect(decided).toEqual([]);
    expect(createdEventCodes(vtn)).toEqual([['200', 'optIn']]);
    // oadrCreatedEvent goes first, the projection after it.
    expect(vtn.received.findIndex((r) => r.message.type === 'oadrCreatedEvent')).toBeLessThan(vtn.received.indexOf(update));
    await sleep(150);
    expect(projections(vtn)).toEqual([`${SESSION}#0`]);
    expect(errors).toEqual([]);
  });

  it('keeps the answer of a round that came before the report request, and sends it when the request arrives', async () => {
    const client = await startVen(mode, { respond: follow });
    await deliver(mode, distributeRound(round(0)));
    await vtn.waitFor('oadrCreatedEvent');
    await sleep(150);
    expect(projections(vtn)).toEqual([]);
    const delivered = client.next('negotiationRound');
    await deliver(mode, projectionRequest('late-request'), 'oadrCreatedReport');
    await delivered;
    const report = updateReportOf(await vtn.waitFor('oadrUpdateReport'));
    expect([report.eiReportID, report.reportRequestID]).toEqual([`${SESSION}#0`, 'late-request']);
    await sleep(100);
    expect(projections(vtn)).toEqual([`${SESSION}#0`]);
  });

  it('sends a kept answer after the oadrCreatedReport for a request that rides on re-registration', async () => {
    const client = await startVen(mode, { respond: follow });
    await deliver(mode, distributeRound(round(0)));
    await vtn.waitFor('oadrCreatedEvent');
    vtn.reportRequestsOnRegister = [(projectionRequest('on-register').body as { oadrReportRequest: OadrReportRequest[] }).oadrReportRequest[0] as OadrReportRequest];
    const delivered = client.next('negotiationRound');
    await deliver(mode, { type: 'oadrRequestReregistration', body: { venID: VEN_ID } });
    await delivered;
    const types = vtn.received.map((r) => r.message.type);
    expect(types.indexOf('oadrCreatedReport')).toBeGreaterThan(types.indexOf('oadrRegisterReport', types.lastIndexOf('oadrCreatePartyRegistration')));
    expect(types.indexOf('oadrCreatedReport')).toBeLessThan(types.indexOf('oadrUpdateReport'));
    expect(updateReportOf(vtn.received[types.indexOf('oadrUpdateReport')] as Received).reportRequestID).toBe('on-register');
  });

  it('answers only the newest of rounds that piled up while respond was running', async () => {
    const gate = deferred<undefined>();
    const asked: number[] = [];
    const client = await startVen(mode, {
      respond: async (r) => {
        asked.push(r.iteration);
        if (r.iteration === 0) await gate.promise;
        return follow(r);
      },
    });
    await deliver(mode, projectionRequest(), 'oadrCreatedReport');
    await deliver(mode, distributeRound(round(0)));
    await vtn.waitFor('oadrCreatedEvent');
    const pollsBefore = vtn.count('oadrPoll');
    await deliver(mode, distributeRound(round(1)));
    await deliver(mode, distributeRound(round(2)));
    await vtn.waitFor('oadrCreatedEvent', (r) => JSON.stringify(r.message).includes('"modificationNumber":2'));
    // The VEN kept handling the VTN's messages (and polling) while respond held round 0.
    if (mode === 'pull') expect(vtn.count('oadrPoll')).toBeGreaterThanOrEqual(pollsBefore + 2);
    expect(createdEventCodes(vtn)).toEqual([['200', 'optIn'], ['200', 'optIn'], ['200', 'optIn']]);
    expect(asked).toEqual([0]);
    const delivered = client.next('negotiationRound');
    gate.resolve(undefined);
    expect((await delivered)[0].iteration).toBe(2);
    await sleep(100);
    expect(asked).toEqual([0, 2]);
    expect(projections(vtn)).toEqual([`${SESSION}#2`]);
  });
});

it('never sends an older answer once a newer round came, even when the newer one fails', async () => {
  const gate = deferred<undefined>();
  const client = await startVen('push', {
    respond: async (r) => {
      if (r.iteration === 1) throw new Error('infeasible');
      await gate.promise;
      return follow(r);
    },
  });
  await deliver('push', projectionRequest(), 'oadrCreatedReport');
  await deliver('push', distributeRound(round(0)));
  await deliver('push', distributeRound(round(1)));
  await vtn.waitFor('oadrCreatedEvent', (r) => JSON.stringify(r.message).includes('"modificationNumber":1'));
  const failed = client.next('error');
  gate.resolve(undefined);
  expect((await failed)[0].message).toMatch(/round 1 of negotiation/);
  await sleep(150);
  expect(projections(vtn)).toEqual([]);
});

it('sends nothing for a round whose event the VTN cancelled while respond was running', async () => {
  const gate = deferred<undefined>();
  const client = await startVen('push', { respond: async (r) => (await gate.promise, follow(r)) });
  await deliver('push', projectionRequest(), 'oadrCreatedReport');
  await deliver('push', distributeRound(round(0)));
  const cancelled = client.next('eventCancelled');
  const event = negotiationEvent(round(1));
  vtn.events = [{ ...event, eiEvent: { ...event.eiEvent, eventDescriptor: { ...event.eiEvent.eventDescriptor, eventStatus: 'cancelled' } } }];
  await deliver('push', vtn.distribute());
  expect((await cancelled)[0].eventID).toBe(SESSION);
  gate.resolve(undefined);
  await sleep(150);
  expect(projections(vtn)).toEqual([]);
  expect(errors).toEqual([]);
});

describe('a failing respond', () => {
  it.each([
    ['throws', (): number[] => { throw new Error('solver diverged'); }, /solver diverged/],
    ['answers too few slots', (): number[] => [1, 2], /2 values, not 4/],
    ['answers a non-finite value', (): number[] => [1, Number.NaN, 2, 3], /NaN for slot 1/],
    ['does not answer in time', (): Promise<number[]> => new Promise(() => undefined), /did not answer within 200 ms/],
  ])('%s: nothing is sent, the error is reported and the next round is answered', async (_name, failing, cause) => {
    const client = await startVen(
      'pull',
      { respond: (r) => (r.iteration === 0 ? failing() : follow(r)) },
      { handlerTimeoutMs: 200 },
    );
    await deliver('pull', projectionRequest(), 'oadrCreatedReport');
    const failed = client.next('error');
    await deliver('pull', distributeRound(round(0)));
    const [error] = await failed;
    expect(error.code).toBe('OADR_ERR_VEN_HANDLER_FAILED');
    expect(`${error.message} ${String((error.cause as Error | undefined)?.message)}`).toMatch(cause);
    expect(error.message).toMatch(/round 0 of negotiation negotiation-1/);
    await sleep(100);
    expect(projections(vtn)).toEqual([]);
    const delivered = client.next('negotiationRound');
    await deliver('pull', distributeRound(round(1)));
    await delivered;
    expect(projections(vtn)).toEqual([`${SESSION}#1`]);
  });
});

it('hands the agreed schedule to agreed() and sends no projection for it', async () => {
  const agreed: NegotiationRound[] = [];
  const client = await startVen('pull', {
    respond: follow,
    agreed: (r) => {
      agreed.push(r);
    },
  });
  await deliver('pull', projectionRequest(), 'oadrCreatedReport');
  const delivered = client.next('negotiationRound');
  await deliver('pull', distributeRound(round(0)));
  await delivered;
  const done = client.next('negotiationAgreed');
  await deliver('pull', distributeRound({ ...round(1), agreed: true }));
  const [emitted] = await done;
  expect(emitted).toMatchObject({ sessionId: SESSION, iteration: 1, agreed: true, targetKw: [2, 2, 3, 4] });
  expect(agreed).toEqual([emitted]);
  expect(createdEventCodes(vtn)).toEqual([['200', 'optIn'], ['200', 'optIn']]);
  await sleep(100);
  expect(projections(vtn)).toEqual([`${SESSION}#0`]);
  expect(errors).toEqual([]);
});

it('reports a failing agreed() and still announces the agreement', async () => {
  const client = await startVen('pull', { respond: follow, agreed: () => Promise.reject(new Error('device offline')) });
  const failed = client.next('error');
  const done = client.next('negotiationAgreed');
  await deliver('pull', distributeRound({ ...round(3), agreed: true }));
  const [error] = await failed;
  expect([error.code, (error.cause as Error).message]).toEqual(['OADR_ERR_VEN_HANDLER_FAILED', 'device offline']);
  expect((await done)[0].iteration).toBe(3);
});

it('keeps the projection request in its state, lists it as pending, and cancels it like any request', async () => {
  const store = new MemoryStateStore();
  await startVen('pull', { respond: follow }, { store });
  await deliver('pull', projectionRequest('first'), 'oadrCreatedReport');
  const created = await deliver('pull', projectionRequest('second'), 'oadrCreatedReport');
  // The newest request wins: it is the only one pending and kept.
  expect(created?.body).toMatchObject({ oadrPendingReports: ['second'] });
  expect((await store.load())?.reportRequests.map((r) => r.reportRequestID)).toEqual(['second']);
  const canceled = await deliver('pull', { type: 'oadrCancelReport', body: { requestID: 'cancel-1', reportRequestID: ['second'], reportToFollow: false } }, 'oadrCanceledReport');
  expect(canceled?.body).toMatchObject({ eiResponse: { responseCode: '200', requestID: 'cancel-1' }, oadrPendingReports: [] });
  expect((await store.load())?.reportRequests).toEqual([]);
  await deliver('pull', distributeRound(round(0)));
  await vtn.waitFor('oadrCreatedEvent');
  await sleep(150);
  expect(projections(vtn)).toEqual([]);
});

it('resumes with the projection request it kept across a restart', async () => {
  const store = new MemoryStateStore();
  await startVen('pull', { respond: follow }, { store });
  await deliver('pull', projectionRequest('kept'), 'oadrCreatedReport');
  await (ven as VenClient).stop();
  const client = await startVen('pull', { respond: follow }, { store });
  const delivered = client.next('negotiationRound');
  await deliver('pull', distributeRound(round(0)));
  await delivered;
  expect(vtn.received.filter((r) => r.message.type === 'oadrUpdateReport').map((r) => updateReportOf(r).reportRequestID)).toEqual(['kept']);
});

it('drops a kept projection request when it restarts without the negotiation option', async () => {
  const store = new MemoryStateStore();
  await startVen('pull', { respond: follow }, { store });
  await deliver('pull', projectionRequest('kept'), 'oadrCreatedReport');
  await (ven as VenClient).stop();
  await startVen('pull', undefined, { store });
  const canceled = await deliver('pull', { type: 'oadrCancelReport', body: { requestID: 'cancel-kept', reportRequestID: ['kept'], reportToFollow: false } }, 'oadrCanceledReport');
  expect(canceled?.body).toMatchObject({ eiResponse: { responseCode: ResponseCode.INVALID_ID }, oadrPendingReports: [] });
  expect(vtn.count('oadrUpdateReport')).toBe(0);
});

it('answers 460 to a negotiation round when it does not negotiate, and refuses a projection request', async () => {
  await startVen('pull', undefined);
  await deliver('pull', distributeRound(round(0)));
  await vtn.waitFor('oadrCreatedEvent');
  expect(createdEventCodes(vtn)).toEqual([[ResponseCode.SIGNAL_NOT_SUPPORTED, 'optOut']]);
  expect(errors.map((e) => e.code)).toEqual(['OADR_ERR_VEN_EVENT_REFUSED']);
  const created = await deliver('pull', projectionRequest(), 'oadrCreatedReport');
  expect(created?.body).toMatchObject({ eiResponse: { responseCode: ResponseCode.INVALID_ID } });
  expect(projections(vtn)).toEqual([]);
});

it('refuses a round it cannot read back with 454', () => {
  const event = negotiationEvent(round(0)).eiEvent;
  const signals = event.eiEventSignals.eiEventSignal.filter((s) => s.signalName !== 'LOAD_DISPATCH');
  const supported = new Set([...STANDARD_SIGNALS, 'x-ADMM_PENALTY']);
  expect(validateEvent(event, supported)).toBeUndefined();
  expect(validateEvent({ ...event, eiEventSignals: { eiEventSignal: signals } }, supported)).toMatchObject({ code: ResponseCode.INVALID_DATA, description: expect.stringMatching(/lacks its LOAD_DISPATCH/) });
});
