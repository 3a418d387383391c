import type { OadrReport } from '@oadr-kit/protocol';
import { VenError } from '../src/index.js';
import { VtnReportRequests } from '../src/VtnReportRequests.js';

const FEEDER: OadrReport = {
  duration: 'P1D',
  oadrReportDescription: [
    { rID: 'kw', reportType: 'usage', readingType: 'Direct Read' },
    { rID: 'kwh', reportType: 'usage', readingType: 'Direct Read' },
  ],
  reportRequestID: '0',
  reportSpecifierID: 'feeder-3',
  reportName: 'METADATA_TELEMETRY_USAGE',
  createdDateTime: '2026-11-27T12:00:00Z',
};

const delivery = (...ids: string[]) => ({
  requestID: 'u-1',
  oadrReport: ids.map((reportRequestID) => ({ reportRequestID, reportSpecifierID: 'feeder-3', reportName: 'TELEMETRY_USAGE' as const, createdDateTime: '2026-11-27T12:00:00Z' })),
  venID: 'ven-1',
});

describe('the reports a VEN asks of its VTN', () => {
  it('builds a request for what the VTN offers, every point by default, and refuses what it does not offer before sending', () => {
    const requests = new VtnReportRequests();
    expect(() => requests.build({ reportSpecifierID: 'feeder-3', granularityMs: 0, reportBackDurationMs: 0 })).toThrow(/offers no report feeder-3 \(offered: none\)/);
    requests.takeMetadata([FEEDER]);
    const built = requests.build({ reportSpecifierID: 'feeder-3', granularityMs: 60_000, reportBackDurationMs: 300_000, interval: { startMs: Date.UTC(2026, 10, 27, 12), durationMs: 0 } });
    expect(built.reportSpecifier).toEqual({
      reportSpecifierID: 'feeder-3',
      granularity: 'PT1M',
      reportBackDuration: 'PT5M',
      reportInterval: { dtstart: '2026-11-27T12:00:00Z', duration: 'PT0S' },
      specifierPayload: [
        { rID: 'kw', readingType: 'x-notApplicable' },
        { rID: 'kwh', readingType: 'x-notApplicable' },
      ],
    });
    expect(() => requests.build({ reportSpecifierID: 'feeder-3', rIDs: ['kvar'], granularityMs: 0, reportBackDurationMs: 0 })).toThrow(VenError);
    expect(() => requests.build({ reportSpecifierID: 'feeder-3', granularityMs: -1000, reportBackDurationMs: 0 })).toThrow(/granularityMs must be a whole number of seconds/);
  });

  it('hands on deliveries of its own requests and cancels, on its answer, those it does not know', () => {
    const requests = new VtnReportRequests();
    requests.requested('mine');
    const { reports, reply } = requests.take(delivery('mine', 'stale'), 'ven-1');
    expect(reports.map((r) => r.reportRequestID)).toEqual(['mine']);
    expect(reply).toMatchObject({ eiResponse: { responseCode: '200', requestID: 'u-1' }, oadrCancelReport: { reportRequestID: ['stale'], reportToFollow: false }, venID: 'ven-1' });
    expect(requests.take(delivery('mine'), 'ven-1').reply.oadrCancelReport).toBeUndefined();
  });

  it('keeps a request cancelled with reportToFollow for exactly one more delivery', () => {
    const requests = new VtnReportRequests();
    requests.requested('closing');
    requests.cancelled('closing', true);
    expect(requests.take(delivery('closing'), 'ven-1').reports).toHaveLength(1);
    expect(requests.has('closing')).toBe(false);
    requests.requested('gone');
    requests.cancelled('gone', false);
    expect(requests.take(delivery('gone'), 'ven-1').reply.oadrCancelReport?.reportRequestID).toEqual(['gone']);
  });
});
