import type { OptType } from '@oadr-kit/protocol';
import type { Reading } from '../domain/vtnReports.js';
import { VtnError, VtnErrorCode } from '../VtnError.js';
import type {
  DeliveryRecord,
  EventRecord,
  NegotiationRecord,
  NegotiationRoundRecord,
  NewOutboxMessage,
  NewReportData,
  OptRecord,
  OutboxMessage,
  ProgramRecord,
  ReportDataQuery,
  ReportDataRecord,
  ReportRegistrationRecord,
  ReportRequestRecord,
  VenRecord,
  VtnRepository,
  VtnStore,
} from './VtnStore.js';

export type SqlValue = string | number | null;
export type SqlRow = Record<string, unknown>;

/** What the shared SQL needs from a database connection; placeholders are written `?`. */
export interface SqlExecutor {
  all(sql: string, params?: readonly SqlValue[]): Promise<SqlRow[]>;
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
}

export interface SqlDriver extends SqlExecutor {
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

const str = (v: unknown): string => String(v);
const optStr = (v: unknown): string | undefined => (v === null || v === undefined ? undefined : String(v));
const num = (v: unknown): number => Number(v);
const optNum = (v: unknown): number | undefined => (v === null || v === undefined ? undefined : Number(v));
const bool = (v: unknown): boolean => Number(v) === 1;
const json = <T>(v: unknown): T => JSON.parse(String(v)) as T;
const nul = <T>(v: T | undefined): T | null => (v === undefined ? null : v);

function venFromRow(r: SqlRow): VenRecord {
  const attrs = json<{ groupIDs: string[]; resourceIDs: string[]; partyIDs: string[] }>(r.attrs);
  return {
    venID: str(r.ven_id),
    venName: optStr(r.ven_name),
    registrationID: optStr(r.registration_id),
    fingerprint: optStr(r.fingerprint),
    approved: bool(r.approved),
    profileName: str(r.profile_name),
    transportName: str(r.transport_name),
    transportAddress: optStr(r.transport_address),
    httpPullModel: bool(r.http_pull_model),
    reportOnly: bool(r.report_only),
    xmlSignature: bool(r.xml_signature),
    groupIDs: attrs.groupIDs,
    resourceIDs: attrs.resourceIDs,
    partyIDs: attrs.partyIDs,
    createdAt: num(r.created_at),
    registeredAt: optNum(r.registered_at),
    lastSeenAt: optNum(r.last_seen_at),
  };
}

function eventFromRow(r: SqlRow, prefix = ''): EventRecord {
  return {
    eventID: str(r[`${prefix}event_id`]),
    programID: optStr(r[`${prefix}program_id`]),
    marketContext: str(r[`${prefix}market_context`]),
    modificationNumber: num(r[`${prefix}modification_number`]),
    modificationReason: optStr(r[`${prefix}modification_reason`]),
    createdAt: num(r[`${prefix}created_at`]),
    modifiedAt: num(r[`${prefix}modified_at`]),
    cancelledAt: optNum(r[`${prefix}cancelled_at`]),
    visibleUntil: num(r[`${prefix}visible_until`]),
    spec: json(r[`${prefix}spec`]),
  };
}

function deliveryFromRow(r: SqlRow): DeliveryRecord {
  return {
    eventID: str(r.event_id),
    venID: str(r.ven_id),
    targetMod: num(r.target_mod),
    deliveredMod: num(r.delivered_mod),
    requestID: optStr(r.request_id),
    deliveredAt: optNum(r.delivered_at),
    responseMod: optNum(r.response_mod),
    responseOpt: optStr(r.response_opt) as OptType | undefined,
    respondedAt: optNum(r.responded_at),
    eiOpt: optStr(r.ei_opt) as OptType | undefined,
    cancelResends: num(r.cancel_resends),
    excluded: bool(r.excluded),
  };
}

function outboxFromRow(r: SqlRow): OutboxMessage {
  return {
    id: num(r.id),
    venID: str(r.ven_id),
    kind: str(r.kind),
    requestID: str(r.request_id),
    body: json(r.body),
    status: str(r.status),
    createdAt: num(r.created_at),
    sentAt: optNum(r.sent_at),
  } as OutboxMessage;
}

function reportRequestFromRow(r: SqlRow): ReportRequestRecord {
  return {
    reportRequestID: str(r.report_request_id),
    venID: str(r.ven_id),
    direction: str(r.direction) as ReportRequestRecord['direction'],
    reportSpecifierID: str(r.report_specifier_id),
    request: json(r.request),
    status: str(r.status) as ReportRequestRecord['status'],
    createdAt: num(r.created_at),
    ...(optNum(r.next_due_at) === undefined ? {} : { nextDueAt: num(r.next_due_at) }),
    ...(num(r.on_registration) === 1 ? { onRegistration: true } : {}),
  };
}

function optFromRow(r: SqlRow): OptRecord {
  return {
    venID: str(r.ven_id),
    optID: str(r.opt_id),
    optType: str(r.opt_type) as OptType,
    optReason: str(r.opt_reason),
    marketContext: optStr(r.market_context),
    eventID: optStr(r.event_id),
    modificationNumber: optNum(r.modification_number),
    body: json(r.body),
    createdAt: num(r.created_at),
    cancelledAt: optNum(r.cancelled_at),
  };
}

function negotiationFromRow(r: SqlRow): NegotiationRecord {
  return {
    sessionID: str(r.session_id),
    spec: json(r.spec),
    status: str(r.status) as NegotiationRecord['status'],
    reason: optStr(r.reason),
    createdAt: num(r.created_at),
    updatedAt: num(r.updated_at),
    rounds: num(r.rounds),
    members: json(r.members),
    outcome: r.outcome === null || r.outcome === undefined ? undefined : json(r.outcome),
  };
}

const LAST_SEEN_BATCH = 200;
// The CAST types the parameters on PostgreSQL, which would take them for text inside VALUES.
const LAST_SEEN_BATCH_SQL = `WITH seen (ven_id, at) AS (VALUES ${Array.from({ length: LAST_SEEN_BATCH }, () => '(?, CAST(? AS BIGINT))').join(', ')})
  UPDATE vens SET last_seen_at = seen.at FROM seen
  WHERE vens.ven_id = seen.ven_id AND (vens.last_seen_at IS NULL OR vens.last_seen_at < seen.at)`;

const EVENT_COLUMNS = 'event_id, program_id, market_context, modification_number, modification_reason, created_at, modified_at, cancelled_at, visible_until, spec';
/** The event's columns of events `e` beside a delivery row `d.*`, prefixed so eventFromRow(r, 'e_') reads them. */
const EVENT_COLUMNS_AS_E = EVENT_COLUMNS.split(', ')
  .map((column) => `e.${column} AS e_${column}`)
  .join(', ');

/** The repository over any SqlExecutor: the same statements run on SQLite and PostgreSQL. */
export class SqlRepository implements VtnRepository {
  constructor(protected readonly db: SqlExecutor) {}

