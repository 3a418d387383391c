import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { VEN_PULL_CASES } from '@oadr-kit/certify';
import { initDevPki, issueVenCertificate, issueVtnCertificate } from '@oadr-kit/security';
import { silentLogger, VenClient } from '@oadr-kit/ven';
import { startVtn, type RunningVtn } from '@oadr-kit/vtn';
import { XMLValidator } from 'fast-xml-parser';
import pino from 'pino';
import { VTN_PULL_CASES, VTN_PUSH_CASES } from '@oadr-kit/certify';
import { runCli } from '../src/index.js';
import { run } from './helpers.js';

describe('oadr certify vtn', () => {
  const pullCases = VTN_PULL_CASES.length;
  const pushCases = VTN_PUSH_CASES.length;
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
    // The event, report and operator-started registration cases need an operator; without a terminal, script or admin API there is none.
    expect({ code, out }).toEqual({ code: 0, out: expect.stringContaining(`19 passed, 0 failed, 0 errors, ${pullCases - 19} skipped`) });
    expect(out).toMatch(/R1_3010_TH_VEN\s+SKIPPED\s+[\d.]+ s\s+needs an operator/);
    expect(err).toMatch(/^pass {2}N1_0010_TH_VEN$/m);
    expect(XMLValidator.validate(readFileSync(join(cwd, 'vtn.xml'), 'utf8'))).toBe(true);
    expect(readFileSync(join(cwd, 'vtn.html'), 'utf8')).toContain('<strong>PASS</strong>');
  });

  test('--select runs only the matching cases', async () => {
    const { code, out } = await run(['certify', 'vtn', '--target', vtn.url, '--ca', 'pki/ca-bundle.pem', ...pki('harness'), '--select', 'N1_0010_TH_VEN,G1_*'], cwd);
    expect(code).toBe(0);
    expect(out).toContain(`3 passed, 0 failed, 0 errors, ${pullCases - 3} skipped`);
    expect(out).toMatch(/N1_0080_TH_VEN\s+SKIPPED\s+[\d.]+ s\s+not selected/);
  });

  test('without a second certificate N1_0080 is reported skipped, with the reason', async () => {
    const { code, out } = await run(['certify', 'vtn', '--target', vtn.url, '--ca', 'pki/ca-bundle.pem', ...pki('harness'), '--select', 'N1_0080_TH_VEN'], cwd);
    expect(code).toBe(0);
    expect(out).toMatch(/N1_0080_TH_VEN\s+SKIPPED\s+[\d.]+ s\s+needs a second certificate the VTN never registered/);
  });

  const base = () => ['certify', 'vtn', '--target', vtn.url, '--ca', 'pki/ca-bundle.pem', ...pki('harness')];

  test('--admin-url/--admin-token carry out the operator steps through our VTN\'s admin API', async () => {
    const { code, out } = await run([...base(), '--admin-url', vtn.adminUrl, '--admin-token', 'certify-token-0123456789', '--select', 'E1_1030_TH_VEN,R1_3010_TH_VEN,N1_0040_TH_VEN'], cwd);
    expect({ code, out }).toEqual({ code: 0, out: expect.stringContaining(`3 passed, 0 failed, 0 errors, ${pullCases - 3} skipped`) });
  });

  test('--operator-script runs once per step with the step as JSON on stdin; exit 0 means done, another exit fails the case', async () => {
    // The script asks our VTN's admin API for what the step says, and keeps a copy of each step.
    writeFileSync(
      join(cwd, 'operator.js'),
      `let d = '';
process.stdin.on('data', (c) => (d += c)).on('end', async () => {
  require('fs').appendFileSync('steps.jsonl', d + '\\n');
  const { action } = JSON.parse(d);
  if (action.kind !== 'requestReregistration') process.exit(3);
  const r = await fetch('${vtn.adminUrl}/admin/v1/vens/' + action.venID + '/reregister', { method: 'POST', headers: { authorization: 'Bearer certify-token-0123456789' } });
  process.exit(r.ok ? 0 : 1);
});`,
    );
    const { code, out } = await run([...base(), '--operator-script', 'node operator.js', '--select', 'N1_0050_TH_VEN,N1_0040_TH_VEN'], cwd);
    expect(code).toBe(1);
    expect(out).toMatch(/N1_0050_TH_VEN\s+PASSED/);
    expect(out).toMatch(/N1_0040_TH_VEN\s+ERROR\s+[\d.]+ s\s+Error: operator script exited with 3/);
    const steps = readFileSync(join(cwd, 'steps.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { text: string; action: { kind: string } });
    expect(steps.map((step) => step.action.kind)).toEqual(['requestReregistration', 'cancelRegistration']);
    expect(steps[1]!.text).toMatch(/^cancel the registration of VEN \S+$/);
  });

  test('with a terminal on stdin each step is prompted: Enter once done, "skip" skips the case', async () => {
    const stdin = Object.assign(new PassThrough(), { isTTY: true });
    let out = '';
    let err = '';
    let prompts = 0;
    const code = await runCli([...base(), '--select', 'N1_0050_TH_VEN,E1_1020_TH_VEN'], {
      cwd,
      stdin,
      stdout: { write: (t: string) => (out += t) },
      stderr: {
        write: (t: string) => {
          err += t;
          const venID = /operator: ask VEN (\S+) to register again/.exec(t)?.[1];
          if (venID !== undefined) {
            prompts++;
            void vtn.app.core.requestReregistration(venID).then(() => stdin.write('\n'));
          } else if (t.includes('operator: create an event')) {
            prompts++;
            stdin.write('skip\n');
          }
        },
      },
    });
    expect({ code, prompts }).toEqual({ code: 0, prompts: 2 });
    expect(err).toContain('press Enter when done, or type skip');
    expect(out).toMatch(/N1_0050_TH_VEN\s+PASSED/);
    expect(out).toMatch(/E1_1020_TH_VEN\s+SKIPPED\s+[\d.]+ s\s+the operator skipped: create an event for VEN \S+: market context/);
  });

  test('--model push registers a listener for the VTN\'s pushes and runs the push cases; --model both runs pull, then push', async () => {
    const admin = ['--admin-url', vtn.adminUrl, '--admin-token', 'certify-token-0123456789'];
    const push = await run([...base(), ...admin, '--model', 'push', '--select', 'N0_5020_TH_VEN,E0_6030_TH_VEN,R0_8010_TH_VEN'], cwd);
    expect({ code: push.code, out: push.out }).toEqual({ code: 0, out: expect.stringContaining(`3 passed, 0 failed, 0 errors, ${pushCases - 3} skipped`) });
    expect(push.out).toMatch(/E0_6030_TH_VEN\s+PASSED/);
    const both = await run([...base(), ...admin, '--model', 'both', '--select', 'E1_1020_TH_VEN,E0_6020_TH_VEN', '--junit', 'both.xml'], cwd);
    expect({ code: both.code, out: both.out }).toEqual({ code: 0, out: expect.stringContaining(`2 passed, 0 failed, 0 errors, ${pullCases + pushCases - 2} skipped`) });
    expect(readFileSync(join(cwd, 'both.xml'), 'utf8')).toContain('name="oadr certify vtn (pull and push)"');
  });

  test.each([
    [['--admin-url', 'http://127.0.0.1:1'], /give both --admin-url and --admin-token/],
    [['--newcomer-cert', 'pki/harness.chain.pem'], /give both --newcomer-cert and --newcomer-key/],
    [['--model', 'poll'], /--model must be pull, push or both, got "poll"/],
    [['--push-listen', 'localhost'], /--push-listen must be host:port, got "localhost"/],
  ])('%j alone is a usage error', async (extra, message) => {
    const { code, err } = await run([...base(), ...extra], cwd);
    expect({ code, err }).toEqual({ code: 2, err: expect.stringMatching(message) });
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
    const running = runCli(['certify', 'ven', '--cert', 'pki/vtn-ecc.chain.pem', '--key', 'pki/vtn-ecc.key.pem', '--ca', 'pki/ca-bundle.pem', '--wait', '20', '--junit', 'ven.xml', '--select', 'N1_0020_TH_VTN,N1_0030_TH_VTN,E1_*'], {
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
      // The cases the VEN's operator starts are skipped without one.
      expect(out).toContain(`9 passed, 0 failed, 0 errors, ${VEN_PULL_CASES.length - 9} skipped`);
      expect(out).toMatch(/N1_0030_TH_VTN\s+SKIPPED\s+[\d.]+ s\s+needs the VEN operator hook/);
      expect(XMLValidator.validate(readFileSync(join(cwd, 'ven.xml'), 'utf8'))).toBe(true);
    } finally {
      await ven?.stop();
    }
  });

  /** A dev PKI for a harness VTN and one VEN, and the VEN's options pointed at a harness URL. */
  async function venSetup(): Promise<{ cwd: string; venAt: (url: string, push: boolean) => VenClient }> {
    const cwd = (await run(['--help'])).cwd;
    const dir = join(cwd, 'pki');
    const { caBundlePath } = initDevPki(dir, { keyAlgorithms: ['ec-p256'] });
    issueVtnCertificate(dir, { keyAlgorithm: 'ec-p256' });
    const venFiles = issueVenCertificate(dir, { keyAlgorithm: 'ec-p256', name: 'device' });
    const venAt = (url: string, push: boolean): VenClient =>
      new VenClient({
        vtnUrl: url,
        venName: 'device',
        tls: { certFile: venFiles.chainPath, keyFile: venFiles.keyPath, caFile: caBundlePath },
        pollIntervalMs: 200,
        logger: silentLogger,
        ...(push ? { push: { port: 0, host: '127.0.0.1' } } : {}),
      });
    return { cwd, venAt };
  }

  const harnessVtn = ['--cert', 'pki/vtn-ecc.chain.pem', '--key', 'pki/vtn-ecc.key.pem', '--ca', 'pki/ca-bundle.pem', '--wait', '20'];

  test('--model push runs the push cases against a push VEN; --operator-script gets each VEN step as JSON and its failure fails the case', async () => {
    const { cwd, venAt } = await venSetup();
    let out = '';
    let ven: VenClient | undefined;
    const running = runCli(['certify', 'ven', ...harnessVtn, '--model', 'push', '--timeout', '5', '--select', 'N0_5020_TH_VTN,E0_6020_TH_VTN,N0_5080_TH_VTN,N0_5030_TH_VTN', '--operator-script', 'cat > step.json; echo "nobody at the VEN" >&2; exit 3'], {
      cwd,
      stdout: { write: (t: string) => (out += t) },
      stderr: {
        write: (t: string) => {
          const url = /listening at (https:\/\/\S+):/.exec(t)?.[1];
          if (url !== undefined) {
            ven = venAt(url, true);
            void ven.start();
          }
        },
      },
    });
    try {
      expect(await running).toBe(1);
      expect(out).toMatch(/N0_5020_TH_VTN\s+PASS/);
      expect(out).toMatch(/E0_6020_TH_VTN\s+PASS/);
      expect(out).toMatch(/N0_5080_TH_VTN\s+SKIPPED\s+[\d.]+ s\s+needs a second certificate/);
      expect(out).toMatch(/N0_5030_TH_VTN\s+ERROR\s+[\d.]+ s\s+Error: operator script exited with 3: nobody at the VEN/);
      const step = JSON.parse(readFileSync(join(cwd, 'step.json'), 'utf8')) as { text: string; action: { kind: string; venID: string } };
      expect(step).toEqual({ text: expect.stringMatching(/^make VEN \S+ cancel its registration$/), action: { kind: 'cancelRegistration', venID: expect.any(String) } });
    } finally {
      await ven?.stop();
    }
  });

  test('--model both runs the pull cases, then waits for the VEN to register for push; at a terminal a VEN step is prompted and "skip" skips it', async () => {
    const { cwd, venAt } = await venSetup();
    const stdin = Object.assign(new PassThrough(), { isTTY: true });
    let out = '';
    let err = '';
    let ven: VenClient | undefined;
    let switching = Promise.resolve();
    const running = runCli(['certify', 'ven', ...harnessVtn, '--model', 'both', '--select', 'N1_0020_TH_VTN,E1_1060_TH_VTN,N0_5020_TH_VTN'], {
      cwd,
      stdin,
      stdout: { write: (t: string) => (out += t) },
      stderr: {
        write: (t: string) => {
          err += t;
          if (t.includes('opt out of event')) stdin.write('skip\n');
          const listening = /harness VTN \((pull|push)\) listening at (https:\/\/\S+):/.exec(t);
          if (listening !== null) {
            const previous = ven;
            switching = switching.then(async () => {
              await previous?.stop();
              ven = venAt(listening[2]!, listening[1] === 'push');
              await ven.start();
            });
          }
        },
      },
    });
    try {
      expect(await running).toBe(0);
      expect(err).toMatch(/^operator: make VEN \S+ opt out of event \S+$/m);
      expect(out).toMatch(/N1_0020_TH_VTN\s+PASS/);
      expect(out).toMatch(/E1_1060_TH_VTN\s+SKIPPED\s+[\d.]+ s\s+the operator skipped: make VEN/);
      expect(out).toMatch(/N0_5020_TH_VTN\s+PASS/);
    } finally {
      await switching;
      await ven?.stop();
    }
  });

  test('an unknown --model is a usage error', async () => {
    const { code, err } = await run(['certify', 'ven', '--model', 'xmpp', '--cert', 'x', '--key', 'x', '--ca', 'x']);
    expect(code).toBe(2);
    expect(err).toMatch(/--model must be pull, push or both, got "xmpp"/);
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
