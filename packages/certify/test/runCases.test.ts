import { XMLValidator } from 'fast-xml-parser';
import { CaseFailure, CaseSkipped, junitXml, matchesSelector, runCases, summarize, summaryHtml, summaryTable, type CertificationCase } from '../src/index.js';

type Log = string[];

function testCase(id: string, run: (log: Log, signal: AbortSignal) => Promise<void>, timeoutMs?: number): CertificationCase<Log> {
  return { id, title: `case ${id}`, role: 'vtn', model: 'pull', checks: ['rule-8'], ...(timeoutMs === undefined ? {} : { timeoutMs }), run };
}

const cases: CertificationCase<Log>[] = [
  testCase('N1_0010_TH_VEN', async (log) => {
    log.push('N1_0010');
  }),
  testCase('N1_0020_TH_VEN', async () => {
    throw new CaseFailure('registrationID missing in oadrCreatedPartyRegistration', [
      { rule: 'rule-41', element: 'oadrCreatedPartyRegistration/requestID', message: 'requestID must not be empty' },
    ]);
  }),
  testCase('E1_1010_TH_VEN', async () => {
    throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
  }),
  testCase(
    'E1_1020_TH_VEN',
    (_log, signal) =>
      new Promise<void>((resolve) => {
        signal.addEventListener('abort', () => resolve());
      }),
    50,
  ),
];

describe('runCases', () => {
  test('runs every case and records pass, failure, error and timeout without stopping', async () => {
    const log: Log = [];
    const seen: string[] = [];
    const results = await runCases(cases, log, { onResult: (r) => seen.push(`${r.id}:${r.outcome}`) });
    expect(results.map((r) => r.outcome)).toEqual(['passed', 'failed', 'error', 'timeout']);
    expect(seen).toEqual(['N1_0010_TH_VEN:passed', 'N1_0020_TH_VEN:failed', 'E1_1010_TH_VEN:error', 'E1_1020_TH_VEN:timeout']);
    expect(log).toEqual(['N1_0010']);
    expect(results[1]!.findings).toHaveLength(1);
    expect(results[2]!.reason).toBe('ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:1');
    expect(results[3]!.reason).toBe('no result within 50 ms');
    expect(summarize(results)).toEqual({ passed: 1, failed: 1, error: 1, timeout: 1, skipped: 0, ok: false });
  });

  test('selects cases by id and by pattern; the rest are skipped', async () => {
    const results = await runCases(cases, [], { select: ['N1_*', 'E1_1020_TH_VEN'] , timeoutMs: 20 });
    expect(results.map((r) => r.outcome)).toEqual(['passed', 'failed', 'skipped', 'timeout']);
    expect(matchesSelector('N1_0010_TH_VEN', 'N1_00?0_TH_VEN')).toBe(false);
    expect(matchesSelector('A_E3_0420_TH_VEN', 'A_E3_*')).toBe(true);
  });

  test('a case that throws after its limit is abandoned quietly', async () => {
    const late = testCase('E1_1030_TH_VEN', (_log, signal) => new Promise<void>((_resolve, reject) => signal.addEventListener('abort', () => reject(new CaseFailure('aborted')))), 20);
    const rejections: unknown[] = [];
    const onRejection = (reason: unknown): void => {
      rejections.push(reason);
    };
    process.on('unhandledRejection', onRejection);
    try {
      const [result] = await runCases([late], []);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(result!.outcome).toBe('timeout');
      expect(rejections).toEqual([]);
    } finally {
      process.off('unhandledRejection', onRejection);
    }
  });

  test('a case that cannot run against the context is skipped with its reason', async () => {
    const needsLog = { ...testCase('N1_0080_TH_VEN', async () => undefined), unavailable: (log: Log) => (log.length === 0 ? 'needs a log line' : undefined) };
    expect((await runCases([needsLog], []))[0]).toMatchObject({ outcome: 'skipped', reason: 'needs a log line' });
    expect((await runCases([needsLog], ['x']))[0]).toMatchObject({ outcome: 'passed' });
  });

  test('a case that gives up with CaseSkipped is reported skipped with the reason', async () => {
    const skipping = testCase('N1_0040_TH_VEN', async () => {
      throw new CaseSkipped('the operator skipped: cancel the registration of VEN v');
    });
    expect((await runCases([skipping], []))[0]).toMatchObject({ outcome: 'skipped', reason: 'the operator skipped: cancel the registration of VEN v' });
  });

  test('a run where everything passes or is skipped is ok', async () => {
    const results = await runCases(cases, [], { select: ['N1_0010_TH_VEN'] });
    expect(summarize(results).ok).toBe(true);
  });
});

describe('reports', () => {
  const at = new Date(Date.UTC(2026, 10, 26, 12));

  test('JUnit XML is well-formed, counts every outcome and escapes what the device sent', async () => {
    const results = await runCases([...cases, testCase('P1_2050_TH_VEN', async () => {
      throw new CaseFailure('expected 452, got <oadrResponse> & "200"\u0001');
    })], [], { timeoutMs: 20, select: ['*'] });
    const xml = junitXml('VTN pull suite', results, at);
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(xml).toContain('<testsuite name="VTN pull suite" tests="5" failures="2" errors="2" skipped="0"');
    expect(xml).toContain('message="expected 452, got &lt;oadrResponse&gt; &amp; &quot;200&quot;"');
    expect(xml).toContain('rule-41 at oadrCreatedPartyRegistration/requestID: requestID must not be empty</failure>');
  });

  test('the terminal table and the HTML page list every case with its reason', async () => {
    const results = await runCases(cases, [], { timeoutMs: 20 });
    const table = summaryTable(results);
    expect(table).toMatch(/^N1_0020_TH_VEN\s+FAILED\s+[\d.]+ s\s+registrationID missing/m);
    expect(table).toContain('1 passed, 1 failed, 2 errors, 0 skipped');
    const page = summaryHtml('VTN <pull> suite', results, at);
    expect(page).toContain('<title>VTN &lt;pull&gt; suite</title>');
    expect(page).toContain('<strong>FAIL</strong>');
    expect(page).toContain('<code>rule-41</code>');
    expect(page).not.toMatch(/<script|https?:\/\//);
  });
});