  private async one(sql: string, params: readonly SqlValue[]): Promise<SqlRow | undefined> {
    return (await this.db.all(sql, params))[0];
  }

  async getVen(venID: string): Promise<VenRecord | undefined> {
    const row = await this.one('SELECT * FROM vens WHERE ven_id = ?', [venID]);
    return row === undefined ? undefined : venFromRow(row);
  }

  async findVenIgnoringCase(venID: string): Promise<VenRecord | undefined> {
    const row = await this.one('SELECT * FROM vens WHERE ven_id_lower = ? ORDER BY ven_id LIMIT 1', [venID.toLowerCase()]);
    return row === undefined ? undefined : venFromRow(row);
  }

  async getVenByFingerprint(fingerprint: string): Promise<VenRecord | undefined> {
    const row = await this.one('SELECT * FROM vens WHERE fingerprint = ?', [fingerprint]);
    return row === undefined ? undefined : venFromRow(row);
  }

  async listVens(): Promise<VenRecord[]> {
    return (await this.db.all('SELECT * FROM vens ORDER BY ven_id')).map(venFromRow);
  }

  async saveVen(v: VenRecord): Promise<void> {
    try {
      await this.saveVenRow(v);
    } catch (error) {
      // Error classes of native drivers can come from another realm (jest): match on the code.
      const code = (error as { code?: unknown }).code;
      if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === '23505') {
        throw new VtnError(VtnErrorCode.CONFLICT, `another VEN holds fingerprint ${v.fingerprint ?? ''}`, { cause: error });
      }
      throw error;
    }
  }

