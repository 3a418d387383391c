import { run } from './helpers.js';

describe('oadr', () => {
  test('--help lists the commands and the exit codes', async () => {
    const { code, out } = await run(['--help']);
    expect(code).toBe(0);
    expect(out).toMatch(/certs\s+make a development PKI/);
    expect(out).toContain('Exit codes: 0 success, 1 the command failed, 2 the command line is wrong.');
  });

  test('no command prints the help and exits 2', async () => {
    const { code, out } = await run([]);
    expect(code).toBe(2);
    expect(out).toContain('Usage: oadr <command>');
  });

  test('an unknown command is one line on stderr and exit 2', async () => {
    const { code, err } = await run(['frobnicate']);
    expect(code).toBe(2);
    expect(err).toBe('oadr: unknown command "frobnicate" (see "oadr --help")\n');
  });
});
