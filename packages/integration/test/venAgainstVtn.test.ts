import { formatDateTime, type EiEventSignal, type OadrReport } from '@oadr-kit/protocol';
import { DEFAULT_REPORT_CAPABILITIES, silentLogger, VenClient, type VenEvent } from '@oadr-kit/ven';
import type { RunningVtn } from '@oadr-kit/vtn';
import { startTestVtn, testPki } from './helpers/testVtn.js';

/** Resolves once `check` holds, polling every 50 ms, or fails after `ms` with what was awaited. */
async function eventually<T>(what: string, check: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('our VEN against our VTN over mutual TLS', () => {
  const pki = testPki();
  const ca = pki.ca;
  const venCert = pki.ven('house-17');
  const price: EiEventSignal = {
    intervals: [
      { duration: 'PT15M', uid: '0', signalPayload: 0.21 },
      { duration: 'PT15M', uid: '1', signalPayload: 0.34 },
    ],
    signalName: 'ELECTRICITY_PRICE',
    signalType: 'price',
    signalID: 'price',
    itemBase: { currencyPerKWh: { itemDescription: 'currencyPerKWh', itemUnits: 'EUR', siScaleCode: 'none' } },
  };
  let vtn: RunningVtn;
  let ven: VenClient;
  let venID: string;
  const received: string[] = [];

  beforeAll(async () => {
    // The VEN polls at the longer of its own interval and the VTN's frequency; a test wants quick rounds.
    vtn = await startTestVtn(pki, {
      pollFrequency: 'PT0S',
      reports: [{ reportSpecifierID: 'feeder-3', reportName: 'TELEMETRY_USAGE', points: [{ rID: 'feeder-3-kw', itemBase: 'powerReal', minPeriod: 'PT1S' }] }],
    });
    ven = new VenClient({
      vtnUrl: vtn.url,
      venName: 'house-17',
      tls: { certPem: venCert.certificatePem, keyPem: venCert.keyPem, caPem: ca },
      pollIntervalMs: 100,
      logger: silentLogger,
      // A meter that samples every second, so a test can watch periodic reports without waiting minutes.
      reports: DEFAULT_REPORT_CAPABILITIES.map((point) => ({ ...point, minPeriodMs: 1000 })),
      handlers: {
        decideOpt: async (event: VenEvent) => (event.signals.some((s) => s.signalName === 'ELECTRICITY_PRICE') ? 'optIn' : 'optOut'),
        readReport: async () => [{ rID: 'power', value: 2.5 }],
      },
    });
    ven.on('eventReceived', (event, kind) => received.push(`${kind}:${event.eventID}:${event.modificationNumber}`));
    ven.on('eventCancelled', (event) => received.push(`cancelled:${event.eventID}`));
    const registered = ven.next('registered');
    await ven.start();
    [{ venID }] = await registered;
  });

  afterAll(async () => {
    await ven.stop();
    await vtn.close();
  });

  test('registration binds the VEN and its reports at the VTN', async () => {
    const record = await vtn.app.store.getVen(venID);
    expect(record?.registrationID).toBeDefined();
    expect(record?.fingerprint).toBeDefined();
  });

  test('an event created at the VTN reaches the VEN, whose opt-in comes back; a modification and a cancellation follow', async () => {
    const start = Date.now() + 3_600_000;
    const event = await vtn.app.core.createEvent({ marketContext: 'http://dso.example/program', activePeriod: { dtstart: formatDateTime(start), duration: 'PT30M' }, signals: [price], target: { venID: [venID] } });
    const delivery = await eventually('the opt-in of modification 0', async () => {
      const d = await vtn.app.store.getDelivery(event.eventID, venID);
      return d?.responseMod === 0 ? d : undefined;
    });
    expect(delivery.responseOpt).toBe('optIn');
    expect(received).toContain(`new:${event.eventID}:0`);

    await vtn.app.core.modifyEvent(event.eventID, { marketContext: 'http://dso.example/program', activePeriod: { dtstart: formatDateTime(start + 600_000), duration: 'PT30M' }, signals: [price], target: { venID: [venID] } });
    await eventually('the answer to modification 1', async () => ((await vtn.app.store.getDelivery(event.eventID, venID))?.responseMod === 1 ? true : undefined));
    expect(received).toContain(`modified:${event.eventID}:1`);

    await vtn.app.core.cancelEvent(event.eventID);
    await eventually('the cancellation at the VEN', async () => (received.includes(`cancelled:${event.eventID}`) ? true : undefined));
  });

  test('an opt schedule from the VEN is recorded at the VTN', async () => {
    const start = Date.now() + 7_200_000;
    const optID = await ven.createOptSchedule({ optType: 'optOut', availability: [{ startMs: start, durationMs: 3_600_000 }] });
    const opt = await vtn.app.store.getOpt(venID, optID);
    expect(opt?.optType).toBe('optOut');
  });

  test('a one-shot report the VTN requests arrives as telemetry, stored with the VEN', async () => {
    const reportRequestID = await vtn.app.core.requestReport(venID, { reportSpecifierID: 'TELEMETRY_USAGE', granularity: 'PT1M', reportBackDuration: 'PT0S' });
    const rows = await eventually('telemetry from the VEN', async () => {
      const data = await vtn.app.store.listReportData({ venID, reportRequestID });
      return data.length > 0 ? data : undefined;
    });
    expect(rows[0]!.venID).toBe(venID);
  });

  test('a periodic report the VTN requests arrives every reportBackDuration until the VTN cancels it', async () => {
    // A reportInterval of duration 0 runs until cancelled (without one the request is one-shot).
    const reportRequestID = await vtn.app.core.requestReport(venID, {
      reportSpecifierID: 'TELEMETRY_USAGE',
      granularity: 'PT1S',
      reportBackDuration: 'PT1S',
      reportInterval: { dtstart: formatDateTime(Date.now()), duration: 'PT0S' },
    });
    await eventually('two periodic uploads', async () => ((await vtn.app.store.listReportData({ venID, reportRequestID })).length >= 2 ? true : undefined));
    expect((await vtn.app.store.getReportRequest(reportRequestID))?.status).toBe('active');
    const cancelled = ven.next('reportCancelled');
    await vtn.app.core.cancelReport(reportRequestID);
    expect(await cancelled).toEqual([reportRequestID]);
    const after = (await vtn.app.store.listReportData({ venID, reportRequestID })).length;
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect((await vtn.app.store.listReportData({ venID, reportRequestID })).length).toBe(after);
  });

  test('the VEN asks the VTN for a report the VTN offers, takes its deliveries, and cancels it', async () => {
    await eventually('the VTN metadata at the VEN', async () => (ven.vtnReportsOffered().length > 0 ? true : undefined));
    expect(ven.vtnReportsOffered().map((r) => [r.reportSpecifierID, r.oadrReportDescription?.map((d) => d.rID)])).toEqual([['feeder-3', ['feeder-3-kw']]]);
    await vtn.app.core.storeVtnReadings('feeder-3', [{ rID: 'feeder-3-kw', at: formatDateTime(Date.now() - 1000), value: 42 }]);
    const deliveries: OadrReport[] = [];
    ven.on('vtnReport', (report) => deliveries.push(report));
    const of = (id: string): OadrReport[] => deliveries.filter((d) => d.reportRequestID === id);

    const once = await ven.requestVtnReport({ reportSpecifierID: 'feeder-3', granularityMs: 0, reportBackDurationMs: 0 });
    await eventually('the one-shot delivery', async () => (of(once).length > 0 ? true : undefined));
    expect(of(once)[0]?.intervals?.[0]?.oadrReportPayload[0]?.payloadBase.payloadFloat).toBe(42);

    const periodic = await ven.requestVtnReport({ reportSpecifierID: 'feeder-3', granularityMs: 1000, reportBackDurationMs: 1000, interval: { startMs: Date.now(), durationMs: 0 } });
    await eventually('two periodic deliveries', async () => (of(periodic).length >= 2 ? true : undefined));
    await ven.cancelVtnReport(periodic);
    const after = of(periodic).length;
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(of(periodic)).toHaveLength(after);
    expect((await vtn.app.store.getReportRequest(periodic))?.status).toBe('cancelled');

    await expect(ven.requestVtnReport({ reportSpecifierID: 'feeder-9', granularityMs: 0, reportBackDurationMs: 0 })).rejects.toThrow(/offers no report feeder-9/);
    await expect(ven.requestVtnReport({ reportSpecifierID: 'feeder-3', granularityMs: 100, reportBackDurationMs: 1000 })).rejects.toThrow(/granularityMs must be a whole number of seconds/);
  });
});

describe('our push VEN against our VTN', () => {
  const pki = testPki();
  const ca = pki.ca;
  const venCert = pki.ven('charger-3');

  test('the VTN pushes an event to the VEN listener and records the opt-in', async () => {
    const vtn = await startTestVtn(pki);
    const ven = new VenClient({
      vtnUrl: vtn.url,
      venName: 'charger-3',
      tls: { certPem: venCert.certificatePem, keyPem: venCert.keyPem, caPem: ca },
      push: { port: 0, host: '127.0.0.1' },
      logger: silentLogger,
    });
    try {
      const registered = ven.next('registered');
      await ven.start();
      const [{ venID }] = await registered;
      expect((await vtn.app.store.getVen(venID))?.transportAddress).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const event = await vtn.app.core.createEvent({
        marketContext: 'http://dso.example/program',
        activePeriod: { dtstart: formatDateTime(Date.now() + 3_600_000), duration: 'PT30M' },
        signals: [
          { intervals: [{ duration: 'PT30M', uid: '0', signalPayload: 1 }], signalName: 'SIMPLE', signalType: 'level', signalID: 'simple' },
        ],
        target: { venID: [venID] },
      });
      const delivery = await eventually('the pushed event answered', async () => {
        const d = await vtn.app.store.getDelivery(event.eventID, venID);
        return d?.responseMod === 0 ? d : undefined;
      });
      expect(delivery.responseOpt).toBe('optIn');
    } finally {
      await ven.stop();
      await vtn.close();
    }
  });
});
