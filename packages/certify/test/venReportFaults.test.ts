import { formatDateTime } from '@oadr-kit/protocol';
import { VEN_PULL_CASES } from '../src/index.js';
import { failingVenCases } from './brokenVen.js';
import type { Fault, RequestFault } from './faultyProxy.js';
import { fastReporting } from './pki.js';

describe('the VEN report cases catch a broken VEN', () => {
  const asSent: RequestFault = (_service, body) => body;

  test('a VEN that acknowledges the cancellation of a report it never ran fails R1_3170 only', async () => {
    const acknowledge: RequestFault = (_service, body) => (body.includes('<oadr:oadrCanceledReport') ? body.replace('<ei:responseCode>452<', '<ei:responseCode>200<') : body);
    const failures = await failingVenCases({ cases: VEN_PULL_CASES, requestFault: acknowledge, select: ['R1_3040_TH_VTN', 'R1_3090_TH_VTN', 'R1_3170_TH_VTN', 'R1_3190_TH_VTN'] });
    expect(failures).toEqual(['R1_3170_TH_VTN: oadrCanceledReport (unknown reportRequestID): responseCode 200, expected 452']);
  });

  test('a VEN that starts every request at once, whatever its reportInterval says, fails R1_3025 and R1_3030 only', async () => {
    // What the VEN reads is a request starting now: it samples the later request from the start.
    const now: Fault = (service, answer) =>
      service.endsWith('/OadrPoll') && answer.body.includes('oadrCreateReport')
        ? { ...answer, body: answer.body.replace(/(<xcal:dtstart><xcal:date-time>)[^<]*(<\/xcal:date-time><\/xcal:dtstart>)/g, `$1${formatDateTime(Date.now())}$2`) }
        : answer;
    const failures = await failingVenCases({ cases: VEN_PULL_CASES, requestFault: asSent, fault: now, select: ['R1_3010_TH_VTN', 'R1_3020_TH_VTN', 'R1_3025_TH_VTN', 'R1_3030_TH_VTN'] });
    expect(failures).toEqual([
      expect.stringMatching(/^R1_3025_TH_VTN: a report for the request starting at \S+ came \d+ ms before its start$/),
      expect.stringMatching(/^R1_3030_TH_VTN: the request starting at \S+ has a sample from before it$/),
    ]);
  });

  test('a VEN that delivers every sample at once, whatever the reportBackDuration, fails R1_3027 only', async () => {
    // What the VEN reads is a delivery every granularity where the harness asked for every three.
    const eager: Fault = (service, answer) =>
      service.endsWith('/OadrPoll') && answer.body.includes('oadrCreateReport')
        ? { ...answer, body: answer.body.replace(/(<ei:reportBackDuration><xcal:duration>)PT3S(<\/xcal:duration>)/g, '$1PT1S$2') }
        : answer;
    const failures = await failingVenCases({ cases: VEN_PULL_CASES, requestFault: asSent, fault: eager, select: ['R1_3020_TH_VTN', 'R1_3027_TH_VTN', 'R1_3040_TH_VTN'] });
    expect(failures).toEqual([expect.stringMatching(/^R1_3027_TH_VTN: the first delivery came \d+ ms after the request, the reportBackDuration is PT3S$/)]);
  });

  const withHistory = ['R1_3010_TH_VTN', 'R1_3130_TH_VTN', 'R1_3140_TH_VTN', 'R1_3150_TH_VTN'];

  test('a VEN whose history lacks its last interval fails R1_3130 and R1_3140 only', async () => {
    const lastDropped: RequestFault = (_service, body) =>
      body.includes('<ei:reportName>HISTORY_USAGE</ei:reportName>') ? body.replace(/<ei:interval>(?:(?!<ei:interval>).)*<\/ei:interval><\/strm:intervals>/s, '</strm:intervals>') : body;
    const failures = await failingVenCases({ cases: VEN_PULL_CASES, requestFault: lastDropped, select: withHistory });
    expect(failures).toEqual(
      ['R1_3130_TH_VTN', 'R1_3140_TH_VTN'].map((id) => expect.stringMatching(new RegExp(`^${id}: report for \\S+ has intervals from \\[\\S+\\], the request asks for 2 of PT15M from \\S+$`))),
    );
  });

  test('a VEN that reports every history point, whatever the request names, fails R1_3140 only', async () => {
    // What the VEN reads is a request for power and energy where the harness asked for energy alone.
    const everyPoint: Fault = (service, answer) =>
      service.endsWith('/OadrPoll') && answer.body.includes('<ei:rID>history-energy</ei:rID>') && !answer.body.includes('<ei:rID>history-power</ei:rID>')
        ? { ...answer, body: answer.body.replace('<ei:specifierPayload><ei:rID>history-energy<', '<ei:specifierPayload><ei:rID>history-power</ei:rID><ei:readingType>x-notApplicable</ei:readingType></ei:specifierPayload><ei:specifierPayload><ei:rID>history-energy<') }
        : answer;
    const failures = await failingVenCases({ cases: VEN_PULL_CASES, requestFault: asSent, fault: everyPoint, select: withHistory });
    expect(failures).toEqual([expect.stringMatching(/^R1_3140_TH_VTN: report for \S+ carries rID history-power, which was not requested$/)]);
  });

  test('a VEN without HISTORY_USAGE, or without its power point, is not asked for it: R1_3130 and R1_3140 are skipped with the reason', async () => {
    const telemetry = (fastReporting.reports ?? []).filter((point) => point.reportName !== 'HISTORY_USAGE');
    const energyOnly = (fastReporting.reports ?? []).filter((point) => point.rID !== 'history-power');
    expect(await failingVenCases({ cases: VEN_PULL_CASES, venOptions: { reports: telemetry }, select: withHistory })).toEqual([
      'R1_3130_TH_VTN: the VEN registered no HISTORY_USAGE report',
      'R1_3140_TH_VTN: the VEN registered no HISTORY_USAGE report',
    ]);
    expect(await failingVenCases({ cases: VEN_PULL_CASES, venOptions: { reports: energyOnly }, select: withHistory })).toEqual(["R1_3130_TH_VTN: the VEN's HISTORY_USAGE report has no powerReal point"]);
  });

  test('a VEN that ignores requests piggy-backed on oadrRegisteredReport fails R1_3060 only', async () => {
    const unread: Fault = (service, answer) =>
      service.endsWith('/EiReport') && answer.body.includes('oadrRegisteredReport') ? { ...answer, body: answer.body.replace(/<oadr:oadrReportRequest>.*<\/oadr:oadrReportRequest>/s, '') } : answer;
    const failures = await failingVenCases({ cases: VEN_PULL_CASES, requestFault: asSent, fault: unread, select: ['R1_3060_TH_VTN', 'R1_3070_TH_VTN', 'R1_3120_TH_VTN'] });
    expect(failures).toEqual(['R1_3060_TH_VTN: the VEN did not answer the report request piggy-backed on oadrRegisteredReport (no oadrCreatedReport)']);
  });
});
