import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../src/index.js';
import { run } from './helpers.js';

describe('oadr vtn', () => {
  test('--help prints the usage', async () => {
    const { code, err } = await run(['vtn', '--help']);
    expect(code).toBe(0);
    expect(err).toContain('usage: oadr vtn [--config vtn.json]');
  });

  test('an unknown argument is a usage error; a missing config file a failure in one line', async () => {
    const bad = await run(['vtn', '--port', '1']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('unknown argument --port');
    const missing = await run(['vtn', '--config', 'nope.json']);
    expect(missing.code).toBe(1);
    expect(missing.err.trim().split('\n')).toHaveLength(1);
    expect(missing.err).toMatch(/^oadr vtn: .*nope\.json/);
  });

  test('runs from a config file until SIGTERM, then shuts down cleanly', async () => {
    const { cwd } = await run(['--help']);
    const config = {
      listen: { host: '127.0.0.1', port: 0 },
      admin: { host: '127.0.0.1', port: 0, token: 'cli-test-token-0123456789' },
      storage: { type: 'sqlite', path: join(cwd, 'vtn.db') },
      logLevel: 'silent',
    };
    writeFileSync(join(cwd, 'vtn.json'), JSON.stringify(config));
    let err = '';
    const before = process.listenerCount('SIGTERM');
    const running = runCli(['vtn', '--config', join(cwd, 'vtn.json')], { cwd, stdout: { write: () => true }, stderr: { write: (t: string) => (err += t) } });
    // The VTN is up once it listens for the signals it stops on.
    for (let i = 0; i < 100 && process.listenerCount('SIGTERM') === before; i++) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(process.listenerCount('SIGTERM')).toBeGreaterThan(before);
    process.emit('SIGTERM');
    expect(await running).toBe(0);
    expect(err).toBe('');
  });
});
