import pg from 'pg';
import { ADDED_COLUMNS, addColumnStatement, schemaStatements } from './schemaSql.js';
import { SqlStore, type SqlDriver, type SqlExecutor, type SqlRow, type SqlValue } from './SqlStore.js';
import type { VtnStore } from './VtnStore.js';

export interface PostgresStoreOptions {
  /** e.g. `postgres://postgres@127.0.0.1:5432/test` */
  connectionString: string;
  /** Schema holding the VTN's tables; created when missing. Default `public`. */
  schema?: string;
  /** Pool size per VTN process; default 10. */
  poolSize?: number;
}

/**
 * The shared store: several VTN processes on one PostgreSQL database. Statements that hand out work
 * (outbox, deliveries) are conditional updates, so two processes never both deliver one message.
 */
export async function createPostgresStore(options: PostgresStoreOptions): Promise<VtnStore> {
  const schema = options.schema ?? 'public';
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new TypeError(`schema "${schema}" must be a plain lower-case SQL identifier`);
  const bigintAsNumber = (oid: number, format?: string): ((value: string) => unknown) =>
    oid === pg.types.builtins.INT8 ? Number : (pg.types.getTypeParser(oid, format as 'text') as (value: string) => unknown);
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.poolSize ?? 10,
    options: `-c search_path=${schema}`,
    types: { getTypeParser: bigintAsNumber as typeof pg.types.getTypeParser },
  });
  try {
    const client = await pool.connect();
    try {
      // Two processes starting together must not race each other's CREATE TABLE.
      await client.query('SELECT pg_advisory_lock(726172)');
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      for (const statement of schemaStatements('postgres')) await client.query(statement);
      for (const added of ADDED_COLUMNS) await client.query(addColumnStatement('postgres', added));
      await client.query('SELECT pg_advisory_unlock(726172)');
    } finally {
      client.release();
    }
  } catch (error) {
    await pool.end();
    throw error;
  }
  return new SqlStore(new PostgresDriver(pool));
}

/** `?` placeholders become `$1, $2, …`; the shared SQL never has a `?` inside a literal. */
function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

const converted = new Map<string, string>();
function toPg(sql: string): string {
  let text = converted.get(sql);
  if (text === undefined) {
    text = numbered(sql);
    converted.set(sql, text);
  }
  return text;
}

function executor(client: pg.Pool | pg.PoolClient): SqlExecutor {
  return {
    async all(sql: string, params: readonly SqlValue[] = []): Promise<SqlRow[]> {
      return (await client.query(toPg(sql), [...params])).rows as SqlRow[];
    },
    async run(sql: string, params: readonly SqlValue[] = []): Promise<number> {
      return (await client.query(toPg(sql), [...params])).rowCount ?? 0;
    },
  };
}

class PostgresDriver implements SqlDriver {
  private readonly direct: SqlExecutor;

  constructor(private readonly pool: pg.Pool) {
    this.direct = executor(pool);
  }

  all(sql: string, params?: readonly SqlValue[]): Promise<SqlRow[]> {
    return this.direct.all(sql, params);
  }

  run(sql: string, params?: readonly SqlValue[]): Promise<number> {
    return this.direct.run(sql, params);
  }

  async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await fn(executor(client));
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}
