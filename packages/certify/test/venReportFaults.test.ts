import { formatDateTime } from '@oadr-kit/protocol';
import { VEN_PULL_CASES } from '../src/index.js';
import { failingVenCases } from './brokenVen.js';
import type { Fault, RequestFault } from './faultyProxy.js';

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

  test('a VEN that ignores requests piggy-backed on oadrRegisteredReport fails R1_3060 only', async () => {
    const unread: Fault = (service, answer) =>
      service.endsWith('/EiReport') && answer.body.includes('oadrRegisteredReport') ? { ...answer, body: answer.body.replace(/<oadr:oadrReportRequest>.*<\/oadr:oadrReportRequest>/s, '') } : answer;
    const failures = await failingVenCases({ cases: VEN_PULL_CASES, requestFault: asSent, fault: unread, select: ['R1_3060_TH_VTN', 'R1_3070_TH_VTN', 'R1_3120_TH_VTN'] });
    expect(failures).toEqual(['R1_3060_TH_VTN: the VEN did not answer the report request piggy-backed on oadrRegisteredReport (no oadrCreatedReport)']);
  });
});
