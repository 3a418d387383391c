import { memberDevices, VenModel, type MemberDeviceSpec } from '@oadr-kit/aggregator';
import { NEGOTIATION_REPORT_NAME, projectionReport, readNegotiationEvent, type OadrEvent, type OadrReport } from '@oadr-kit/protocol';
import { expectType, T0, type Harness } from './harness.js';
import { projectionMetadata } from './projectionMetadata.js';

export const SLOTS = 24;
export const START = new Date(T0 + 3_600_000).toISOString().replace('.000Z', 'Z');
export const horizon = { slots: SLOTS, slotHours: 1 };

/** A house: a load with an evening peak and a midday PV dip, and a battery. */
export function houseSpecs(h: number): MemberDeviceSpec[] {
  const load = Array.from({ length: SLOTS }, (_, t) => 0.6 + 0.3 * h + (t >= 17 && t < 21 ? 1.5 : 0) - (t >= 10 && t < 15 ? 2.5 : 0));
  return [
    { kind: 'fixed-load', id: 'load', parameters: { powerKw: load } },
    { kind: 'battery', id: 'battery', parameters: { capacityKwh: 8, maxChargeKw: 3, maxDischargeKw: 3, initialSocKwh: 4, chargeEfficiency: 0.95, dischargeEfficiency: 0.95 } },
  ];
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface ScriptedVenOptions {
  /** Register the projection report (default true); without it the VEN cannot negotiate. */
  readonly projection?: boolean;
  /** Answer no round from this one on (the VEN falls silent). */
  readonly silentFrom?: number;
  /** From this round on, answer with a projection one slot short (a broken VEN). */
  readonly shortFrom?: number;
}

/**
 * A pull VEN over plain HTTP for the VTN's tests: registers (with the projection report), then
 * polls, opting in to every event it gets and answering negotiation rounds with the VenModel of a
 * house. `paused` holds its answers back, so a page can be seen while a session is running.
 */
export class ScriptedVen {
  venID = '';
  paused = false;
  stopped = false;
  /** Plain events received: eventID → the latest modificationNumber and status seen. */
  readonly events = new Map<string, { modificationNumber: number; status: string }>();
  /** Rounds answered. */
  readonly rounds: number[] = [];
  /** What the VTN answered each projection: response code and description. */
  readonly answers: string[] = [];
  agreed: number[] | undefined;
  readonly model: VenModel;
  private reportRequestID: string | undefined;
  private held: OadrReport | undefined;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly h: Harness,
    house: number,
    private readonly options: ScriptedVenOptions = {},
  ) {
    this.model = new VenModel(memberDevices({ id: `house-${house}`, devices: houseSpecs(house) }, horizon));
  }

  async register(): Promise<void> {
    this.venID = (await this.h.register()).venID;
    const reports = this.options.projection === false ? {} : { oadrReport: [projectionMetadata(START)] };
    const answer = await this.h.post('EiReport', { type: 'oadrRegisterReport', body: { requestID: `rr-${this.venID}`, venID: this.venID, ...reports } });
    expect(expectType(answer.message, 'oadrRegisteredReport').eiResponse.responseCode).toBe('200');
    await this.h.drain(this.venID);
  }

  start(): void {
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      if (this.paused) {
        await sleep(20);
        continue;
      }
      const message = (await this.h.post('OadrPoll', { type: 'oadrPoll', body: { venID: this.venID } })).message;
      if (message?.type === 'oadrCreateReport') {
        this.reportRequestID = message.body.oadrReportRequest[0]?.reportRequestID;
        await this.h.post('EiReport', { type: 'oadrCreatedReport', body: { eiResponse: { responseCode: '200', requestID: message.body.requestID }, oadrPendingReports: [], venID: this.venID } });
        if (this.held !== undefined) await this.send({ ...this.held, reportRequestID: this.reportRequestID ?? '' });
        this.held = undefined;
      } else if (message?.type === 'oadrDistributeEvent') {
        await this.answer(message.body.oadrEvent ?? [], message.body.requestID);
      } else {
        await sleep(10);
      }
    }
  }

  private async answer(events: readonly OadrEvent[], requestID: string): Promise<void> {
    for (const { eiEvent } of events) {
      const round = readNegotiationEvent(eiEvent);
      const { eventID, modificationNumber } = eiEvent.eventDescriptor;
      if (round === undefined) this.events.set(eventID, { modificationNumber, status: eiEvent.eventDescriptor.eventStatus });
      await this.h.post('EiEvent', {
        type: 'oadrCreatedEvent',
        body: {
          eiCreatedEvent: {
            eiResponse: { responseCode: '200', requestID: '' },
            eventResponses: [{ responseCode: '200', requestID, qualifiedEventID: { eventID, modificationNumber }, optType: 'optIn' }],
            venID: this.venID,
          },
        },
      });
      if (round === undefined) continue;
      if (round.agreed) {
        this.agreed = round.targetKw.slice();
        continue;
      }
      if (this.options.silentFrom !== undefined && round.iteration >= this.options.silentFrom) continue;
      this.rounds.push(round.iteration);
      const report = projectionReport({
        sessionId: round.sessionId,
        iteration: round.iteration,
        reportRequestID: this.reportRequestID ?? '',
        reportSpecifierID: NEGOTIATION_REPORT_NAME,
        rID: 'projection',
        startMs: round.startMs,
        slotMs: round.slotMs,
        profileKw: Array.from(this.model.respond({ rho: round.rho, setpoint: round.targetKw, price: round.price })).slice(
          0,
          this.options.shortFrom !== undefined && round.iteration >= this.options.shortFrom ? SLOTS - 1 : SLOTS,
        ),
        createdMs: T0,
      });
      // Events come before report requests in poll order: the first projection may wait for its request.
      if (this.reportRequestID === undefined) this.held = report;
      else await this.send(report);
    }
  }

  private async send(report: OadrReport): Promise<void> {
    const answer = await this.h.post('EiReport', { type: 'oadrUpdateReport', body: { requestID: `ur-${report.eiReportID ?? ''}`, oadrReport: [report], venID: this.venID } });
    const { responseCode, responseDescription } = expectType(answer.message, 'oadrUpdatedReport').eiResponse;
    this.answers.push(`${responseCode} ${responseDescription ?? ''}`);
  }
}
