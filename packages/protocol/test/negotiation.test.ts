import {
  checkConformance,
  decodePayload,
  encodePayload,
  negotiationEvent,
  OadrInvalidArgumentError,
  projectionReport,
  readNegotiationEvent,
  readProjectionReport,
  type NegotiationRound,
  type OadrMessage,
  type ProjectedProfile,
} from '../src/index.js';
import { EXAMPLES } from '../src/examples.js';

const START = Date.UTC(2026, 10, 27);
const SLOT = 15 * 60_000;
const round: NegotiationRound = {
  sessionId: 'session-2026-11-27',
  venID: 'house-17',
  iteration: 12,
  marketContext: 'http://drive.example/woerden/day-ahead',
  startMs: START,
  slotMs: SLOT,
  price: Array.from({ length: 96 }, (_, t) => 0.05 + t / 1000),
  targetKw: Array.from({ length: 96 }, (_, t) => Math.sin(t / 10)),
  rho: 0.02,
  currency: 'EUR',
  createdMs: START - 12 * 3_600_000,
  agreed: false,
};
const projection: ProjectedProfile = {
  sessionId: round.sessionId,
  iteration: 12,
  reportRequestID: 'req-projection',
  reportSpecifierID: 'PROJECTION_1',
  rID: 'projection',
  startMs: START,
  slotMs: SLOT,
  profileKw: Array.from({ length: 96 }, (_, t) => 1 + Math.cos(t / 7)),
  createdMs: START - 12 * 3_600_000 + 2_000,
};

function distribute(events: ReturnType<typeof negotiationEvent>[]): OadrMessage {
  return { type: 'oadrDistributeEvent', body: { requestID: 'r-1', vtnID: 'vtn', oadrEvent: events } };
}

describe('a negotiation round as an oadrEvent', () => {
  test('survives the wire and reads back as the round', () => {
    const { message } = decodePayload(encodePayload(distribute([negotiationEvent(round)])));
    if (message.type !== 'oadrDistributeEvent') throw new Error('wrong type');
    expect(readNegotiationEvent(message.body.oadrEvent![0]!.eiEvent)).toEqual(round);
  });

  test('is a conforming 2.0b event: far before the start, durations adding up, one venID', () => {
    const event = negotiationEvent(round);
    expect(event.eiEvent.eventDescriptor.eventStatus).toBe('far');
    expect(event.eiEvent.eventDescriptor.modificationNumber).toBe(12);
    expect(checkConformance(distribute([event]), { now: round.createdMs })).toEqual([]);
    expect(negotiationEvent({ ...round, createdMs: START + SLOT }).eiEvent.eventDescriptor.eventStatus).toBe('active');
  });

  test('the agreed schedule is marked', () => {
    const agreed = negotiationEvent({ ...round, agreed: true, iteration: 40 });
    expect(agreed.eiEvent.eventDescriptor.modificationReason).toBe('agreed');
    expect(readNegotiationEvent(agreed.eiEvent)?.agreed).toBe(true);
  });

  test('any other event is not a round', () => {
    expect(readNegotiationEvent(EXAMPLES.oadrDistributeEvent.oadrEvent![0]!.eiEvent)).toBeUndefined();
  });

  test.each([
    [{ targetKw: round.targetKw.slice(1) }, /as many target values as prices/],
    [{ price: [] as number[], targetKw: [] as number[] }, /at least one/],
    [{ price: round.price.map((p, t) => (t === 5 ? Number.NaN : p)) }, /price\[5\] is NaN/],
    [{ rho: 0 }, /rho must be a positive number/],
  ])('a bad round is refused: %#', (change, message) => {
    expect(() => negotiationEvent({ ...round, ...change })).toThrow(message);
  });

  test('a damaged round is refused when read, not guessed', () => {
    const noTarget = negotiationEvent(round);
    noTarget.eiEvent.eiEventSignals.eiEventSignal.splice(1, 1);
    expect(() => readNegotiationEvent(noTarget.eiEvent)).toThrow(/lacks its LOAD_DISPATCH signal/);
    const unevenSlots = negotiationEvent(round);
    unevenSlots.eiEvent.eiEventSignals.eiEventSignal[0]!.intervals[3]!.duration = 'PT30M';
    expect(() => readNegotiationEvent(unevenSlots.eiEvent)).toThrow(OadrInvalidArgumentError);
    const badPenalty = negotiationEvent(round);
    badPenalty.eiEvent.eiEventSignals.eiEventSignal[2]!.intervals[0]!.signalPayload = -1;
    expect(() => readNegotiationEvent(badPenalty.eiEvent)).toThrow(/penalty -1 is not positive/);
  });
});

describe('a projected profile as an oadrReport', () => {
  test('survives the wire, conforms and reads back', () => {
    const message: OadrMessage = { type: 'oadrUpdateReport', body: { requestID: 'u-1', oadrReport: [projectionReport(projection)], venID: 'house-17' } };
    expect(checkConformance(message)).toEqual([]);
    const decoded = decodePayload(encodePayload(message));
    if (decoded.message.type !== 'oadrUpdateReport') throw new Error('wrong type');
    expect(readProjectionReport(decoded.message.body.oadrReport![0]!)).toEqual(projection);
  });

  test('any other report is not a projection', () => {
    expect(readProjectionReport(EXAMPLES.oadrUpdateReport.oadrReport![0]!)).toBeUndefined();
  });

  test('a projection that does not name its round, or skips a slot, is refused', () => {
    const untagged = projectionReport(projection);
    untagged.eiReportID = 'whatever';
    expect(() => readProjectionReport(untagged)).toThrow(/session#round/);
    const gap = projectionReport(projection);
    gap.intervals!.splice(10, 1);
    expect(() => readProjectionReport(gap)).toThrow(/interval 10 is not the next slot/);
    expect(() => projectionReport({ ...projection, profileKw: [1, Number.POSITIVE_INFINITY] })).toThrow(/profileKw\[1\]/);
  });
});
