import { VEN_PULL_CASES } from '../src/index.js';
import { failingVenCases } from './brokenVen.js';
import type { Fault, RequestFault } from './faultyProxy.js';

describe('the VEN suite catches a broken VEN, case by case', () => {
  const failingCases = (requestFault: RequestFault, fault?: Fault, select?: string[]): Promise<string[]> =>
    failingVenCases({ cases: VEN_PULL_CASES, requestFault, ...(fault === undefined ? {} : { fault }), ...(select === undefined ? {} : { select }) });

  test('through an honest proxy every case passes', async () => {
    expect(await failingCases((_service, body) => body)).toEqual([]);
  }, 90_000);

  test('a VEN that registers no TELEMETRY_STATUS metadata fails N1_0020, and the report cases that need it cannot request it', async () => {
    const dropStatus: RequestFault = (_service, body) =>
      body.includes('oadrRegisterReport') ? body.replace(/<oadr:oadrReport>(?:(?!<oadr:oadrReport>).)*?METADATA_TELEMETRY_STATUS.*?<\/oadr:oadrReport>/s, '') : body;
    const broken = 'oadrRegisterReport breaks ven-metadata: a VEN that registers reports registers METADATA_TELEMETRY_STATUS';
    const unrequestable = (ids: string[]) => ids.map((id) => `${id}_TH_VTN: the VEN registered no METADATA_TELEMETRY_STATUS, so the harness has nothing to request`);
    expect(await failingCases(dropStatus, undefined, ['N1_*', 'R1_*'])).toEqual([
      // Every case in which the VEN registers again sends the incomplete set.
      `N1_0020_TH_VTN: ${broken}`,
      `N1_0050_TH_VTN: ${broken}`,
      `N1_0065_TH_VTN: ${broken}`,
      ...unrequestable(['R1_3010', 'R1_3020', 'R1_3025', 'R1_3027', 'R1_3030', 'R1_3040', 'R1_3045', 'R1_3060']),
      // Asked for its METADATA, the VEN registers the same incomplete set again.
      `R1_3070_TH_VTN: ${broken}`,
      ...unrequestable(['R1_3090', 'R1_3150', 'R1_3160', 'R1_3170', 'R1_3180', 'R1_3190']),
      `N1_0040_TH_VTN: ${broken}`,
      `N1_0030_TH_VTN: ${broken}`,
    ]);
  });

  test('a VEN that accepts an unsupported signal fails E1_1070 only', async () => {
    const accept: RequestFault = (_service, body) => (body.includes('oadrCreatedEvent') ? body.replace(/<ei:responseCode>460<\/ei:responseCode>/g, '<ei:responseCode>200</ei:responseCode>') : body);
    expect(await failingCases(accept, undefined, ['E1_*', 'A_E1_*'])).toEqual(['E1_1070_TH_VTN: the unsupported signal was answered with 200, expected 460']);
  });

  test('a VEN that fills the outer requestID of oadrCreatedEvent fails every case it answers an event in (rule 42)', async () => {
    const fill: RequestFault = (_service, body) =>
      body.includes('oadrCreatedEvent') ? body.replace(/(<ei:eiResponse><ei:responseCode>200<\/ei:responseCode>(?:<ei:responseDescription>[^<]*<\/ei:responseDescription>)?)<pyld:requestID><\/pyld:requestID>/, '$1<pyld:requestID>x</pyld:requestID>') : body;
    const failing = await failingCases(fill, undefined, ['E1_*', 'A_E1_*']);
    // All but the cases with no 200 answer to give: an empty distribute, a refused vtnID, responseRequired never.
    const quiet = ['E1_1010_TH_VTN', 'E1_1080_TH_VTN', 'A_E1_0468_TH_VTN'];
    const answering = VEN_PULL_CASES.map((c) => c.id).filter((id) => /^(A_)?E1_/.test(id) && !quiet.includes(id));
    expect(failing.map((f) => f.split(':')[0])).toEqual(answering);
    expect(failing[0]).toContain('oadrCreatedEvent breaks rule-42');
  });

  test('a VEN that reports at another granularity than requested fails the cases that check its periodic deliveries', async () => {
    // The VEN is told PT2S where the harness asked PT1S: it samples and reports every 2 s.
    const slower: Fault = (service, answer) =>
      service.endsWith('/OadrPoll') && answer.body.includes('oadrCreateReport')
        ? { ...answer, body: answer.body.replace(/(<xcal:granularity><xcal:duration>)PT1S(<\/xcal:duration>)/g, '$1PT2S$2') }
        : answer;
    const failing = await failingCases((_service, body) => body, slower, ['R1_*']);
    expect(failing.map((f) => f.split(':')[0])).toEqual(['R1_3020_TH_VTN', 'R1_3027_TH_VTN', 'R1_3030_TH_VTN', 'R1_3040_TH_VTN', 'R1_3160_TH_VTN']);
    expect(failing[0]).toMatch(/has an interval of PT2S, the requested granularity is PT1S/);
  }, 60_000);

  test('a VEN that accepts a request for a report it never registered fails R1_3190 only', async () => {
    const accept: RequestFault = (_service, body) => (body.includes('oadrCreatedReport') ? body.replace(/<ei:responseCode>452<\/ei:responseCode>/, '<ei:responseCode>200</ei:responseCode>') : body);
    expect(await failingCases(accept, undefined, ['R1_3010_TH_VTN', 'R1_3070_TH_VTN', 'R1_3170_TH_VTN', 'R1_3180_TH_VTN', 'R1_3190_TH_VTN'])).toEqual(['R1_3190_TH_VTN: oadrCreatedReport for an unknown reportSpecifierID: responseCode 200, expected 452']);
  });
});
