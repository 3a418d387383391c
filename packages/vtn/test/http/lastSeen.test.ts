import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteStore, type VtnRepository, type VtnStore } from '../../src/index.js';
import { startHarness, T0, type Harness } from '../helpers/harness.js';

/** A SQLite store that counts its transactions, to show polls do not each write. */
function countingStore(path: string): VtnStore & { transactions: number } {
  const inner = createSqliteStore({ path });
  const counting = Object.create(inner) as VtnStore & { transactions: number };
  counting.transactions = 0;
  counting.transaction = <T>(fn: (tx: VtnRepository) => Promise<T>): Promise<T> => {
    counting.transactions++;
    return inner.transaction(fn);
  };
  return counting;
}

describe('lastSeenAt of a VEN', () => {
  let h: Harness;
  let store: VtnStore & { transactions: number };
  let dir: string;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vtn-seen-'));
    store = countingStore(join(dir, 'vtn.db'));
    h = await startHarness({ store });
  });

  afterEach(async () => {
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const adminVen = async (venID: string): Promise<Record<string, unknown>> => (await h.admin('GET', `/admin/v1/vens/${venID}`)).json as Record<string, unknown>;

  it('is the registration time first, then the latest poll, shown at once and stored by the flush, not per poll', async () => {
    const { venID } = await h.register();
    expect((await adminVen(venID)).lastSeenAt).toBe(new Date(T0).toISOString());
    await h.drain(venID);
    const before = store.transactions;
    for (let i = 1; i <= 200; i++) {
      h.clock.now = T0 + i * 1000;
      await h.post('OadrPoll', { type: 'oadrPoll', body: { venID } });
    }
    expect(store.transactions).toBe(before);
    const latest = new Date(T0 + 200_000).toISOString();
    expect((await adminVen(venID)).lastSeenAt).toBe(latest);
    expect((await h.admin('GET', '/admin/v1/vens')).json).toEqual([expect.objectContaining({ venID, lastSeenAt: latest })]);
    expect((await store.getVen(venID))?.lastSeenAt).toBe(T0);
    await h.vtn.app.core.lastSeen.flush();
    expect(store.transactions).toBe(before + 1);
    expect((await store.getVen(venID))?.lastSeenAt).toBe(T0 + 200_000);
  });

  it('counts every service call, and is written on close', async () => {
    const { venID } = await h.register();
    h.clock.now = T0 + 60_000;
    await h.post('EiEvent', { type: 'oadrRequestEvent', body: { eiRequestEvent: { requestID: 'r1', venID } } });
    expect((await adminVen(venID)).lastSeenAt).toBe(new Date(T0 + 60_000).toISOString());
    h.clock.now = T0 + 90_000;
    // A stranger's request names the VEN but is refused before it counts.
    await h.post('OadrPoll', { type: 'oadrPoll', body: { venID: venID.toUpperCase() } });
    expect((await adminVen(venID)).lastSeenAt).toBe(new Date(T0 + 60_000).toISOString());
    await h.vtn.close();
    const reopened = createSqliteStore({ path: join(dir, 'vtn.db') });
    expect((await reopened.getVen(venID))?.lastSeenAt).toBe(T0 + 60_000);
    await reopened.close();
  });

  it('is absent for a provisioned VEN that never talked to the VTN', async () => {
    expect((await h.admin('POST', '/admin/v1/vens', { venID: 'quiet' })).status).toBe(201);
    expect((await adminVen('quiet')).lastSeenAt).toBeUndefined();
  });
});
