import { silentLogger, VenClient } from '@oadr-kit/ven';
import { HarnessVtn, runCases, VEN_PULL_CASES } from '../src/index.js';
import { startFaultyProxy, type RequestFault } from './faultyProxy.js';
import { testPki } from './pki.js';

describe('the VEN suite catches a broken VEN, case by case', () => {
  const pki = testPki();
  const venCredential = pki.ven('ven-under-test');

  async function failingCases(requestFault: RequestFault): Promise<string[]> {
    const vtn = new HarnessVtn({ credentials: pki.vtnCredentials, ca: pki.ca, pollFrequency: 'PT0S' });
    await vtn.start();
    const proxy = await startFaultyProxy({ target: vtn.url, ca: pki.ca, serverCredentials: pki.vtnCredentials, clients: [venCredential], requestFault });
    const ven = new VenClient({
      vtnUrl: proxy.url,
      venName: 'ven-under-test',
      tls: { certPem: venCredential.certificatePem, keyPem: venCredential.keyPem, caPem: pki.ca },
      pollIntervalMs: 100,
      logger: silentLogger,
    });
    try {
      const registered = ven.next('registered');
      await ven.start();
      await registered;
      const results = await runCases(VEN_PULL_CASES, { vtn }, { timeoutMs: 5_000 });
      return results.filter((r) => r.outcome !== 'passed').map((r) => `${r.id}: ${r.reason}`);
    } finally {
      await ven.stop();
      await proxy.close();
      await vtn.close();
    }
  }

  test('through an honest proxy every case passes', async () => {
    expect(await failingCases((_service, body) => body)).toEqual([]);
  });

  test('a VEN that registers no TELEMETRY_STATUS metadata fails N1_0020 only', async () => {
    const dropStatus: RequestFault = (_service, body) =>
      body.includes('oadrRegisterReport') ? body.replace(/<oadr:oadrReport>(?:(?!<oadr:oadrReport>).)*?METADATA_TELEMETRY_STATUS.*?<\/oadr:oadrReport>/s, '') : body;
    expect(await failingCases(dropStatus)).toEqual(['N1_0020_TH_VTN: oadrRegisterReport breaks ven-metadata: a VEN that registers reports registers METADATA_TELEMETRY_STATUS']);
  });

  test('a VEN that accepts an unsupported signal fails E1_1070 only', async () => {
    const accept: RequestFault = (_service, body) => (body.includes('oadrCreatedEvent') ? body.replace(/<ei:responseCode>460<\/ei:responseCode>/g, '<ei:responseCode>200</ei:responseCode>') : body);
    expect(await failingCases(accept)).toEqual(['E1_1070_TH_VTN: the unsupported signal was answered with 200, expected 460']);
  });

  test('a VEN that fills the outer requestID of oadrCreatedEvent fails every case it answers an event in (rule 42)', async () => {
    const fill: RequestFault = (_service, body) =>
      body.includes('oadrCreatedEvent') ? body.replace(/(<ei:eiResponse><ei:responseCode>200<\/ei:responseCode>(?:<ei:responseDescription>[^<]*<\/ei:responseDescription>)?)<pyld:requestID><\/pyld:requestID>/, '$1<pyld:requestID>x</pyld:requestID>') : body;
    const failing = await failingCases(fill);
    expect(failing.map((f) => f.split(':')[0])).toEqual(['E1_1020_TH_VTN', 'E1_1030_TH_VTN', 'E1_1040_TH_VTN', 'E1_1070_TH_VTN']);
    expect(failing[0]).toContain('oadrCreatedEvent breaks rule-42');
  });
});
