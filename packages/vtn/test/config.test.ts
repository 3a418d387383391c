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

  it('fills the defaults of an offered report and refuses a duplicate rID, a METADATA specifier or a month-long period', () => {
    const point = { rID: 'feeder-kw', itemBase: 'powerReal' as const };
    const config = resolveVtnConfig({ reports: [{ reportSpecifierID: 'feeder', reportName: 'TELEMETRY_USAGE', points: [point] }] });
    expect(config.reports[0]).toEqual({
      reportSpecifierID: 'feeder',
      reportName: 'TELEMETRY_USAGE',
      history: 'P1D',
      points: [{ ...point, siScaleCode: 'k', hertz: 50, voltage: 230, minPeriod: 'PT1M', maxPeriod: 'PT1H' }],
    });
    expect(resolveVtnConfig({}).reports).toEqual([]);
    const twice = { reportSpecifierID: 'other', reportName: 'HISTORY_USAGE' as const, points: [point] };
    expect(() => resolveVtnConfig({ reports: [{ reportSpecifierID: 'feeder', reportName: 'TELEMETRY_USAGE', points: [point] }, twice] })).toThrow(/reports\/1\/points\/0\/rID: feeder-kw is used twice/);
    expect(() => resolveVtnConfig({ reports: [{ ...twice, reportSpecifierID: 'METADATA' }] })).toThrow(/reports\/0\/reportSpecifierID/);
    expect(() => resolveVtnConfig({ reports: [{ ...twice, points: [{ ...point, maxPeriod: 'P1M' }] }] })).toThrow(/maxPeriod/);
  });

  it('takes reports to request on registration (none by default) and names a bad entry next to good ones', () => {
    expect(resolveVtnConfig({}).requestOnRegistration).toEqual([]);
    const usage = { reportName: 'TELEMETRY_USAGE', granularity: 'PT1M', reportBackDuration: 'PT5M' };
    const custom = { reportName: 'x-PROJECTED_USAGE', granularity: 'PT15M', reportBackDuration: 'PT0S' };
    expect(resolveVtnConfig({ requestOnRegistration: [usage, custom] }).requestOnRegistration).toEqual([usage, custom]);
    const refused = (entry: Record<string, unknown>): VtnError => {
      try {
        resolveVtnConfig({ requestOnRegistration: [usage, entry as never] });
      } catch (error) {
        if (error instanceof VtnError) return error;
        throw error;
      }
      throw new Error('accepted');
    };
    expect(refused({ ...usage, reportName: 'TELEMETRY_STATUS', granularity: 'P1M' }).details).toEqual(['config/requestOnRegistration/1/granularity: must match pattern "^P(?=\\d|T\\d)(\\d+D)?(T(?=\\d)(\\d+H)?(\\d+M)?(\\d+S)?)?$"']);
    expect(refused({ ...usage, reportName: 'METADATA_TELEMETRY_STATUS' }).details).toContain('config/requestOnRegistration/1/reportName: must match a schema in anyOf');
    expect(refused({ reportName: 'TELEMETRY_STATUS', granularity: 'PT0S' }).details).toEqual(["config/requestOnRegistration/1: must have required property 'reportBackDuration'"]);
    expect(refused({ ...usage, interval: 'PT1H' }).details).toEqual(['config/requestOnRegistration/1: must NOT have additional properties (interval)']);
    expect(refused({ ...usage, granularity: 'PT5M' }).details).toEqual(['config/requestOnRegistration/1/reportName: is used twice']);
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

describe('OADR_VTN_* environment variables', () => {
  const file = { vtnID: 'from-file', listen: { host: '0.0.0.0', port: 8443 }, admin: { port: 8081, token: 'token-from-the-file-0123' }, logLevel: 'info' } as const;

  it('override the settings of the file they name and leave the others', () => {
    const config = resolveVtnConfig(file, '/srv/vtn', {
      OADR_VTN_ID: 'from-env',
      OADR_VTN_LISTEN_HOST: '127.0.0.2',
      OADR_VTN_LISTEN_PORT: '9443',
      OADR_VTN_ADMIN_HOST: '10.0.0.1',
      OADR_VTN_ADMIN_PORT: '9081',
      OADR_VTN_ADMIN_TOKEN: 'token-from-the-environment',
      OADR_VTN_LOG_LEVEL: 'warn',
      OADR_VTN_STORAGE_PATH: '/var/lib/vtn/state.db',
      UNRELATED: 'x',
    });
    expect(config).toMatchObject({
      vtnID: 'from-env',
      listen: { host: '127.0.0.2', port: 9443 },
      admin: { host: '10.0.0.1', port: 9081, token: 'token-from-the-environment' },
      logLevel: 'warn',
      storage: { type: 'sqlite', path: '/var/lib/vtn/state.db' },
      pollFrequency: 'PT10S',
    });
  });

  it('count as unset when empty, and change nothing without env', () => {
    expect(resolveVtnConfig(file, '/srv/vtn', { OADR_VTN_ADMIN_TOKEN: '', OADR_VTN_LISTEN_PORT: '' })).toMatchObject({ admin: { token: file.admin.token }, listen: { port: 8443 } });
    expect(resolveVtnConfig(file, '/srv/vtn').vtnID).toBe('from-file');
  });

  it('switch the storage: a SQLite path from the working directory, a PostgreSQL URL keeping the file schema', () => {
    expect(resolveVtnConfig({}, '/srv/vtn', { OADR_VTN_STORAGE_PATH: 'data/vtn.db' }).storage).toEqual({ type: 'sqlite', path: join(process.cwd(), 'data/vtn.db') });
    expect(resolveVtnConfig({}, '/srv/vtn', { OADR_VTN_STORAGE_PATH: ':memory:' }).storage).toEqual({ type: 'sqlite', path: ':memory:' });
    const url = 'postgres://vtn@db.internal:5432/vtn';
    expect(resolveVtnConfig({ storage: { type: 'sqlite', path: 'vtn.db' } }, '/srv/vtn', { OADR_VTN_STORAGE_URL: url }).storage).toEqual({ type: 'postgres', connectionString: url });
    expect(
      resolveVtnConfig({ storage: { type: 'postgres', connectionString: 'postgres://old', schema: 'vtn_a', poolSize: 4 } }, '/srv/vtn', { OADR_VTN_STORAGE_URL: url }).storage,
    ).toEqual({ type: 'postgres', connectionString: url, schema: 'vtn_a', poolSize: 4 });
    expect(() => resolveVtnConfig({}, '/srv/vtn', { OADR_VTN_STORAGE_PATH: 'a.db', OADR_VTN_STORAGE_URL: url })).toThrow(/OADR_VTN_STORAGE_PATH.*OADR_VTN_STORAGE_URL.*not both/);
  });

  it('are validated by the configuration schema, and an error names the variable but never shows the token', () => {
    const secret = 'short-secret';
    try {
      resolveVtnConfig(file, '/srv/vtn', { OADR_VTN_LISTEN_PORT: 'eighty', OADR_VTN_ADMIN_PORT: '70000', OADR_VTN_LOG_LEVEL: 'loud', OADR_VTN_ADMIN_TOKEN: secret });
      throw new Error('no error');
    } catch (error) {
      expect(error).toBeInstanceOf(VtnError);
      const { details, message } = error as VtnError;
      expect(details).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^config\/listen\/port \(from OADR_VTN_LISTEN_PORT\): must be integer/),
          expect.stringMatching(/^config\/admin\/port \(from OADR_VTN_ADMIN_PORT\): must be <= 65535/),
          expect.stringMatching(/^config\/logLevel \(from OADR_VTN_LOG_LEVEL\)/),
          expect.stringMatching(/^config\/admin\/token \(from OADR_VTN_ADMIN_TOKEN\): must NOT have fewer than 16 characters/),
        ]),
      );
      expect(`${message}${details.join('')}`).not.toContain(secret);
    }
    // A field the file got wrong is still the file's.
    expect(() => resolveVtnConfig({ admin: { port: -1 } }, '/srv/vtn', { OADR_VTN_LISTEN_PORT: '1' })).toThrow(/config\/admin\/port: must be >= 0/);
    expect(() => resolveVtnConfig({}, '/srv/vtn', { OADR_VTN_STORAGE_URL: 'postgres://x', OADR_VTN_LOG_LEVEL: 'debug' })).not.toThrow();
  });
});
