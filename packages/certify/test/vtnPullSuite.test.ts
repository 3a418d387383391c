import type { RunningVtn } from '@oadr-kit/vtn';
import { XMLValidator } from 'fast-xml-parser';
import { HarnessVen, junitXml, runCases, summarize, VTN_PULL_CASES, type VtnUnderTest } from '../src/index.js';
import { operatorOf, startOurVtn, testPki } from './pki.js';

describe('the VTN pull suite against our own VTN over mutual TLS', () => {
  const pki = testPki();
  let vtn: RunningVtn;
  let context: VtnUnderTest;

  beforeAll(async () => {
    vtn = await startOurVtn(pki);
    const harness = (name: string) => new HarnessVen({ baseUrl: vtn.url, credentials: [pki.ven(name)], ca: pki.ca, venName: name });
    context = { ven: harness('harness-ven'), stranger: harness('stranger'), newcomer: harness('newcomer'), operator: operatorOf(vtn) };
  });

  afterAll(async () => {
    await context.ven.close();
    await context.stranger?.close();
    await context.newcomer?.close();
    await vtn.close();
  });

  test('every case passes and the reports say so', async () => {
    const results = await runCases(VTN_PULL_CASES, context, { timeoutMs: 20_000 });
    expect({ failures: results.filter((r) => r.outcome !== 'passed').map((r) => `${r.id}: ${r.reason}`), ok: summarize(results).ok }).toEqual({ failures: [], ok: true });
    const xml = junitXml('oadr certify vtn (pull)', results, new Date());
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(xml).toContain(`tests="${VTN_PULL_CASES.length}" failures="0" errors="0"`);
  });
});
