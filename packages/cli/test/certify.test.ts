import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { initDevPki, issueVenCertificate, issueVtnCertificate } from '@oadr-kit/security';
import { silentLogger, VenClient } from '@oadr-kit/ven';
import { startVtn, type RunningVtn } from '@oadr-kit/vtn';
import { XMLValidator } from 'fast-xml-parser';
import pino from 'pino';
import { runCli } from '../src/index.js';
import { run } from './helpers.js';

describe('oadr certify vtn', () => {
  let vtn: RunningVtn;
  let cwd: string;

  beforeAll(async () => {
    cwd = (await run(['--help'])).cwd;
    const dir = join(cwd, 'pki');
    const { caBundlePath } = initDevPki(dir);
    const vtnFiles = [issueVtnCertificate(dir, { keyAlgorithm: 'rsa-2048' }), issueVtnCertificate(dir, { keyAlgorithm: 'ec-p256' })];
    issueVenCertificate(dir, { keyAlgorithm: 'ec-p256', name: 'harness' });
    issueVenCertificate(dir, { keyAlgorithm: 'ec-p256', name: 'stranger' });
    vtn = await startVtn({
      listen: { host: '127.0.0.1', port: 0 },
      admin: { host: '127.0.0.1', port: 0, token: 'certify-token-0123456789' },
      storage: { type: 'sqlite', path: ':memory:' },
      tlsMaterial: {
        credentials: vtnFiles.map((f) => ({ keyPem: readFileSync(f.keyPath, 'utf8'), certificatePem: readFileSync(f.chainPath, 'utf8') })),
        ca: readFileSync(caBundlePath, 'utf8'),
      },
      logger: pino({ level: 'silent' }),
      processMetrics: false,
    });
  });

  afterAll(async () => {
    await vtn.close();
  });

  const pki = (name: string) => ['--cert', `pki/${name}.chain.pem`, '--key', `pki/${name}.key.pem`];

  test('runs the suite against a VTN, prints the table and writes JUnit XML and HTML', async () => {
    const { code, out, err } = await run(
      ['certify', 'vtn', '--target', vtn.url, '--ca', 'pki/ca-bundle.pem', ...pki('harness'), '--stranger-cert', 'pki/stranger.chain.pem', '--stranger-key', 'pki/stranger.key.pem', '--junit', 'vtn.xml', '--html', 'vtn.html'],
      cwd,
    );
    // The report cases need an operator to make the VTN request reports; the CLI has none, so they are skipped.
    expect({ code, out }).toEqual({ code: 0, out: expect.stringContaining('12 passed, 0 failed, 0 errors, 6 skipped') });
    expect(out).toMatch(/R1_3010_TH_VEN\s+SKIPPED\s+[\d.]+ s\s+needs an operator/);
    expect(err).toMatch(/^pass {2}N1_0010_TH_VEN$/m);
    expect(XMLValidator.validate(readFileSync(join(cwd, 'vtn.xml'), 'utf8'))).toBe(true);
    expect(readFileSync(join(cwd, 'vtn.html'), 'utf8')).toContain('<strong>PASS</strong>');
  });

  test('--select runs only the matching cases', async () => {
    const { code, out } = await run(['certify', 'vtn', '--target', vtn.url, '--ca', 'pki/ca-bundle.pem', ...pki('harness'), '--select', 'N1_0010_TH_VEN,G1_*'], cwd);
    expect(code).toBe(0);
    expect(out).toContain('2 passed, 0 failed, 0 errors, 16 skipped');
    expect(out).toMatch(/N1_0080_TH_VEN\s+SKIPPED\s+[\d.]+ s\s+not selected/);
  });

  test('without a second certificate N1_0080 is reported skipped, with the reason', async () => {
    const { code, out } = await run(['certify', 'vtn', '--target', vtn.url, '--ca', 'pki/ca-bundle.pem', ...pki('harness'), '--select', 'N1_0080_TH_VEN'], cwd);
    expect(code).toBe(0);
    expect(out).toMatch(/N1_0080_TH_VEN\s+SKIPPED\s+[\d.]+ s\s+needs a second certificate the VTN never registered/);
  });

  test('a VTN that cannot be reached makes the selected case an error and exits 1', async () => {
    const { code, out } = await run(['certify', 'vtn', '--target', 'https://127.0.0.1:1', '--ca', 'pki/ca-bundle.pem', ...pki('harness'), '--select', 'N1_0010_TH_VEN', '--timeout', '5'], cwd);
    expect(code).toBe(1);
    expect(out).toMatch(/N1_0010_TH_VEN\s+ERROR\s+[\d.]+ s\s+.*ECONNREFUSED/);
  });

  test.each([
    [['certify'], 2, /Usage: oadr certify vtn/],
    [['certify', 'vtm'], 2, /"vtm" is not a suite/],
    [['certify', 'ven'], 2, /certify ven: --cert is required/],
    [['certify', 'vtn', '--target', 'http://127.0.0.1:1', '--ca', 'x', '--cert', 'x', '--key', 'x'], 2, /--target must be an https:\/\/ URL/],
    [['certify', 'vtn', '--target', 'https://127.0.0.1:1', '--ca', 'missing.pem', '--cert', 'x', '--key', 'x'], 2, /cannot read --ca missing\.pem: ENOENT/],
    [['certify', 'vtn', '--target', 'https://127.0.0.1:1', '--cert', 'x', '--key', 'x'], 2, /--ca is required/],
  ])('%j is refused', async (argv, exit, message) => {
    const { code, out, err } = await run(argv, cwd);
    expect(code).toBe(exit);
    expect(out + err).toMatch(message);
    expect(existsSync(join(cwd, 'missing.pem'))).toBe(false);
  });
});

