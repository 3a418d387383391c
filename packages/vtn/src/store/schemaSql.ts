/**
 * Tables of the VTN, one DDL for SQLite and PostgreSQL: only the auto-increment key differs. Times are
 * epoch milliseconds (BIGINT), booleans 0/1 integers, structured values JSON text, so both adapters
 * share every query.
 */
export type Dialect = 'sqlite' | 'postgres';

/** A column added after the table's first release; each adapter adds it when a database lacks it. */
export interface AddedColumn {
  table: string;
  column: string;
  type: string;
}

/**
 * Columns that are not in the CREATE TABLEs above: new and old databases both get them through the
 * same guarded ALTER TABLE, so the upgrade path runs on every start rather than only on old files.
 */
export const ADDED_COLUMNS: readonly AddedColumn[] = [
  { table: 'vens', column: 'last_seen_at', type: 'BIGINT' },
  { table: 'deliveries', column: 'cancel_resends', type: 'INTEGER NOT NULL DEFAULT 0' },
  { table: 'report_requests', column: 'next_due_at', type: 'BIGINT' },
  { table: 'report_requests', column: 'on_registration', type: 'INTEGER NOT NULL DEFAULT 0' },
];

/** PostgreSQL guards the ALTER itself; SQLite has no IF NOT EXISTS here, so its adapter asks table_info first. */
export function addColumnStatement(dialect: Dialect, added: AddedColumn): string {
  const guard = dialect === 'postgres' ? 'IF NOT EXISTS ' : '';
  return `ALTER TABLE ${added.table} ADD COLUMN ${guard}${added.column} ${added.type}`;
}

export function schemaStatements(dialect: Dialect): string[] {
  const serial = dialect === 'sqlite' ? 'INTEGER PRIMARY KEY AUTOINCREMENT' : 'BIGSERIAL PRIMARY KEY';
  return [
    `CREATE TABLE IF NOT EXISTS vens (
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
    )`,
    'CREATE INDEX IF NOT EXISTS vens_lower ON vens (ven_id_lower)',
    `CREATE TABLE IF NOT EXISTS programs (
      program_id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      market_context TEXT NOT NULL,
      created_at BIGINT NOT NULL
    )`,
    `CREATE TABLE IF NOT EXISTS events (
      event_id TEXT PRIMARY KEY,
      program_id TEXT,
      market_context TEXT NOT NULL,
      modification_number INTEGER NOT NULL,
      modification_reason TEXT,
      created_at BIGINT NOT NULL,
      modified_at BIGINT NOT NULL,
      cancelled_at BIGINT,
      visible_until BIGINT NOT NULL,
      spec TEXT NOT NULL
    )`,
    `CREATE TABLE IF NOT EXISTS deliveries (
      event_id TEXT NOT NULL,
      ven_id TEXT NOT NULL,
      target_mod INTEGER NOT NULL,
      delivered_mod INTEGER NOT NULL,
      request_id TEXT,
      delivered_at BIGINT,
      response_mod INTEGER,
      response_opt TEXT,
      responded_at BIGINT,
      ei_opt TEXT,
      excluded INTEGER NOT NULL DEFAULT 0,
      PRIMARY KEY (event_id, ven_id)
    )`,
    'CREATE INDEX IF NOT EXISTS deliveries_ven ON deliveries (ven_id)',
    // Polls ask "is anything due for this VEN" thousands of times a second; only due rows are indexed.
    'CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries (ven_id) WHERE delivered_mod < target_mod',
    // Which VTN process pushes to a VEN, until when: a process sends only while it holds the lease,
    // so two processes sharing the database never push the same message twice.
    `CREATE TABLE IF NOT EXISTS push_leases (
      ven_id TEXT PRIMARY KEY,
      holder TEXT NOT NULL,
      expires_at BIGINT NOT NULL
    )`,
    `CREATE TABLE IF NOT EXISTS outbox (
      id ${serial},
      ven_id TEXT NOT NULL,
      kind TEXT NOT NULL,
      request_id TEXT NOT NULL,
      body TEXT NOT NULL,
      status TEXT NOT NULL,
      created_at BIGINT NOT NULL,
      sent_at BIGINT
    )`,
    "CREATE INDEX IF NOT EXISTS outbox_queued ON outbox (ven_id, id) WHERE status = 'queued'",
    'CREATE INDEX IF NOT EXISTS outbox_request ON outbox (ven_id, request_id)',
    `CREATE TABLE IF NOT EXISTS report_registrations (
      ven_id TEXT NOT NULL,
      report_specifier_id TEXT NOT NULL,
      report TEXT NOT NULL,
      registered_at BIGINT NOT NULL,
      PRIMARY KEY (ven_id, report_specifier_id)
    )`,
    `CREATE TABLE IF NOT EXISTS report_requests (
      report_request_id TEXT PRIMARY KEY,
      ven_id TEXT NOT NULL,
      direction TEXT NOT NULL,
      report_specifier_id TEXT NOT NULL,
      request TEXT NOT NULL,
      status TEXT NOT NULL,
      created_at BIGINT NOT NULL
    )`,
    'CREATE INDEX IF NOT EXISTS report_requests_ven ON report_requests (ven_id)',
    // Readings of the reports the VTN offers, fed by the operator; one value per point and instant.
    `CREATE TABLE IF NOT EXISTS vtn_readings (
      report_specifier_id TEXT NOT NULL,
      r_id TEXT NOT NULL,
      at BIGINT NOT NULL,
      value DOUBLE PRECISION NOT NULL,
      PRIMARY KEY (report_specifier_id, r_id, at)
    )`,
    `CREATE TABLE IF NOT EXISTS report_data (
      id ${serial},
      ven_id TEXT NOT NULL,
      report_request_id TEXT NOT NULL,
      report_specifier_id TEXT NOT NULL,
      report_name TEXT,
      request_id TEXT NOT NULL,
      idx INTEGER NOT NULL,
      created_date_time TEXT NOT NULL,
      received_at BIGINT NOT NULL,
      report TEXT NOT NULL,
      UNIQUE (ven_id, request_id, idx)
    )`,
    'CREATE INDEX IF NOT EXISTS report_data_request ON report_data (report_request_id)',
    `CREATE TABLE IF NOT EXISTS opts (
      ven_id TEXT NOT NULL,
      opt_id TEXT NOT NULL,
      opt_type TEXT NOT NULL,
      opt_reason TEXT NOT NULL,
      market_context TEXT,
      event_id TEXT,
      modification_number INTEGER,
      body TEXT NOT NULL,
      created_at BIGINT NOT NULL,
      cancelled_at BIGINT,
      PRIMARY KEY (ven_id, opt_id)
    )`,
    `CREATE TABLE IF NOT EXISTS negotiations (
      session_id TEXT PRIMARY KEY,
      spec TEXT NOT NULL,
      status TEXT NOT NULL,
      reason TEXT,
      created_at BIGINT NOT NULL,
      updated_at BIGINT NOT NULL,
      rounds INTEGER NOT NULL,
      members TEXT NOT NULL,
      outcome TEXT
    )`,
    `CREATE TABLE IF NOT EXISTS negotiation_rounds (
      session_id TEXT NOT NULL,
      round INTEGER NOT NULL,
      at BIGINT NOT NULL,
      data TEXT NOT NULL,
      PRIMARY KEY (session_id, round)
    )`,
  ];
}