  private async saveVenRow(v: VenRecord): Promise<void> {
    await this.db.run(
      `INSERT INTO vens (ven_id, ven_id_lower, ven_name, registration_id, fingerprint, approved, profile_name, transport_name, transport_address,
         http_pull_model, report_only, xml_signature, attrs, created_at, registered_at, last_seen_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (ven_id) DO UPDATE SET ven_name = excluded.ven_name, registration_id = excluded.registration_id,
         fingerprint = excluded.fingerprint, approved = excluded.approved, profile_name = excluded.profile_name,
         transport_name = excluded.transport_name, transport_address = excluded.transport_address,
         http_pull_model = excluded.http_pull_model, report_only = excluded.report_only, xml_signature = excluded.xml_signature,
         attrs = excluded.attrs, registered_at = excluded.registered_at,
         last_seen_at = CASE WHEN vens.last_seen_at IS NULL OR excluded.last_seen_at > vens.last_seen_at THEN excluded.last_seen_at ELSE vens.last_seen_at END`,
      [
        v.venID,
        v.venID.toLowerCase(),
        nul(v.venName),
        nul(v.registrationID),
        nul(v.fingerprint),
        v.approved ? 1 : 0,
        v.profileName,
        v.transportName,
        nul(v.transportAddress),
        v.httpPullModel ? 1 : 0,
        v.reportOnly ? 1 : 0,
        v.xmlSignature ? 1 : 0,
        JSON.stringify({ groupIDs: v.groupIDs, resourceIDs: v.resourceIDs, partyIDs: v.partyIDs }),
        v.createdAt,
        nul(v.registeredAt),
        nul(v.lastSeenAt),
      ],
    );
  }

  async recordLastSeen(seen: ReadonlyMap<string, number>): Promise<void> {
    const entries = [...seen];
    // One statement per LAST_SEEN_BATCH VENs (a round trip each on PostgreSQL), the rest one by one:
    // two statement shapes only, so the prepared-statement cache stays small.
    let i = 0;
    for (; i + LAST_SEEN_BATCH <= entries.length; i += LAST_SEEN_BATCH) {
      await this.db.run(LAST_SEEN_BATCH_SQL, entries.slice(i, i + LAST_SEEN_BATCH).flat());
    }
    for (const [venID, at] of entries.slice(i)) {
      await this.db.run('UPDATE vens SET last_seen_at = ? WHERE ven_id = ? AND (last_seen_at IS NULL OR last_seen_at < ?)', [at, venID, at]);
    }
  }

  async deleteVen(venID: string): Promise<void> {
    await this.db.run('DELETE FROM deliveries WHERE ven_id = ?', [venID]);
    await this.db.run('DELETE FROM outbox WHERE ven_id = ?', [venID]);
    await this.db.run('DELETE FROM push_leases WHERE ven_id = ?', [venID]);
    await this.db.run('DELETE FROM vens WHERE ven_id = ?', [venID]);
  }

  async getProgram(programID: string): Promise<ProgramRecord | undefined> {
    const r = await this.one('SELECT * FROM programs WHERE program_id = ?', [programID]);
    return r === undefined ? undefined : { programID: str(r.program_id), name: str(r.name), marketContext: str(r.market_context), createdAt: num(r.created_at) };
  }

  async listPrograms(): Promise<ProgramRecord[]> {
    const rows = await this.db.all('SELECT * FROM programs ORDER BY program_id');
    return rows.map((r) => ({ programID: str(r.program_id), name: str(r.name), marketContext: str(r.market_context), createdAt: num(r.created_at) }));
  }

  async saveProgram(p: ProgramRecord): Promise<void> {
    await this.db.run(
      `INSERT INTO programs (program_id, name, market_context, created_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (program_id) DO UPDATE SET name = excluded.name, market_context = excluded.market_context`,
      [p.programID, p.name, p.marketContext, p.createdAt],
    );
  }

  async getEvent(eventID: string): Promise<EventRecord | undefined> {
    const r = await this.one(`SELECT ${EVENT_COLUMNS} FROM events WHERE event_id = ?`, [eventID]);
    return r === undefined ? undefined : eventFromRow(r);
  }

  async listEvents(): Promise<EventRecord[]> {
    return (await this.db.all(`SELECT ${EVENT_COLUMNS} FROM events ORDER BY created_at, event_id`)).map((r) => eventFromRow(r));
  }

