import { AdmmEngine, memberDevices, negotiationNetwork, VenModel, type MemberDeviceSpec } from '@oadr-kit/aggregator';
import { NEGOTIATION_REPORT_NAME, projectionReport, readNegotiationEvent, type OadrEvent, type OadrReport } from '@oadr-kit/protocol';
import type { NegotiationOutcome, NegotiationRecord } from '../../src/index.js';
import { expectType, startHarness, T0, type Harness } from '../helpers/harness.js';
import { projectionMetadata } from '../helpers/projectionMetadata.js';

const SLOTS = 24;
const horizon = { slots: SLOTS, slotHours: 1 };
const START = new Date(T0 + 3_600_000).toISOString().replace('.000Z', 'Z');
const grid = { importPrice: Array.from({ length: SLOTS }, (_, t) => (t >= 17 && t < 21 ? 0.35 : 0.22)), exportPrice: 0.05, quadraticCost: 0.01, importLimitKw: 12, exportLimitKw: 12 };

/** A house: a load with a midday PV dip and a battery. */
function houseSpecs(h: number): MemberDeviceSpec[] {
  const load = Array.from({ length: SLOTS }, (_, t) => 0.6 + 0.3 * h + (t >= 17 && t < 21 ? 1.5 : 0) - (t >= 10 && t < 15 ? 2.5 : 0));
  return [
    { kind: 'fixed-load', id: 'load', parameters: { powerKw: load } },
    { kind: 'battery', id: 'battery', parameters: { capacityKwh: 8, maxChargeKw: 3, maxDischargeKw: 3, initialSocKwh: 4, chargeEfficiency: 0.95, dischargeEfficiency: 0.95 } },
  ];
}

/**
 * A scripted pull VEN: registers (with the projection report unless told not to), then polls,
 * answering report requests and negotiation rounds with its VenModel until `stop` or `silentFrom`.
 */
class ScriptedVen {
  venID = '';
  reportRequestID: string | undefined;
  readonly model: VenModel;
  readonly rounds: number[] = [];
  agreed: number[] | undefined;
  stopped = false;
  /** A projection made before the VTN's report request arrived (events come first in poll order). */
  private held: OadrReport | undefined;

  constructor(
    private readonly h: Harness,
    house: number,
    private readonly options: { projection?: boolean; silentFrom?: number } = {},
  ) {
    this.model = new VenModel(memberDevices({ id: `house-${house}`, devices: houseSpecs(house) }, horizon));
  }

  async register(): Promise<void> {
    this.venID = (await this.h.register()).venID;
    const answer = await this.h.post('EiReport', {
      type: 'oadrRegisterReport',
      body: { requestID: `rr-${this.venID}`, venID: this.venID, ...(this.options.projection === false ? {} : { oadrReport: [projectionMetadata(START)] }) },
    });
    expect(expectType(answer.message, 'oadrRegisteredReport').eiResponse.responseCode).toBe('200');
    await this.h.drain(this.venID);
  }

