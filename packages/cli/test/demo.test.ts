import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { XMLValidator } from 'fast-xml-parser';
import { run, tempDir } from './helpers.js';

const root = join(__dirname, '..', '..', '..');

describe('oadr demo', () => {
  test('in-process it reaches the optimum of the embedded community, keeps the transformer limit and writes the report', async () => {
    const { code, out, cwd } = await run(['demo', '--in-process', '--json']);
    expect(code).toBe(0);
    const outcome = JSON.parse(out) as { vens: number; agreed: boolean; costEur: number; aloneCostEur: number; limitHolds: boolean; selfConsumption: number };
    expect(outcome).toMatchObject({ vens: 39, agreed: true, limitHolds: true });
    expect(outcome.costEur).toBeLessThan(outcome.aloneCostEur);
    expect(existsSync(join(cwd, 'oadr-demo', 'report.html'))).toBe(true);
  }, 60_000);

  test('rejects unknown options', async () => {
    const { code, err } = await run(['demo', '--houses', '40']);
    expect(code).toBe(2);
    expect(err).toMatch(/Unknown option '--houses'/);
  });

  // What `npm start` runs: the built CLI, a VTN and 39 VENs (in an `oadr ven` process) over mutual TLS.
  test('the built demo negotiates over OpenADR to within 0.1% of the in-process optimum and writes a report that opens offline', async () => {
    execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-b', join(root, 'packages', 'cli')], { stdio: 'inherit' });
    const out = tempDir('oadr-demo-');
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [join(root, 'packages', 'cli', 'dist', 'bin.js'), 'demo', '--out', out], { timeout: 240_000 });
    expect(stderr).toMatch(/starting 39 VENs \(push, in 1 VEN process\(es\)\)/);
    expect(stderr).toMatch(/agreed after \d+ rounds in [\d.]+ s over OpenADR/);
    expect(stdout).toMatch(/negotiated\s+over OpenADR 2\.0b, mutual TLS: \d+ rounds/);
    const gap = /the agreement is (-?[\d.]+)% from it/.exec(stdout);
    expect(gap).not.toBeNull();
    expect(Math.abs(Number(gap![1]))).toBeLessThan(0.1);
    expect(stdout).toMatch(/peak import\s+[\d.]+ kW of 39\.0 kW: limit holds/);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(XMLValidator.validate(html)).toBe(true);
    expect(html.match(/<svg/g)?.length).toBeGreaterThanOrEqual(4);
    expect(html).not.toMatch(/(src|href)="https?:/);
  }, 300_000);
});