describe('oadr certify ven', () => {
  test('waits for a VEN at --listen, runs the VEN suite against it and writes JUnit XML', async () => {
    const cwd = (await run(['--help'])).cwd;
    const dir = join(cwd, 'pki');
    const { caBundlePath } = initDevPki(dir, { keyAlgorithms: ['ec-p256'] });
    issueVtnCertificate(dir, { keyAlgorithm: 'ec-p256' });
    const venFiles = issueVenCertificate(dir, { keyAlgorithm: 'ec-p256', name: 'device' });
    let out = '';
    let err = '';
    let ven: VenClient | undefined;
    const running = runCli(['certify', 'ven', '--cert', 'pki/vtn-ecc.chain.pem', '--key', 'pki/vtn-ecc.key.pem', '--ca', 'pki/ca-bundle.pem', '--wait', '20', '--junit', 'ven.xml', '--select', 'N1_*,E1_*,A_E1_*'], {
      cwd,
      stdout: { write: (t: string) => (out += t) },
      stderr: {
        write: (t: string) => {
          err += t;
          const url = /listening at (https:\/\/\S+):/.exec(t)?.[1];
          if (url !== undefined) {
            ven = new VenClient({
              vtnUrl: url,
              venName: 'device',
              tls: { certFile: venFiles.chainPath, keyFile: venFiles.keyPath, caFile: caBundlePath },
              pollIntervalMs: 200,
              logger: silentLogger,
            });
            void ven.start();
          }
        },
      },
    });
    try {
      const code = await running;
      expect({ code, err }).toEqual({ code: 0, err: expect.stringMatching(/^pass {2}E1_1070_TH_VTN$/m) });
      // The report cases need a VEN that samples within seconds and has readings to report; certify's own tests run them against one.
      expect(out).toContain('7 passed, 0 failed, 0 errors, 8 skipped');
      expect(XMLValidator.validate(readFileSync(join(cwd, 'ven.xml'), 'utf8'))).toBe(true);
    } finally {
      await ven?.stop();
    }
  });

  test('no VEN within --wait is a failure in one line', async () => {
    const cwd = (await run(['--help'])).cwd;
    const dir = join(cwd, 'pki');
    initDevPki(dir, { keyAlgorithms: ['ec-p256'] });
    issueVtnCertificate(dir, { keyAlgorithm: 'ec-p256' });
    const { code, err } = await run(['certify', 'ven', '--cert', 'pki/vtn-ecc.chain.pem', '--key', 'pki/vtn-ecc.key.pem', '--ca', 'pki/ca-bundle.pem', '--wait', '1'], cwd);
    expect(code).toBe(1);
    expect(err).toMatch(/^oadr certify: no VEN registered at https:\/\/127\.0\.0\.1:\d+ within 1 s\n$/m);
  });

  test('a malformed --listen is a usage error', async () => {
    const { code, err } = await run(['certify', 'ven', '--listen', 'localhost', '--cert', 'x', '--key', 'x', '--ca', 'x']);
    expect(code).toBe(2);
    expect(err).toMatch(/--listen must be host:port, got "localhost"/);
  });
});
