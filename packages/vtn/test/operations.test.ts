import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { createSqliteStore, newVenRecord, startVtn, VTN_SCHEMA_DIR, type VtnStore } from '../src/index.js';
import { expectType, startHarness } from './helpers/harness.js';

describe('operations', () => {
  it('runs the README example', async () => {
    const vtn = await startVtn({
      listen: { port: 0 },
      admin: { port: 0, token: 'a-long-admin-token' },
      storage: { type: 'sqlite', path: ':memory:' },
      logger: pino({ level: 'silent' }),
      processMetrics: false,
    });
    const headers = { authorization: 'Bearer a-long-admin-token', 'content-type': 'application/json' };
    const created = await fetch(`${vtn.adminUrl}/admin/v1/events`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        marketContext: 'http://market.example.com/cpp',
        activePeriod: { dtstart: '2030-01-01T16:00:00Z', duration: 'PT2H', 'x-eiRampUp': 'PT30M' },
        signals: [{ signalName: 'SIMPLE', signalType: 'level', signalID: 'level', intervals: [{ duration: 'PT2H', signalPayload: 2 }] }],
        target: { groupID: ['feeder-3'] },
      }),
    });
    expect(created.status).toBe(201);
    const events = (await (await fetch(`${vtn.adminUrl}/admin/v1/events`, { headers })).json()) as Array<{ status: string }>;
    expect(events.map((e) => e.status)).toEqual(['far']);
    await vtn.close();
  });

  it('shuts down gracefully: a request in flight is answered, new connections are refused', async () => {
    const base = createSqliteStore({ path: ':memory:' });
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    // A store whose VEN lookups wait for the gate: the poll is in flight when close() starts.
    const slow: VtnStore = new Proxy(base, {
      get(target, key, receiver) {
        if (key === 'getVen') return async (venID: string) => (await gate, target.getVen(venID));
        const value = Reflect.get(target, key, receiver) as unknown;
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
    const h = await startHarness({ store: slow });
    await base.saveVen(newVenRecord('v', 0, { registrationID: 'r', registeredAt: 0 }));
    const inFlight = h.post('OadrPoll', { type: 'oadrPoll', body: { venID: 'v' } });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const closing = h.vtn.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await expect(fetch(`${h.vtn.url}/OpenADR2/Simple/2.0b/OadrPoll`, { method: 'POST' })).rejects.toThrow();
    release();
    const answer = await inFlight;
    expect(expectType(answer.message, 'oadrResponse').eiResponse.responseCode).toBe('200');
    await closing;
    await h.close();
  });

  it('documents every admin route in the OpenAPI 3.1 document', () => {
    const doc = JSON.parse(readFileSync(join(VTN_SCHEMA_DIR, 'openapi.json'), 'utf8')) as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(doc.openapi).toBe('3.1.0');
    const source = readFileSync(join(__dirname, '..', 'src', 'http', 'createAdminApp.ts'), 'utf8');
    const routes = [...source.matchAll(/router\.(get|post|put|patch|delete)\('([^']+)'/g)].map(([, method, path]) => [method, (path ?? '').replace(/:(\w+)/g, '{$1}')] as const);
    expect(routes.length).toBeGreaterThan(15);
    for (const [method, path] of routes) expect(doc.paths[path]?.[method ?? '']).toBeDefined();
  });
});