  async run(): Promise<void> {
    while (!this.stopped) {
      const answer = await this.h.post('OadrPoll', { type: 'oadrPoll', body: { venID: this.venID } });
      const message = answer.message;
      if (message?.type === 'oadrCreateReport') {
        this.reportRequestID = message.body.oadrReportRequest[0]?.reportRequestID;
        await this.h.post('EiReport', { type: 'oadrCreatedReport', body: { eiResponse: { responseCode: '200', requestID: message.body.requestID }, oadrPendingReports: [], venID: this.venID } });
        if (this.held !== undefined) await this.send({ ...this.held, reportRequestID: this.reportRequestID ?? '' });
        this.held = undefined;
      } else if (message?.type === 'oadrDistributeEvent') {
        await this.answerEvents(message.body.oadrEvent ?? [], message.body.requestID);
      } else {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    }
  }

  private async answerEvents(events: readonly OadrEvent[], requestID: string): Promise<void> {
    for (const { eiEvent } of events) {
      const round = readNegotiationEvent(eiEvent);
      if (round === undefined) continue;
      await this.h.post('EiEvent', {
        type: 'oadrCreatedEvent',
        body: {
          eiCreatedEvent: {
            eiResponse: { responseCode: '200', requestID: '' },
            eventResponses: [{ responseCode: '200', requestID, qualifiedEventID: { eventID: eiEvent.eventDescriptor.eventID, modificationNumber: round.iteration }, optType: 'optIn' }],
            venID: this.venID,
          },
        },
      });
      if (round.agreed) {
        this.agreed = round.targetKw.slice();
        continue;
      }
      if (this.options.silentFrom !== undefined && round.iteration >= this.options.silentFrom) continue;
      const profileKw = Array.from(this.model.respond({ rho: round.rho, setpoint: round.targetKw, price: round.price }));
      this.rounds.push(round.iteration);
      const report = projectionReport({
        sessionId: round.sessionId,
        iteration: round.iteration,
        reportRequestID: this.reportRequestID ?? '',
        reportSpecifierID: NEGOTIATION_REPORT_NAME,
        rID: 'projection',
        startMs: round.startMs,
        slotMs: round.slotMs,
        profileKw,
        createdMs: T0,
      });
      if (this.reportRequestID === undefined) this.held = report;
      else await this.send(report);
    }
  }

  private async send(report: OadrReport): Promise<void> {
    const answer = await this.h.post('EiReport', { type: 'oadrUpdateReport', body: { requestID: `ur-${report.eiReportID ?? ''}`, oadrReport: [report], venID: this.venID } });
    expect(expectType(answer.message, 'oadrUpdatedReport').eiResponse.responseCode).toBe('200');
  }
}

async function negotiate(h: Harness, vens: ScriptedVen[], body: Record<string, unknown>): Promise<NegotiationRecord> {
  const loops = vens.map((ven) => ven.run());
  try {
    const created = await h.admin('POST', '/admin/v1/negotiations', body);
    expect(created.status).toBe(201);
    const { sessionID } = created.json as { sessionID: string };
    const record = await h.vtn.app.negotiations.finished(sessionID);
    // The agreed schedule travels by the next poll.
    for (let i = 0; i < 200 && record.status === 'agreed' && vens.some((v) => v.agreed === undefined); i++) await new Promise((resolve) => setTimeout(resolve, 10));
    return record;
  } finally {
    for (const ven of vens) ven.stopped = true;
    await Promise.all(loops);
  }
}

describe('the negotiation orchestrator', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
    await h.admin('POST', '/admin/v1/programs', { programID: 'community', name: 'Community', marketContext: 'http://market.example.com/community' });
  });
  afterEach(async () => h.close());

  test('negotiates over OpenADR to the optimum of the same houses solved in-process, and stores the history', async () => {
    const vens = [0, 1, 2].map((i) => new ScriptedVen(h, i));
    const outsider = new ScriptedVen(h, 3, { projection: false });
    for (const ven of [...vens, outsider]) await ven.register();
    const record = await negotiate(h, vens, {
      programID: 'community',
      start: START,
      slots: SLOTS,
      slotMinutes: 60,
      venIDs: [...vens.map((v) => v.venID), outsider.venID],
      grid,
      tolerance: 1e-4,
      roundDeadlineMs: 5000,
    });
    expect(record.status).toBe('agreed');
    const members = record.members as { venID: string; status: string; reason?: string; missed: number }[];
    expect(members.find((m) => m.venID === outsider.venID)).toMatchObject({ status: 'excluded', reason: expect.stringMatching(/x-PROJECTED_USAGE/) as unknown });
    expect(members.filter((m) => m.status === 'active').every((m) => m.missed === 0)).toBe(true);

    // The same instance in-process: devices on the net instead of remote terminals.
    const reference = new AdmmEngine(
      negotiationNetwork(
        horizon,
        { connection: grid },
        [0, 1, 2].map((i) => ({ id: `h${i}`, devices: houseSpecs(i) })),
      ).network,
    );
    expect(reference.run({ tolerance: 1e-5 }).converged).toBe(true);
    const outcome = record.outcome as NegotiationOutcome;
    const expectedPrices = reference.prices('community');
    outcome.prices.forEach((p, t) => expect(Math.abs(p - expectedPrices[t]!)).toBeLessThan(5e-3));
    const expectedGrid = reference.profile('grid');
    outcome.gridImportKw.forEach((kw, t) => expect(Math.abs(kw + expectedGrid[t]!)).toBeLessThan(0.05));

    // Each VEN got the agreed schedule: its own last projection, in the event's last modification.
    for (const ven of vens) {
      expect(ven.agreed).toBeDefined();
      ven.agreed!.forEach((kw, t) => expect(kw).toBeCloseTo(outcome.profiles[ven.venID]![t]!, 9));
      const event = await h.admin('GET', `/admin/v1/events/${encodeURIComponent(`${record.sessionID}.${ven.venID}`)}`);
      expect(event.json).toMatchObject({ modificationNumber: record.rounds, modificationReason: 'agreed' });
    }

    const rounds = await h.admin('GET', `/admin/v1/negotiations/${record.sessionID}/rounds?from=0&limit=1000`);
    const history = rounds.json as { round: number; relativePrimal: number; silent: string[]; profiles: Record<string, number[]> }[];
    expect(history).toHaveLength(record.rounds);
    expect(history.map((r) => r.round)).toEqual(Array.from({ length: record.rounds }, (_, k) => k));
    expect(Object.keys(history[0]!.profiles).sort()).toEqual(vens.map((v) => v.venID).sort());
    expect(history.at(-1)!.relativePrimal).toBeLessThanOrEqual(1e-4);
    const listed = await h.admin('GET', '/admin/v1/negotiations');
    expect(listed.json).toEqual([expect.objectContaining({ sessionID: record.sessionID, status: 'agreed', rounds: record.rounds })]);
  });

  test('a VEN that falls silent keeps its last profile, is counted and leaves; the others still agree', async () => {
    const vens = [new ScriptedVen(h, 0), new ScriptedVen(h, 1), new ScriptedVen(h, 2, { silentFrom: 3 })];
    for (const ven of vens) await ven.register();
    const record = await negotiate(h, vens, {
      programID: 'community',
      start: START,
      slots: SLOTS,
      slotMinutes: 60,
      venIDs: vens.map((v) => v.venID),
      grid,
      roundDeadlineMs: 150,
      maxMissedRounds: 2,
    });
    expect(record.status).toBe('agreed');
    const quiet = (record.members as { venID: string; status: string; missed: number; answered: number }[]).find((m) => m.venID === vens[2]!.venID);
    expect(quiet).toMatchObject({ status: 'left', missed: 2, answered: 3 });
    const rounds = (await h.admin('GET', `/admin/v1/negotiations/${record.sessionID}/rounds?from=3&limit=2`)).json as { round: number; silent: string[] }[];
    expect(rounds.map((r) => [r.round, r.silent])).toEqual([
      [3, [vens[2]!.venID]],
      [4, [vens[2]!.venID]],
    ]);
    // Its last profile stands in the agreement.
    expect((record.outcome as NegotiationOutcome).profiles[vens[2]!.venID]).toHaveLength(SLOTS);
  });

  test('bad sessions are refused with the field named, and a cancelled session cancels its events', async () => {
    const base = { programID: 'community', start: START, slots: SLOTS, slotMinutes: 60, grid };
    const missing = await h.admin('POST', '/admin/v1/negotiations', { ...base, grid: undefined, venIDs: ['x'] });
    expect(missing.status).toBe(400);
    expect(JSON.stringify(missing.json)).toMatch(/grid/);
    const shortPrices = await h.admin('POST', '/admin/v1/negotiations', { ...base, venIDs: ['x'], grid: { ...grid, importPrice: [0.2, 0.3] } });
    expect(shortPrices.status).toBe(400);
    expect(JSON.stringify(shortPrices.json)).toMatch(/importPrice/);
    const badStart = await h.admin('POST', '/admin/v1/negotiations', { ...base, venIDs: ['x'], start: '2026-13-40T00:00:00Z' });
    expect(badStart.status).toBe(400);
    const noProgram = await h.admin('POST', '/admin/v1/negotiations', { ...base, programID: 'none', venIDs: ['x'] });
    expect(noProgram.status).toBe(404);
    expect(JSON.stringify(noProgram.json)).toMatch(/no program none/);
    const nobody = await h.admin('POST', '/admin/v1/negotiations', { ...base, venIDs: ['nobody'] });
    expect(nobody.status).toBe(409);
    expect(JSON.stringify(nobody.json)).toMatch(/nobody: unknown VEN/);
    expect((await h.admin('GET', '/admin/v1/negotiations/none')).status).toBe(404);
    expect((await h.admin('GET', '/admin/v1/negotiations/none/rounds')).status).toBe(404);

    const ven = new ScriptedVen(h, 0, { silentFrom: 0 });
    await ven.register();
    const loop = ven.run();
    const created = await h.admin('POST', '/admin/v1/negotiations', { ...base, venIDs: [ven.venID], roundDeadlineMs: 60_000 });
    const { sessionID } = created.json as { sessionID: string };
    expect((await h.admin('GET', `/admin/v1/negotiations/${sessionID}/rounds?limit=0`)).status).toBe(400);
    const cancelled = await h.admin('POST', `/admin/v1/negotiations/${sessionID}/cancel`, { reason: 'test over' });
    ven.stopped = true;
    await loop;
    expect(cancelled.json).toMatchObject({ status: 'cancelled', reason: 'test over' });
    const event = await h.admin('GET', `/admin/v1/events/${encodeURIComponent(`${sessionID}.${ven.venID}`)}`);
    expect(event.json).toMatchObject({ status: 'cancelled' });
    expect((await h.admin('POST', `/admin/v1/negotiations/${sessionID}/cancel`)).status).toBe(409);
  });
});
