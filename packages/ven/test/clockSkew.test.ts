import { VenClient } from '../src/VenClient.js';
import type { VenError } from '../src/VenError.js';
import { FakeVtn } from './helpers/FakeVtn.js';
import { makeEvent } from './helpers/events.js';
import { fakeVtnTls, venOptions } from './helpers/ven.js';

let vtn: FakeVtn;
let ven: VenClient;

beforeEach(async () => {
  vtn = await FakeVtn.start(fakeVtnTls());
});

afterEach(async () => {
  await ven.stop();
  await vtn.close();
});

it('runs events on the VTN clock when the skew is within maxClockSkewMs, and reports it', async () => {
  vtn.dateOffsetMs = 120_000;
  // Active for two minutes on the VTN's clock; on ours it starts in almost two minutes.
  const vtnNow = Math.floor((Date.now() + 120_000) / 1000) * 1000;
  vtn.events = [makeEvent({ startMs: vtnNow - 10_000, duration: 'PT2M', intervals: ['PT2M'] })];
  ven = new VenClient(venOptions(vtn));
  const skew = ven.next('clockSkew');
  const started = ven.next('eventStarted');
  await ven.start();
  const [offsetMs] = await skew;
  expect(Math.abs(offsetMs - 120_000)).toBeLessThan(1_500);
  expect(Math.abs(ven.now() - Date.now() - 120_000)).toBeLessThan(1_500);
  const [event] = await started;
  expect(event.status).toBe('active');
});

it('reports a skew beyond maxClockSkewMs once, keeps its own clock and its registration', async () => {
  vtn.dateOffsetMs = 600_000;
  ven = new VenClient(venOptions(vtn, { maxClockSkewMs: 300_000 }));
  const errors: VenError[] = [];
  ven.on('error', (error) => errors.push(error));
  await ven.start();
  await ven.next('registered');
  await ven.next('pollCompleted');
  expect(errors.map((error) => error.code)).toEqual(['OADR_ERR_VEN_CLOCK_SKEW']);
  expect(errors[0]?.message).toMatch(/beyond maxClockSkewMs/);
  expect(Math.abs(ven.now() - Date.now())).toBeLessThan(100);
});
