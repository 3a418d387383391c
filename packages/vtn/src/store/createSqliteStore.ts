import Database from 'better-sqlite3';
import { ADDED_COLUMNS, addColumnStatement, schemaStatements } from './schemaSql.js';
import { SqlStore, type SqlDriver, type SqlExecutor, type SqlRow, type SqlValue } from './SqlStore.js';
import type { VtnStore } from './VtnStore.js';

export interface SqliteStoreOptions {
  /** Database file; `:memory:` for a throw-away store. */
  path: string;
}

/**
 * The default store: one SQLite file in WAL mode. synchronous=FULL makes every commit durable on
 * power loss as well as on a process kill, which the "written before acknowledged" rule needs; WAL
 * keeps readers from blocking behind the writer.
 */
export function createSqliteStore(options: SqliteStoreOptions): VtnStore {
  const db = new Database(options.path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  for (const statement of schemaStatements('sqlite')) db.exec(statement);
  for (const added of ADDED_COLUMNS) {
    const columns = db.pragma(`table_info(${added.table})`) as Array<{ name: string }>;
    if (!columns.some((c) => c.name === added.column)) db.exec(addColumnStatement('sqlite', added));
  }
  return new SqlStore(new SqliteDriver(db));
}

class SqliteDriver implements SqlDriver {
  private readonly statements = new Map<string, Database.Statement>();
  /** The connection is shared: while a transaction awaits, everything else waits for it. */
  private busy = false;
  private readonly waiting: Array<() => void> = [];
  private readonly direct: SqlExecutor;

  constructor(private readonly db: Database.Database) {
    this.direct = { all: async (sql, params) => this.allNow(sql, params), run: async (sql, params) => this.runNow(sql, params) };
  }

  private statement(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  private allNow(sql: string, params: readonly SqlValue[] = []): SqlRow[] {
    const statement = this.statement(sql);
    if (statement.reader) return statement.all(...params) as SqlRow[];
    statement.run(...params);
    return [];
  }

  private runNow(sql: string, params: readonly SqlValue[] = []): number {
    return this.statement(sql).run(...params).changes;
  }

  private async acquire(): Promise<void> {
    if (!this.busy) {
      this.busy = true;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next === undefined) this.busy = false;
    else next();
  }

  async all(sql: string, params?: readonly SqlValue[]): Promise<SqlRow[]> {
    if (!this.busy) return this.allNow(sql, params);
    await this.acquire();
    try {
      return this.allNow(sql, params);
    } finally {
      this.release();
    }
  }

  async run(sql: string, params?: readonly SqlValue[]): Promise<number> {
    if (!this.busy) return this.runNow(sql, params);
    await this.acquire();
    try {
      return this.runNow(sql, params);
    } finally {
      this.release();
    }
  }

  async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      this.db.exec('BEGIN IMMEDIATE');
      try {
        const result = await fn(this.direct);
        this.db.exec('COMMIT');
        return result;
      } catch (error) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        throw error;
      }
    } finally {
      this.release();
    }
  }

  async close(): Promise<void> {
    await this.acquire();
    this.db.close();
  }
}
