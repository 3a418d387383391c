import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backoffMs, loadVtnConfig, pushUrl, resolveVtnConfig, VtnError } from '../src/index.js';

describe('resolveVtnConfig', () => {
  it('fills every default from an empty object and freezes the result', () => {
    const config = resolveVtnConfig({}, '/srv/vtn');
    expect(config).toMatchObject({
      vtnID: 'oadr-kit-vtn',
      listen: { host: '127.0.0.1', port: 8443 },
      admin: { host: '127.0.0.1', port: 8081 },
      storage: { type: 'sqlite', path: '/srv/vtn/vtn.db' },
      pollFrequency: 'PT10S',
      maxPayloadBytes: 1048576,
      registration: { autoApprove: true },
      push: { maxAttempts: 5, concurrency: 128 },
      logLevel: 'info',
    });
    expect(Object.isFrozen(config.push)).toBe(true);
  });

  it('names every field at fault', () => {
    try {
      resolveVtnConfig({ listen: { port: 70000 }, logLevel: 'loud', bogus: 1 } as never);
      throw new Error('no error');
    } catch (error) {
      expect(error).toBeInstanceOf(VtnError);
      expect((error as VtnError).code).toBe('OADR_ERR_VTN_CONFIG_INVALID');
      const details = (error as VtnError).details.join('\n');
      expect(details).toMatch(/listen\/port/);
      expect(details).toMatch(/logLevel/);
      expect(details).toMatch(/bogus/);
    }
  });

  it('refuses a postgres storage without connection string and a short admin token', () => {
    expect(() => resolveVtnConfig({ storage: { type: 'postgres' } as never })).toThrow(VtnError);
    expect(() => resolveVtnConfig({ admin: { token: 'short' } })).toThrow(/token/);
  });

  it('loads a file, resolving paths against its directory, and refuses unreadable JSON', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vtn-config-'));
    try {
      writeFileSync(join(dir, 'vtn.json'), JSON.stringify({ storage: { type: 'sqlite', path: 'data/vtn.db' }, tls: { credentials: [{ keyFile: 'k.pem', certificateFile: 'c.pem' }], caFile: 'ca.pem' } }));
      const config = loadVtnConfig(join(dir, 'vtn.json'));
      expect(config.storage).toEqual({ type: 'sqlite', path: join(dir, 'data/vtn.db') });
      expect(config.tls?.caFile).toBe(join(dir, 'ca.pem'));
      writeFileSync(join(dir, 'bad.json'), '{ nope');
      expect(() => loadVtnConfig(join(dir, 'bad.json'))).toThrow(/cannot read configuration/);
      writeFileSync(join(dir, 'array.json'), '[]');
      expect(() => loadVtnConfig(join(dir, 'array.json'))).toThrow(/JSON object/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('push helpers', () => {
  it('builds service URLs with or without a trailing slash (N0_5050)', () => {
    expect(pushUrl('https://ven.example:8443', 'EiEvent')).toBe('https://ven.example:8443/OpenADR2/Simple/2.0b/EiEvent');
    expect(pushUrl('https://ven.example:8443/', 'EiReport')).toBe('https://ven.example:8443/OpenADR2/Simple/2.0b/EiReport');
  });

  it('backs off exponentially with jitter, capped', () => {
    expect(backoffMs(2, 500, 30_000, () => 1)).toBe(500);
    expect(backoffMs(4, 500, 30_000, () => 1)).toBe(2000);
    expect(backoffMs(4, 500, 30_000, () => 0)).toBe(1000);
    expect(backoffMs(20, 500, 30_000, () => 1)).toBe(30_000);
  });
});
