import { NEGOTIATION_REPORT_NAME, type OadrReport } from '@oadr-kit/protocol';

/** The metadata a negotiating VEN registers: its projected usage (kW per slot), requested per session. */
export function projectionMetadata(createdDateTime: string): OadrReport {
  return {
    duration: 'P1D',
    oadrReportDescription: [
      {
        rID: 'projection',
        reportType: 'usage',
        itemBase: { powerReal: { itemDescription: 'RealPower', itemUnits: 'W', siScaleCode: 'k', powerAttributes: { hertz: 50, voltage: 230, ac: true } } },
        readingType: 'Projected',
        oadrSamplingRate: { oadrMinPeriod: 'PT1M', oadrMaxPeriod: 'P1D', oadrOnChange: false },
      },
    ],
    reportRequestID: '0',
    reportSpecifierID: NEGOTIATION_REPORT_NAME,
    reportName: 'METADATA_TELEMETRY_USAGE',
    createdDateTime,
  };
}
