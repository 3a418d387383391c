import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from './helpers.js';

const scenario = {
  name: 'one',
  horizon: { slots: 4, slotMinutes: 60 },
  grid: { importPrice: 0.2, exportPrice: 0.05, importLimitKw: 10, exportLimitKw: 10 },
  vens: [{ name: 'house-1', devices: [{ kind: 'fixed-load', id: 'load', parameters: { powerKw: 1 } }] }],
};

describe('oadr ven', () => {
  test('--help describes the scenario and the PKI layout', async () => {
    const { code, out } = await run(['ven', '--help']);
    expect(code).toBe(0);
    expect(out).toContain('<name>.chain.pem');
  });

  test.each([
    [['ven'], /--scenario is required/],
    [['ven', '--scenario', 's.json', '--vtn', 'ftp://x', '--pki', 'pki'], /--vtn must be an http\(s\) URL/],
    [['ven', '--scenario', 's.json', '--vtn', 'https://127.0.0.1:1', '--pki', 'pki', '--only', 'house-9'], /--only names "house-9", which the scenario does not have/],
    [['ven', '--scenario', 's.json', '--vtn', 'https://127.0.0.1:1', '--pki', 'nowhere'], /cannot read .*nowhere\/ca-bundle\.pem: ENOENT/],
  ])('%j is a usage error', async (argv, message) => {
    const first = await run(['--help']);
    writeFileSync(join(first.cwd, 's.json'), JSON.stringify(scenario));
    const { code, err } = await run(argv, first.cwd);
    expect(code).toBe(2);
    expect(err).toMatch(message);
  });
});
