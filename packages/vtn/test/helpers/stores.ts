import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createPostgresStore, createSqliteStore, type VtnStore } from '../../src/index.js';

export const PG_URL = process.env.OADR_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface StoreFactory {
  name: string;
  open(): Promise<VtnStore>;
  cleanup(): Promise<void>;
}

/** A SQLite file in a fresh temporary directory. */
export function sqliteFactory(): StoreFactory {
  const dir = mkdtempSync(join(tmpdir(), 'vtn-store-'));
  return {
    name: 'sqlite',
    open: async () => createSqliteStore({ path: join(dir, 'vtn.db') }),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A PostgreSQL schema of its own, dropped afterwards. */
export function postgresFactory(): StoreFactory {
  const schema = `vtn_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  return {
    name: 'postgres',
    open: () => createPostgresStore({ connectionString: PG_URL, schema, poolSize: 4 }),
    cleanup: async () => {
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    },
  };
}
