import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { venFingerprint } from '@oadr-kit/security';
import { run } from './helpers.js';

describe('oadr certs', () => {
  test('init, issue-vtn and issue-ven make a working PKI with private keys only the owner reads', async () => {
    const init = await run(['certs', 'init', '--dir', 'pki', '--algorithm', 'ec-p256']);
    expect(init.code).toBe(0);
    expect(init.out).toContain('dev PKI (ec-p256)');
    const vtn = await run(['certs', 'issue-vtn', '--dir', 'pki', '--algorithm', 'ec-p256', '--dns', 'vtn.test'], init.cwd);
    expect(vtn.code).toBe(0);
    const ven = await run(['certs', 'issue-ven', '--dir', 'pki', '--algorithm', 'ec-p256', '--name', 'house-17'], init.cwd);
    expect(ven.code).toBe(0);
    const certificatePath = /certificate: (.+)/.exec(ven.out)![1]!;
    const keyPath = /key:\s+(.+)/.exec(ven.out)![1]!;
    expect(certificatePath.startsWith(join(init.cwd, 'pki', 'house-17'))).toBe(true);
    expect(statSync(keyPath).mode & 0o077).toBe(0);
    const printed = /fingerprint: (.+)/.exec(ven.out)![1]!;
    expect(printed).toBe(venFingerprint(readFileSync(certificatePath, 'utf8')));
    expect(printed).toMatch(/^([0-9A-F]{2}:){9}[0-9A-F]{2}$/);
  });

  test('init refuses to replace an existing CA without --force', async () => {
    const first = await run(['certs', 'init', '--dir', 'pki', '--algorithm', 'ec-p256']);
    const again = await run(['certs', 'init', '--dir', 'pki', '--algorithm', 'ec-p256'], first.cwd);
    expect(again.code).toBe(1);
    expect(again.err.split('\n').filter(Boolean)).toHaveLength(1);
    const forced = await run(['certs', 'init', '--dir', 'pki', '--algorithm', 'ec-p256', '--force'], first.cwd);
    expect(forced.code).toBe(0);
  });

  test('issuing before init fails in one readable line', async () => {
    const { code, err, cwd } = await run(['certs', 'issue-ven', '--dir', 'nowhere']);
    expect(code).toBe(1);
    expect(err).toMatch(/^oadr certs: .+\n$/);
    expect(existsSync(join(cwd, 'nowhere', 'ven-rsa.key.pem'))).toBe(false);
  });

  test.each([
    [['certs', 'init', '--algorithm', 'dsa'], /--algorithm must be one of rsa-2048, ec-p256, got "dsa"/],
    [['certs', 'rotate'], /unknown action "rotate"/],
    [['certs', 'init', '--colour'], /Unknown option '--colour'/],
  ])('%j is a usage error (exit 2)', async (argv, message) => {
    const { code, err } = await run(argv);
    expect(code).toBe(2);
    expect(err).toMatch(message);
    expect(err).toContain('see "oadr certs --help"');
  });

  test('--help on the command', async () => {
    const { code, out } = await run(['certs', 'init', '--help']);
    expect(code).toBe(0);
    expect(out).toContain('Usage: oadr certs <init|issue-vtn|issue-ven>');
  });
});
