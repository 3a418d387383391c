import fc from 'fast-check';
import { decodePayload, encodePayload, MESSAGE_TYPES, negotiationEvent, projectionReport, type OadrMessage } from '../src/index.js';
import { messageArbitrary } from './arbitraries.js';
import { EXAMPLES } from '../src/examples.js';
import { validateAgainstXsd, xsdUnavailableReason } from './officialXsd.js';

const unavailable = xsdUnavailableReason();
if (unavailable !== undefined) process.stdout.write(`XSD conformance tests did not run: ${unavailable}\n`);
const describeWithXsd = unavailable === undefined ? describe : describe.skip;

describeWithXsd('every 2.0b message encodes to XML the official XSD accepts', () => {
  const documents: Record<string, string> = {};
  for (const type of MESSAGE_TYPES) {
    documents[`${type}.xml`] = encodePayload({ type, body: EXAMPLES[type] } as OadrMessage, { signedObjectId: `id-${type}` });
  }
  let errors: Record<string, string[]>;

  beforeAll(async () => {
    errors = await validateAgainstXsd(documents);
  });

  test.each(MESSAGE_TYPES)('%s is XSD-valid', (type) => {
    expect(errors[`${type}.xml`]).toEqual([]);
  });

  test('the validator does reject an invalid document (element out of sequence)', async () => {
    const good = documents['oadrCancelOpt.xml']!;
    const swapped = good.replace(/(<ei:optID>.*?<\/ei:optID>)(<ei:venID>.*?<\/ei:venID>)/, '$2$1');
    expect(swapped).not.toEqual(good);
    const result = await validateAgainstXsd({ 'swapped.xml': swapped });
    expect(result['swapped.xml']!.join('\n')).toMatch(/venID|optID/);
  });

  test('the 96-interval event has three signals of 96 intervals and a baseline', () => {
    const { message } = decodePayload(documents['oadrDistributeEvent.xml']!);
    if (message.type !== 'oadrDistributeEvent') throw new Error('wrong type');
    const signals = message.body.oadrEvent?.[0]?.eiEvent.eiEventSignals;
    expect(signals?.eiEventSignal.map((s) => s.intervals.length)).toEqual([96, 96, 96]);
    expect(signals?.eiEventBaseline?.intervals).toHaveLength(96);
  });
});

describeWithXsd('the negotiation profile stays inside the official schema', () => {
  test('a negotiation round and a projected profile are XSD-valid', async () => {
    const start = Date.UTC(2026, 10, 27);
    const round = negotiationEvent({
      sessionId: 's-1',
      venID: 'house-1',
      iteration: 3,
      marketContext: 'http://drive.example/day-ahead',
      startMs: start,
      slotMs: 900_000,
      price: Array.from({ length: 96 }, () => 0.1),
      targetKw: Array.from({ length: 96 }, () => -1.5),
      rho: 0.02,
      createdMs: start - 3_600_000,
      agreed: false,
    });
    const report = projectionReport({
      sessionId: 's-1',
      iteration: 3,
      reportRequestID: 'r-1',
      reportSpecifierID: 'PROJECTION_1',
      rID: 'projection',
      startMs: start,
      slotMs: 900_000,
      profileKw: Array.from({ length: 96 }, () => 0.5),
      createdMs: start - 3_500_000,
    });
    const errors = await validateAgainstXsd({
      'round.xml': encodePayload({ type: 'oadrDistributeEvent', body: { requestID: 'd-1', vtnID: 'vtn', oadrEvent: [round] } }),
      'projection.xml': encodePayload({ type: 'oadrUpdateReport', body: { requestID: 'u-1', oadrReport: [report] } }),
    });
    expect(errors).toEqual({ 'round.xml': [], 'projection.xml': [] });
  });
});

describeWithXsd('generated payloads are XSD-valid too', () => {
  test('200 generated messages of every type', async () => {
    const samples = fc.sample(messageArbitrary, { numRuns: 200, seed: 2026 });
    const documents = Object.fromEntries(samples.map((message, i) => [`gen-${i}-${message.type}.xml`, encodePayload(message)]));
    const errors = await validateAgainstXsd(documents);
    const failures = Object.entries(errors).filter(([, list]) => list.length > 0);
    expect(failures.slice(0, 3)).toEqual([]);
  });
});