  async listLiveEvents(now: number): Promise<EventRecord[]> {
    return (await this.db.all(`SELECT ${EVENT_COLUMNS} FROM events WHERE visible_until > ? ORDER BY created_at, event_id`, [now])).map((r) =>
      eventFromRow(r),
    );
  }

  async insertEvent(e: EventRecord): Promise<void> {
    await this.db.run(`INSERT INTO events (${EVENT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, [
      e.eventID,
      nul(e.programID),
      e.marketContext,
      e.modificationNumber,
      nul(e.modificationReason),
      e.createdAt,
      e.modifiedAt,
      nul(e.cancelledAt),
      e.visibleUntil,
      JSON.stringify(e.spec),
    ]);
  }

  async updateEvent(e: EventRecord, expectedModification: number): Promise<boolean> {
    const changed = await this.db.run(
      `UPDATE events SET program_id = ?, market_context = ?, modification_number = ?, modification_reason = ?, modified_at = ?,
         cancelled_at = ?, visible_until = ?, spec = ? WHERE event_id = ? AND modification_number = ?`,
      [
        nul(e.programID),
        e.marketContext,
        e.modificationNumber,
        nul(e.modificationReason),
        e.modifiedAt,
        nul(e.cancelledAt),
        e.visibleUntil,
        JSON.stringify(e.spec),
        e.eventID,
        expectedModification,
      ],
    );
    return changed === 1;
  }

  async getDelivery(eventID: string, venID: string): Promise<DeliveryRecord | undefined> {
    const r = await this.one('SELECT * FROM deliveries WHERE event_id = ? AND ven_id = ?', [eventID, venID]);
    return r === undefined ? undefined : deliveryFromRow(r);
  }

  async listDeliveriesForEvent(eventID: string): Promise<DeliveryRecord[]> {
    return (await this.db.all('SELECT * FROM deliveries WHERE event_id = ? AND excluded = 0 ORDER BY ven_id', [eventID])).map(deliveryFromRow);
  }

  async setDeliveryTargets(eventID: string, venIDs: readonly string[], targetMod: number): Promise<void> {
    // Chunks keep the statement under both engines' parameter limits.
    for (let i = 0; i < venIDs.length; i += 200) {
      const chunk = venIDs.slice(i, i + 200);
      const values = chunk.map(() => '(?, ?, ?, -1)').join(', ');
      await this.db.run(
        `INSERT INTO deliveries (event_id, ven_id, target_mod, delivered_mod) VALUES ${values}
         ON CONFLICT (event_id, ven_id) DO UPDATE SET target_mod = excluded.target_mod, excluded = 0,
           delivered_mod = CASE WHEN deliveries.excluded = 1 THEN -1 ELSE deliveries.delivered_mod END`,
        chunk.flatMap((venID) => [eventID, venID, targetMod]),
      );
    }
  }

  async untargetDeliveries(eventID: string, venIDs: readonly string[], targetMod: number): Promise<void> {
    for (const venID of venIDs) {
      await this.db.run('DELETE FROM deliveries WHERE event_id = ? AND ven_id = ? AND delivered_mod < 0', [eventID, venID]);
      // delivered_mod restarts at -1: what is due now is the distribute that leaves the event out.
      await this.db.run('UPDATE deliveries SET excluded = 1, target_mod = ?, delivered_mod = -1 WHERE event_id = ? AND ven_id = ?', [targetMod, eventID, venID]);
    }
  }

  async hasPendingDelivery(venID: string, now: number): Promise<boolean> {
    const r = await this.one(
      `SELECT 1 AS due FROM deliveries d JOIN events e ON e.event_id = d.event_id
       WHERE d.ven_id = ? AND d.delivered_mod < d.target_mod AND e.visible_until > ? LIMIT 1`,
      [venID, now],
    );
    return r !== undefined;
  }

  async hasPendingWork(venID: string, now: number): Promise<boolean> {
    const r = await this.one(
      `SELECT 1 AS due WHERE EXISTS (SELECT 1 FROM outbox WHERE ven_id = ? AND status = 'queued')
         OR EXISTS (SELECT 1 FROM deliveries d JOIN events e ON e.event_id = d.event_id
                    WHERE d.ven_id = ? AND d.delivered_mod < d.target_mod AND e.visible_until > ?)`,
      [venID, venID, now],
    );
    return r !== undefined;
  }

  async listVenEvents(venID: string, now: number): Promise<Array<{ event: EventRecord; delivery: DeliveryRecord }>> {
    const rows = await this.db.all(
      `SELECT d.*, ${EVENT_COLUMNS_AS_E} FROM deliveries d JOIN events e ON e.event_id = d.event_id
       WHERE d.ven_id = ? AND e.visible_until > ? ORDER BY e.event_id`,
      [venID, now],
    );
    return rows.map((r) => ({ event: eventFromRow(r, 'e_'), delivery: deliveryFromRow(r) }));
  }

  async markDelivered(eventID: string, venID: string, modification: number, requestID: string, at: number, claim: boolean): Promise<boolean> {
    const changed = await this.db.run(
      `UPDATE deliveries SET delivered_mod = ?, request_id = ?, delivered_at = ? WHERE event_id = ? AND ven_id = ? AND delivered_mod ${claim ? '<' : '<='} ?`,
      [modification, requestID, at, eventID, venID, modification],
    );
    return changed === 1;
  }

  async recordEventResponse(eventID: string, venID: string, modification: number, optType: OptType, at: number): Promise<void> {
    await this.db.run('UPDATE deliveries SET response_mod = ?, response_opt = ?, responded_at = ? WHERE event_id = ? AND ven_id = ?', [
      modification,
      optType,
      at,
      eventID,
      venID,
    ]);
  }

  async setEiOpt(eventID: string, venID: string, optType: OptType | undefined): Promise<void> {
    await this.db.run('UPDATE deliveries SET ei_opt = ? WHERE event_id = ? AND ven_id = ?', [nul(optType), eventID, venID]);
  }

  async listUnacknowledgedCancellations(deliveredBefore: number, maxResends: number, now: number): Promise<Array<{ event: EventRecord; delivery: DeliveryRecord }>> {
    const rows = await this.db.all(
      `SELECT d.*, ${EVENT_COLUMNS_AS_E} FROM deliveries d JOIN events e ON e.event_id = d.event_id
       WHERE e.cancelled_at IS NOT NULL AND e.visible_until > ? AND d.excluded = 0
         AND d.delivered_mod = e.modification_number AND d.target_mod = e.modification_number
         AND d.delivered_at <= ? AND d.cancel_resends < ? AND (d.response_mod IS NULL OR d.response_mod < d.delivered_mod)
       ORDER BY e.event_id, d.ven_id`,
      [now, deliveredBefore, maxResends],
    );
    return rows.map((r) => ({ event: eventFromRow(r, 'e_'), delivery: deliveryFromRow(r) }));
  }

  async resendDelivery(eventID: string, venID: string, modification: number): Promise<boolean> {
    const changed = await this.db.run(
      `UPDATE deliveries SET delivered_mod = ? - 1, cancel_resends = cancel_resends + 1
       WHERE event_id = ? AND ven_id = ? AND delivered_mod = ? AND target_mod = ? AND (response_mod IS NULL OR response_mod < ?)`,
      [modification, eventID, venID, modification, modification, modification],
    );
    return changed === 1;
  }

  async listPushVensWithPendingWork(now: number): Promise<string[]> {
    const rows = await this.db.all(
      `SELECT v.ven_id FROM vens v WHERE v.http_pull_model = 0 AND v.registration_id IS NOT NULL AND (
         EXISTS (SELECT 1 FROM deliveries d JOIN events e ON e.event_id = d.event_id
                 WHERE d.ven_id = v.ven_id AND d.delivered_mod < d.target_mod AND e.visible_until > ?)
         OR EXISTS (SELECT 1 FROM outbox o WHERE o.ven_id = v.ven_id AND o.status = 'queued'))
       ORDER BY v.ven_id`,
      [now],
    );
    return rows.map((r) => str(r.ven_id));
  }

  async claimPushLease(venID: string, holder: string, now: number, expiresAt: number): Promise<boolean> {
    const changed = await this.db.run(
      `INSERT INTO push_leases (ven_id, holder, expires_at) VALUES (?, ?, ?)
       ON CONFLICT (ven_id) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
       WHERE push_leases.holder = excluded.holder OR push_leases.expires_at <= ?`,
      [venID, holder, expiresAt, now],
    );
    return changed === 1;
  }

  async releasePushLease(venID: string, holder: string): Promise<void> {
    await this.db.run('DELETE FROM push_leases WHERE ven_id = ? AND holder = ?', [venID, holder]);
  }

  async enqueue(m: NewOutboxMessage, at: number): Promise<number> {
    const rows = await this.db.all(
      "INSERT INTO outbox (ven_id, kind, request_id, body, status, created_at) VALUES (?, ?, ?, ?, 'queued', ?) RETURNING id",
      [m.venID, m.kind, m.requestID, JSON.stringify(m.body), at],
    );
    return num(rows[0]?.id);
  }

  async listQueued(venID: string): Promise<OutboxMessage[]> {
    return (await this.db.all("SELECT * FROM outbox WHERE ven_id = ? AND status = 'queued' ORDER BY id LIMIT 50", [venID])).map(outboxFromRow);
  }

  async markSent(id: number, at: number): Promise<boolean> {
    return (await this.db.run("UPDATE outbox SET status = 'sent', sent_at = ? WHERE id = ? AND status = 'queued'", [at, id])) === 1;
  }

  async findSent(venID: string, requestID: string): Promise<OutboxMessage | undefined> {
    const r = await this.one("SELECT * FROM outbox WHERE ven_id = ? AND request_id = ? AND status <> 'queued' ORDER BY id DESC LIMIT 1", [
      venID,
      requestID,
    ]);
    return r === undefined ? undefined : outboxFromRow(r);
  }

  async markAcked(id: number): Promise<void> {
    await this.db.run("UPDATE outbox SET status = 'acked' WHERE id = ?", [id]);
  }

  async dropQueued(venID: string): Promise<void> {
    await this.db.run("DELETE FROM outbox WHERE ven_id = ? AND status = 'queued'", [venID]);
  }

  async replaceReportRegistrations(venID: string, reports: readonly ReportRegistrationRecord[]): Promise<void> {
    await this.db.run('DELETE FROM report_registrations WHERE ven_id = ?', [venID]);
    for (const r of reports) {
      await this.db.run('INSERT INTO report_registrations (ven_id, report_specifier_id, report, registered_at) VALUES (?, ?, ?, ?)', [
        venID,
        r.reportSpecifierID,
        JSON.stringify(r.report),
        r.registeredAt,
      ]);
    }
  }

  async listReportRegistrations(venID: string): Promise<ReportRegistrationRecord[]> {
    const rows = await this.db.all('SELECT * FROM report_registrations WHERE ven_id = ? ORDER BY report_specifier_id', [venID]);
    return rows.map((r) => ({ venID: str(r.ven_id), reportSpecifierID: str(r.report_specifier_id), report: json(r.report), registeredAt: num(r.registered_at) }));
  }

  async saveReportRequest(q: ReportRequestRecord): Promise<void> {
    await this.db.run(
      `INSERT INTO report_requests (report_request_id, ven_id, direction, report_specifier_id, request, status, created_at, next_due_at, on_registration) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (report_request_id) DO UPDATE SET request = excluded.request, status = excluded.status, next_due_at = excluded.next_due_at`,
      [q.reportRequestID, q.venID, q.direction, q.reportSpecifierID, JSON.stringify(q.request), q.status, q.createdAt, nul(q.nextDueAt), q.onRegistration === true ? 1 : 0],
    );
  }

  async getReportRequest(reportRequestID: string): Promise<ReportRequestRecord | undefined> {
    const r = await this.one('SELECT * FROM report_requests WHERE report_request_id = ?', [reportRequestID]);
    return r === undefined ? undefined : reportRequestFromRow(r);
  }

  async listReportRequests(venID: string): Promise<ReportRequestRecord[]> {
    return (await this.db.all('SELECT * FROM report_requests WHERE ven_id = ? ORDER BY created_at, report_request_id', [venID])).map(reportRequestFromRow);
  }

  async setReportRequestStatus(reportRequestID: string, status: ReportRequestRecord['status']): Promise<void> {
    await this.db.run('UPDATE report_requests SET status = ? WHERE report_request_id = ?', [status, reportRequestID]);
  }
  async listDueReportRequests(now: number): Promise<ReportRequestRecord[]> {
    const rows = await this.db.all(
      "SELECT * FROM report_requests WHERE direction = 'fromVen' AND status = 'active' AND next_due_at <= ? ORDER BY next_due_at, report_request_id",
      [now],
    );
    return rows.map(reportRequestFromRow);
  }

  async advanceReportRequest(reportRequestID: string, dueAt: number, nextDueAt: number | undefined): Promise<boolean> {
    const changed =
      nextDueAt === undefined
        ? await this.db.run("UPDATE report_requests SET next_due_at = NULL, status = 'completed' WHERE report_request_id = ? AND next_due_at = ? AND status = 'active'", [
            reportRequestID,
            dueAt,
          ])
        : await this.db.run("UPDATE report_requests SET next_due_at = ? WHERE report_request_id = ? AND next_due_at = ? AND status = 'active'", [nextDueAt, reportRequestID, dueAt]);
    return changed === 1;
  }

  async upsertVtnReadings(reportSpecifierID: string, readings: readonly Reading[]): Promise<void> {
    for (const reading of readings) {
      await this.db.run(
        'INSERT INTO vtn_readings (report_specifier_id, r_id, at, value) VALUES (?, ?, ?, ?) ON CONFLICT (report_specifier_id, r_id, at) DO UPDATE SET value = excluded.value',
        [reportSpecifierID, reading.rID, reading.at, reading.value],
      );
    }
  }

  async listVtnReadings(reportSpecifierID: string, rIDs: readonly string[], fromMs: number, toMs: number): Promise<Reading[]> {
    const rows = await this.db.all('SELECT r_id, at, value FROM vtn_readings WHERE report_specifier_id = ? AND at >= ? AND at <= ? ORDER BY at, r_id', [
      reportSpecifierID,
      fromMs,
      toMs,
    ]);
    return rows.map((r) => ({ rID: str(r.r_id), at: num(r.at), value: num(r.value) })).filter((r) => rIDs.includes(r.rID));
  }

  async vtnReadingSummary(reportSpecifierID: string): Promise<Array<{ rID: string; count: number; newest: Reading }>> {
    const rows = await this.db.all(
      `SELECT s.r_id, s.count, v.at, v.value FROM
         (SELECT r_id, COUNT(*) AS count, MAX(at) AS newest FROM vtn_readings WHERE report_specifier_id = ? GROUP BY r_id) s
       JOIN vtn_readings v ON v.report_specifier_id = ? AND v.r_id = s.r_id AND v.at = s.newest ORDER BY s.r_id`,
      [reportSpecifierID, reportSpecifierID],
    );
    return rows.map((r) => ({ rID: str(r.r_id), count: num(r.count), newest: { rID: str(r.r_id), at: num(r.at), value: num(r.value) } }));
  }

  async pruneVtnReadings(reportSpecifierID: string, beforeMs: number): Promise<void> {
    await this.db.run('DELETE FROM vtn_readings WHERE report_specifier_id = ? AND at < ?', [reportSpecifierID, beforeMs]);
  }


  async insertReportData(d: NewReportData): Promise<boolean> {
    const changed = await this.db.run(
      `INSERT INTO report_data (ven_id, report_request_id, report_specifier_id, report_name, request_id, idx, created_date_time, received_at, report)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (ven_id, request_id, idx) DO NOTHING`,
      [d.venID, d.reportRequestID, d.reportSpecifierID, nul(d.reportName), d.requestID, d.index, d.createdDateTime, d.receivedAt, JSON.stringify(d.report)],
    );
    return changed === 1;
  }

  async listReportData(q: ReportDataQuery): Promise<ReportDataRecord[]> {
    const where: string[] = [];
    const params: SqlValue[] = [];
    if (q.venID !== undefined) {
      where.push('ven_id = ?');
      params.push(q.venID);
    }
    if (q.reportRequestID !== undefined) {
      where.push('report_request_id = ?');
      params.push(q.reportRequestID);
    }
    if (q.reportName !== undefined) {
      where.push('report_name = ?');
      params.push(q.reportName);
    }
    params.push(q.limit ?? 1000);
    const rows = await this.db.all(`SELECT * FROM report_data ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id LIMIT ?`, params);
    return rows.map((r) => ({
      id: num(r.id),
      venID: str(r.ven_id),
      reportRequestID: str(r.report_request_id),
      reportSpecifierID: str(r.report_specifier_id),
      reportName: optStr(r.report_name),
      requestID: str(r.request_id),
      index: num(r.idx),
      createdDateTime: str(r.created_date_time),
      receivedAt: num(r.received_at),
      report: json(r.report),
    }));
  }

  async saveOpt(o: OptRecord): Promise<void> {
    await this.db.run(
      `INSERT INTO opts (ven_id, opt_id, opt_type, opt_reason, market_context, event_id, modification_number, body, created_at, cancelled_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (ven_id, opt_id) DO UPDATE SET opt_type = excluded.opt_type, opt_reason = excluded.opt_reason,
         market_context = excluded.market_context, event_id = excluded.event_id, modification_number = excluded.modification_number,
         body = excluded.body, created_at = excluded.created_at, cancelled_at = excluded.cancelled_at`,
      [
        o.venID,
        o.optID,
        o.optType,
        o.optReason,
        nul(o.marketContext),
        nul(o.eventID),
        nul(o.modificationNumber),
        JSON.stringify(o.body),
        o.createdAt,
        nul(o.cancelledAt),
      ],
    );
  }

  async getOpt(venID: string, optID: string): Promise<OptRecord | undefined> {
    const r = await this.one('SELECT * FROM opts WHERE ven_id = ? AND opt_id = ?', [venID, optID]);
    return r === undefined ? undefined : optFromRow(r);
  }

  async listOpts(venID?: string): Promise<OptRecord[]> {
    const rows =
      venID === undefined
        ? await this.db.all('SELECT * FROM opts ORDER BY ven_id, opt_id')
        : await this.db.all('SELECT * FROM opts WHERE ven_id = ? ORDER BY opt_id', [venID]);
    return rows.map(optFromRow);
  }

  async saveNegotiation(n: NegotiationRecord): Promise<void> {
    await this.db.run(
      `INSERT INTO negotiations (session_id, spec, status, reason, created_at, updated_at, rounds, members, outcome)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (session_id) DO UPDATE SET spec = excluded.spec, status = excluded.status, reason = excluded.reason,
         updated_at = excluded.updated_at, rounds = excluded.rounds, members = excluded.members, outcome = excluded.outcome`,
      [n.sessionID, JSON.stringify(n.spec), n.status, nul(n.reason), n.createdAt, n.updatedAt, n.rounds, JSON.stringify(n.members), n.outcome === undefined ? null : JSON.stringify(n.outcome)],
    );
  }

  async getNegotiation(sessionID: string): Promise<NegotiationRecord | undefined> {
    const r = await this.one('SELECT * FROM negotiations WHERE session_id = ?', [sessionID]);
    return r === undefined ? undefined : negotiationFromRow(r);
  }

  async listNegotiations(): Promise<NegotiationRecord[]> {
    return (await this.db.all('SELECT * FROM negotiations ORDER BY created_at, session_id')).map(negotiationFromRow);
  }

  async insertNegotiationRound(round: NegotiationRoundRecord): Promise<boolean> {
    const changed = await this.db.run('INSERT INTO negotiation_rounds (session_id, round, at, data) VALUES (?, ?, ?, ?) ON CONFLICT (session_id, round) DO NOTHING', [
      round.sessionID,
      round.round,
      round.at,
      JSON.stringify(round.data),
    ]);
    return changed > 0;
  }

  async listNegotiationRounds(sessionID: string, fromRound: number, limit: number): Promise<NegotiationRoundRecord[]> {
    const rows = await this.db.all('SELECT * FROM negotiation_rounds WHERE session_id = ? AND round >= ? ORDER BY round LIMIT ?', [sessionID, fromRound, limit]);
    return rows.map((r) => ({ sessionID: str(r.session_id), round: num(r.round), at: num(r.at), data: json(r.data) }));
  }
}

/** A VtnStore over a driver: reads go straight to the driver, transactions through it. */
export class SqlStore extends SqlRepository implements VtnStore {
  constructor(private readonly driver: SqlDriver) {
    super(driver);
  }

  transaction<T>(fn: (tx: VtnRepository) => Promise<T>): Promise<T> {
    return this.driver.transaction((tx) => fn(new SqlRepository(tx)));
  }

  close(): Promise<void> {
    return this.driver.close();
  }
}
