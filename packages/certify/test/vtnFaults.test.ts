import type { ServerOptions } from 'node:https';
import type { KeyAndCertificate } from '@oadr-kit/security';
import type { RunningVtn } from '@oadr-kit/vtn';
import { HarnessVen, runCases, VTN_EVENT_CASES, VTN_PULL_CASES, VTN_REPORT_CASES, type CaseResult } from '../src/index.js';
import { startFaultyProxy, type Fault } from './faultyProxy.js';
import { operatorOf, startOurVtn, testPki } from './pki.js';

describe('the VTN suite catches a broken VTN, case by case', () => {
  const pki = testPki();
  const clients = [pki.ven('harness-ven'), pki.ven('stranger')] as const;
  let vtn: RunningVtn;
  let runs = 0;

  beforeAll(async () => {
    vtn = await startOurVtn(pki);
  });

  afterAll(async () => {
    await vtn.close();
  });

  async function runAgainst(fault: Fault, select?: string[], serverTls: ServerOptions = {}): Promise<CaseResult[]> {
    // N1_0025 binds the newcomer's certificate to a pre-allocated venID: each run needs a new one.
    const newcomer = pki.ven(`newcomer-${++runs}`);
    const proxy = await startFaultyProxy({ target: vtn.url, ca: pki.ca, serverCredentials: pki.vtnCredentials, clients: [...clients, newcomer], fault, serverTls });
    const harness = (name: string, credential: KeyAndCertificate) => new HarnessVen({ baseUrl: proxy.url, credentials: [credential], ca: pki.ca, venName: name });
    const context = { ven: harness('harness-ven', clients[0]), stranger: harness('stranger', clients[1]), newcomer: harness('newcomer', newcomer), operator: operatorOf(vtn) };
    try {
      return await runCases(VTN_PULL_CASES, context, { timeoutMs: 15_000, ...(select === undefined ? {} : { select }) });
    } finally {
      await context.ven.close();
      await context.stranger.close();
      await context.newcomer.close();
      await proxy.close();
    }
  }

  const eventCaseIDs = VTN_EVENT_CASES.map((c) => c.id);
  const failing = (results: CaseResult[]): string[] => results.filter((r) => r.outcome !== 'passed' && r.outcome !== 'skipped').map((r) => `${r.id}: ${r.reason}`);
  /** A fault in the events a VTN distributes by poll cannot touch the report cases, which take seconds: those are left out. */
  const withoutReports = ['N1_*', 'G1_*', 'E1_*', 'A_E3_*', 'P1_*'];
  /** Every case but those that only wait out report periods (seconds each): for faults nowhere near a periodic delivery. */
  const withoutWaits = VTN_PULL_CASES.map((c) => c.id).filter((id) => !['R1_3020', 'R1_3160', 'R1_3025', 'R1_3027', 'R1_3030'].map((n) => `${n}_TH_VEN`).includes(id));
  const inPolledDistributes = (rewrite: (body: string) => string): Fault => (service, answer) =>
    service.endsWith('/OadrPoll') && answer.body.includes('oadrDistributeEvent') ? { ...answer, body: rewrite(answer.body) } : answer;

  const honest: Fault = (_service, answer) => answer;

  test('through an honest proxy every case passes', async () => {
    expect(failing(await runAgainst(honest))).toEqual([]);
  });

  test('a VTN holding only its ECC certificate fails G1_4010 on the RSA suite, and the cases around it pass', async () => {
    const eccOnly = await startOurVtn(pki, [pki.vtnCredentials[1]!]);
    const ven = new HarnessVen({ baseUrl: eccOnly.url, credentials: [clients[0]], ca: pki.ca, venName: 'harness-ven' });
    try {
      const results = await runCases(VTN_PULL_CASES, { ven }, { timeoutMs: 15_000, select: ['N1_0010_TH_VEN', 'N1_0020_TH_VEN', 'G1_4010_TH_VEN', 'G1_4011_TH_VEN', 'E1_1050_TH_VEN'] });
      expect(failing(results)).toEqual(['G1_4010_TH_VEN: the VTN refused the RSA suite AES128-SHA256: sslv3 alert handshake failure (alert 40)']);
      expect(results.filter((r) => r.outcome === 'passed').map((r) => r.id)).toEqual(['N1_0010_TH_VEN', 'N1_0020_TH_VEN', 'G1_4011_TH_VEN', 'E1_1050_TH_VEN']);
    } finally {
      await ven.close();
      await eccOnly.close();
    }
  });

  test('a VTN that still speaks TLS 1.0/1.1 with the 2.0a suites fails G1_4010', async () => {
    const legacy = { minVersion: 'TLSv1', ciphers: 'ECDHE-ECDSA-AES128-SHA256:AES128-SHA256:ECDHE-ECDSA-AES128-SHA:AES128-SHA:@SECLEVEL=0' } as const;
    const results = await runAgainst(honest, ['G1_4010_TH_VEN'], legacy);
    expect(failing(results)).toEqual(['G1_4010_TH_VEN: the VTN accepted a client offering only TLS 1.0/1.1 (TLSv1.1 ECDHE-ECDSA-AES128-SHA); 2.0b is TLS 1.2 only']);
  });

  test('a VTN that lets a client without certificate finish the handshake fails G1_4010', async () => {
    const results = await runAgainst(honest, ['G1_4010_TH_VEN'], { rejectUnauthorized: false });
    expect(failing(results)).toEqual([
      'G1_4010_TH_VEN: the VTN completed a handshake with a client presenting no certificate (TLSv1.2 ECDHE-ECDSA-AES128-SHA256); it must refuse it at the handshake',
    ]);
  });

  test('a VTN that accepts a report for a reportRequestID it never sent fails R1_3190 and nothing else', async () => {
    const results = await runAgainst((service, answer) =>
      service.endsWith('/EiReport') && answer.body.includes('oadrUpdatedReport') ? { ...answer, body: answer.body.replace('>452<', '>200<') } : answer,
      withoutWaits,
    );
    expect(failing(results)).toEqual(['R1_3190_TH_VEN: oadrUpdatedReport for an unknown reportRequestID: responseCode 200, expected 452']);
  });

  test('a VTN that accepts the cancellation of an unknown opt fails the cases that cancel one and nothing else', async () => {
    const results = await runAgainst((service, answer) =>
      service.endsWith('/EiOpt') && answer.body.includes('oadrCanceledOpt') ? { ...answer, body: answer.body.replace('>452<', '>200<') } : answer,
      withoutReports,
    );
    // P1_2020 and P1_2040 cancel their opt a second time, when it is unknown too.
    expect(failing(results)).toEqual(['P1_2020', 'P1_2040', 'P1_2050'].map((id) => expect.stringMatching(new RegExp(`^${id}_TH_VEN: oadrCanceledOpt for an unknown optID \\S+: responseCode 200, expected 452$`))));
  });

  test('a VTN answering polls as text/plain fails on rule 53 in G1_4011 and every case waiting for a polled message', async () => {
    const results = await runAgainst((service, answer) => (service.endsWith('/OadrPoll') ? { ...answer, contentType: 'text/plain' } : answer));
    const reason = 'oadrPoll to OadrPoll: Content-Type "text/plain", expected application/xml (rule 53)';
    // Every case that takes what the VTN has queued polls: all but the queries, opts and refusals.
    const asking = ['N1_0010', 'N1_0015', 'G1_4010', 'E1_1050', 'P1_2010', 'P1_2015', 'P1_2020', 'P1_2030', 'P1_2040', 'P1_2050', 'N1_0070', 'N1_0080', 'N1_0030'].map((id) => `${id}_TH_VEN`);
    const ids = VTN_PULL_CASES.map((c) => c.id).filter((id) => !asking.includes(id));
    expect(failing(results)).toEqual(ids.map((id) => `${id}: ${reason}`));
  });

  test('a VTN that leaves requestID empty fails on rule 41 wherever it happens', async () => {
    const results = await runAgainst((service, answer) =>
      service.endsWith('/EiEvent') && answer.body.includes('oadrDistributeEvent') ? { ...answer, body: answer.body.replace(/<pyld:requestID>[^<]*<\/pyld:requestID>(<ei:vtnID>)/, '<pyld:requestID></pyld:requestID>$1') } : answer,
      withoutWaits,
    );
    // Every event case first asks (oadrRequestEvent) which events the VTN has already.
    expect(failing(results)).toEqual(['E1_1050_TH_VEN', ...eventCaseIDs].map((id) => expect.stringMatching(new RegExp(`^${id}: oadrDistributeEvent breaks rule-41`))));
  });

  test('a VTN that does not bump modificationNumber on a change fails the modification and cancellation cases and nothing else', async () => {
    const results = await runAgainst(inPolledDistributes((body) => body.replace(/<ei:modificationNumber>1<\/ei:modificationNumber>/g, '<ei:modificationNumber>0</ei:modificationNumber>')), withoutReports);
    expect(failing(results)).toEqual(['E1_1030', 'A_E3_0470', 'A_E3_0484', 'A_E3_0492', 'A_E3_0510'].map((id) => expect.stringMatching(new RegExp(`^${id}_TH_VEN: event \\S+ has modificationNumber 0, expected 1 \\(rules 4, 5\\)$`))));
  });

  test('a VTN that drops the baseline of an event fails E1_1027 and nothing else', async () => {
    const results = await runAgainst(inPolledDistributes((body) => body.replace(/<ei:eiEventBaseline>.*?<\/ei:eiEventBaseline>/gs, '')), withoutReports);
    expect(failing(results)).toEqual([expect.stringMatching(/^E1_1027_TH_VEN: event \S+ carries no baseline$/)]);
  });

  test('a VTN that drops the start randomization of an event fails A_E3_0685 and nothing else', async () => {
    const results = await runAgainst(inPolledDistributes((body) => body.replace(/<xcal:tolerance>.*?<\/xcal:tolerance>/gs, '')), withoutReports);
    expect(failing(results)).toEqual([expect.stringMatching(/^A_E3_0685_TH_VEN: event \S+ startafter: missing, the operator was asked for PT5M$/)]);
  });

  test('a VTN that takes every oadrCreatedEvent with 200 fails the cases where it must refuse one', async () => {
    const results = await runAgainst(
      (service, answer) => (service.endsWith('/EiEvent') && answer.body.includes('oadrResponse') ? { ...answer, body: answer.body.replace(/>45\d</, '>200<').replace('>463<', '>200<') } : answer),
      withoutReports,
    );
    expect(failing(results)).toEqual([
      'E1_1080_TH_VEN: oadrResponse to oadrCreatedEvent with a case-swapped venID: responseCode 200, expected 452',
      'A_E3_0720_TH_VEN: oadrResponse to oadrCreatedEvent for an unknown eventID: responseCode 200, expected a 4xx refusal (rule 48)',
      'A_E3_0730_TH_VEN: oadrResponse to oadrCreatedEvent with a wrong modificationNumber: responseCode 200, expected a 4xx refusal (rule 48)',
      'A_E3_0780_TH_VEN: oadrResponse to oadrCreatedEvent from another venID: responseCode 200, expected a 4xx refusal (rule 48)',
    ]);
  });

  test('a VTN whose oadrCancelPartyRegistration names another registrationID fails N1_0040 and nothing else', async () => {
    const results = await runAgainst(
      (service, answer) =>
        service.endsWith('/OadrPoll') && answer.body.includes('oadrCancelPartyRegistration') ? { ...answer, body: answer.body.replace(/(<ei:registrationID>)[^<]*/, '$1th-other') } : answer,
      ['N1_*', 'G1_4011_TH_VEN', 'E1_1050_TH_VEN', 'P1_*'],
    );
    expect(failing(results)).toEqual([expect.stringMatching(/^N1_0040_TH_VEN: oadrCancelPartyRegistration names registrationID "th-other", expected "\S+"$/)]);
  });

  /** The report cases but the three that only wait out periodic deliveries: what a fault in a request or a cancellation can touch. */
  const quickReports = VTN_REPORT_CASES.map((c) => c.id).filter((id) => !['R1_3020_TH_VEN', 'R1_3160_TH_VEN', 'R1_3027_TH_VEN'].includes(id));
  const inPolledReportMessages = (rewrite: (body: string) => string): Fault => (service, answer) =>
    service.endsWith('/OadrPoll') && /oadrCreateReport|oadrCancelReport/.test(answer.body) ? { ...answer, body: rewrite(answer.body) } : answer;

  test('a VTN that drops reportToFollow from a cancellation fails R1_3045 and nothing else', async () => {
    const results = await runAgainst(inPolledReportMessages((body) => body.replace('<pyld:reportToFollow>true</pyld:reportToFollow>', '<pyld:reportToFollow>false</pyld:reportToFollow>')), quickReports.filter((id) => withoutWaits.includes(id)));
    expect(failing(results)).toEqual(['R1_3045_TH_VEN: oadrCancelReport asks for no report to follow; the operator cancelled with one']);
  });

  const inRegisteredReports = (rewrite: (body: string) => string): Fault => (service, answer) =>
    service.endsWith('/EiReport') && answer.body.includes('oadrRegisteredReport') ? { ...answer, body: rewrite(answer.body) } : answer;

  test('a VTN that drops the report request riding on its oadrRegisteredReport fails R1_3060 and nothing else', async () => {
    const results = await runAgainst(
      inRegisteredReports((body) => body.replace(/<oadr:oadrReportRequest>.*?<\/oadr:oadrReportRequest>/gs, '')),
      ['N1_0020_TH_VEN', ...quickReports.filter((id) => withoutWaits.includes(id))],
    );
    expect(failing(results)).toEqual([expect.stringMatching(/^R1_3060_TH_VEN: the oadrRegisteredReport carries no report request for \S+ \(TELEMETRY_USAGE\); it carries none$/)]);
  });

  test('a VTN whose piggy-backed request asks for a data point the VEN never registered fails R1_3060', async () => {
    const results = await runAgainst(
      inRegisteredReports((body) => body.replace(/(<oadr:oadrReportRequest>.*?<ei:rID>)[^<]*/s, '$1th-unregistered')),
      ['N1_0020_TH_VEN', 'R1_3010_TH_VEN', 'R1_3060_TH_VEN'],
    );
    expect(failing(results)).toEqual([expect.stringMatching(/^R1_3060_TH_VEN: the oadrRegisteredReport asks for rID th-unregistered, which the VEN never registered in \S+$/)]);
  });

  test('a VTN that starts every report request at another time than asked fails the cases that ask for a start and nothing else', async () => {
    const results = await runAgainst(
      inPolledReportMessages((body) => body.replace(/(<ei:reportInterval><xcal:properties><xcal:dtstart><xcal:date-time>)[^<]*/g, '$12020-01-01T00:00:00Z')),
      quickReports,
    );
    expect(failing(results)).toEqual(
      ['R1_3025', 'R1_3030', 'R1_3130', 'R1_3140'].map((id) => expect.stringMatching(new RegExp(`^${id}_TH_VEN: reportInterval starts 2020-01-01T00:00:00Z, asked for \\S+$`))),
    );
  });

  test('a VTN that sends only the first request of a multi-request oadrCreateReport fails R1_3180 and nothing else', async () => {
    const results = await runAgainst(
      inPolledReportMessages((body) => {
        let seen = 0;
        return body.replace(/<oadr:oadrReportRequest>.*?<\/oadr:oadrReportRequest>/gs, (request) => (seen++ === 0 ? request : ''));
      }),
      quickReports.filter((id) => withoutWaits.includes(id)),
    );
    expect(failing(results)).toEqual([expect.stringMatching(/^R1_3180_TH_VEN: the oadrCreateReport carries 1 request\(s\) \(\S+\); the operator asked for 2 in one$/)]);
  });
});
