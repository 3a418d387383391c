import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { createPostgresStore, createSqliteStore, type VtnStore } from '../../src/index.js';
import { PG_URL } from '../helpers/stores.js';

/** The vens table as release 0.1.0 created it, before last_seen_at: the shape an existing database has. */
const VENS_0_1_0 = `CREATE TABLE vens (
  ven_id TEXT PRIMARY KEY,
  ven_id_lower TEXT NOT NULL,
  ven_name TEXT,
  registration_id TEXT,
  fingerprint TEXT UNIQUE,
  approved INTEGER NOT NULL,
  profile_name TEXT NOT NULL,
  transport_name TEXT NOT NULL,
  transport_address TEXT,
  http_pull_model INTEGER NOT NULL,
  report_only INTEGER NOT NULL,
  xml_signature INTEGER NOT NULL,
  attrs TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  registered_at BIGINT
)`;

const OLD_ROW = `INSERT INTO vens VALUES ('old-ven', 'old-ven', NULL, 'reg-1', NULL, 1, '2.0b', 'simpleHttp', NULL, 1, 0, 0,
  '{"groupIDs":[],"resourceIDs":[],"partyIDs":[]}', 1000, 2000)`;

const T = Date.UTC(2026, 10, 27, 12);

/** What an upgraded store must do: read the old row, then keep lastSeenAt. */
async function checkUpgraded(store: VtnStore): Promise<void> {
  expect(await store.getVen('old-ven')).toMatchObject({ registrationID: 'reg-1', registeredAt: 2000, lastSeenAt: undefined });
  await store.recordLastSeen(new Map([['old-ven', T]]));
  expect((await store.getVen('old-ven'))?.lastSeenAt).toBe(T);
}

describe('opening a database created by release 0.1.0', () => {
  it('SQLite: adds last_seen_at, keeps the rows, and opens again without adding it twice', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vtn-upgrade-'));
    try {
      const path = join(dir, 'vtn.db');
      const old = new Database(path);
      old.exec(VENS_0_1_0);
      old.exec(OLD_ROW);
      old.close();
      const store = createSqliteStore({ path });
      await checkUpgraded(store);
      await store.close();
      const again = createSqliteStore({ path });
      expect((await again.getVen('old-ven'))?.lastSeenAt).toBe(T);
      await again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('PostgreSQL: adds last_seen_at, keeps the rows, and opens again without adding it twice', async () => {
    const schema = `vtn_upgrade_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    try {
      await client.query(`CREATE SCHEMA ${schema}`);
      await client.query(`SET search_path = ${schema}`);
      await client.query(VENS_0_1_0);
      await client.query(OLD_ROW);
      const store = await createPostgresStore({ connectionString: PG_URL, schema, poolSize: 2 });
      await checkUpgraded(store);
      await store.close();
      const again = await createPostgresStore({ connectionString: PG_URL, schema, poolSize: 2 });
      expect((await again.getVen('old-ven'))?.lastSeenAt).toBe(T);
      await again.close();
    } finally {
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    }
  });
});
