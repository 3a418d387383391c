import { randomUUID, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Router from '@koa/router';
import { normalizeFingerprint } from '@oadr-kit/security';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020.js';
import Koa from 'koa';
import type { Logger } from 'pino';
import { formatAjvErrors, VTN_SCHEMA_DIR } from '../config.js';
import { serveDashboard } from '../dashboard/serveDashboard.js';
import { eventStatus, toOadrEvent } from '../domain/eventLifecycle.js';
import { newVenRecord } from '../domain/newVenRecord.js';
import type { VtnMetrics } from '../metrics.js';
import type { EventRecord, NegotiationRecord, VenRecord } from '../store/VtnStore.js';
import type { NegotiationInput } from '../negotiation/negotiationInput.js';
import type { NegotiationOrchestrator } from '../negotiation/NegotiationOrchestrator.js';
import type { EventInput, ReportRequestInput, VtnCore } from '../VtnCore.js';
import { VtnError, VtnErrorCode } from '../VtnError.js';

export interface AdminAppOptions {
  core: VtnCore;
  negotiations: NegotiationOrchestrator;
  metrics: VtnMetrics;
  log: Logger;
  token: string;
}

const MAX_JSON_BYTES = 4 * 1024 * 1024;

let validators: Map<string, ValidateFunction> | undefined;

/** Validators for the request bodies, compiled from the OpenAPI document's component schemas. */
function bodyValidator(name: string): ValidateFunction {
  if (validators === undefined) {
    const doc = JSON.parse(readFileSync(join(VTN_SCHEMA_DIR, 'openapi.json'), 'utf8')) as { components: unknown };
    // The OpenAPI document is not itself a JSON Schema: wrap its components so their $refs resolve.
    const ajv = new Ajv2020({ allErrors: true, useDefaults: true, strict: false });
    ajv.addSchema({ $id: 'admin', components: doc.components });
    validators = new Map();
    for (const key of ['VenInput', 'VenPatch', 'ProgramInput', 'EventInput', 'CancelEventInput', 'ReportRequestInput', 'ReportRequestsInput', 'CancelReportInput', 'VtnReadingsInput', 'NegotiationInput', 'CancelNegotiationInput']) {
      const validate = ajv.getSchema(`admin#/components/schemas/${key}`);
      if (validate === undefined) throw new Error(`openapi.json has no schema ${key}`);
      validators.set(key, validate);
    }
  }
  const validate = validators.get(name);
  if (validate === undefined) throw new Error(`no validator ${name}`);
  return validate;
}

/** `schema` names the body's schema, or picks it from the parsed body where one path takes two shapes. */
async function readJson(ctx: Koa.Context, schema: string | ((value: unknown) => string), optional = false): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_JSON_BYTES) throw new VtnError(VtnErrorCode.BAD_REQUEST, `body over ${MAX_JSON_BYTES} bytes`);
    chunks.push(buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '' && optional) return {};
  if (!ctx.is('application/json')) throw new VtnError(VtnErrorCode.BAD_REQUEST, 'Content-Type must be application/json');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new VtnError(VtnErrorCode.BAD_REQUEST, `body is not JSON: ${(error as Error).message}`);
  }
  const name = typeof schema === 'string' ? schema : schema(value);
  const validate = bodyValidator(name);
  if (!validate(value)) {
    const details = formatAjvErrors(validate.errors, 'body');
    throw new VtnError(VtnErrorCode.BAD_REQUEST, `invalid ${name}: ${details.join('; ')}`, { details });
  }
  return value;
}

const iso = (ms: number | undefined): string | undefined => (ms === undefined ? undefined : new Date(ms).toISOString());

function venView(ven: VenRecord, lastSeenAt: number | undefined): Record<string, unknown> {
  return {
    venID: ven.venID,
    venName: ven.venName,
    state: ven.registrationID !== undefined ? 'registered' : ven.approved ? 'unregistered' : 'awaiting-approval',
    registrationID: ven.registrationID,
    fingerprint: ven.fingerprint,
    transport: ven.httpPullModel ? 'pull' : 'push',
    transportAddress: ven.transportAddress,
    reportOnly: ven.reportOnly,
    xmlSignature: ven.xmlSignature,
    groupIDs: ven.groupIDs,
    resourceIDs: ven.resourceIDs,
    partyIDs: ven.partyIDs,
    createdAt: new Date(ven.createdAt).toISOString(),
    registeredAt: iso(ven.registeredAt),
    lastSeenAt: iso(lastSeenAt),
  };
}

function negotiationView(record: NegotiationRecord, withOutcome: boolean): Record<string, unknown> {
  return {
    sessionID: record.sessionID,
    status: record.status,
    reason: record.reason,
    rounds: record.rounds,
    createdAt: new Date(record.createdAt).toISOString(),
    updatedAt: new Date(record.updatedAt).toISOString(),
    spec: record.spec,
    members: record.members,
    ...(withOutcome ? { outcome: record.outcome } : {}),
  };
}

function queryInteger(ctx: Koa.Context, name: string, fallback: number, min: number, max: number): number {
  const text = ctx.query[name];
  if (text === undefined) return fallback;
  const value = typeof text === 'string' ? Number(text) : Number.NaN;
  if (!Number.isInteger(value) || value < min || value > max) throw new VtnError(VtnErrorCode.BAD_REQUEST, `${name} must be a whole number from ${min} to ${max}`, { details: [`query/${name}`] });
  return value;
}

function fingerprintOf(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const normalized = normalizeFingerprint(text);
  if (normalized === undefined) throw new VtnError(VtnErrorCode.BAD_REQUEST, 'fingerprint is not a 2.0b fingerprint', { details: ['body/fingerprint'] });
  return normalized;
}

/**
 * The admin REST API (documented in schemas/vtn/openapi.json) and /metrics. Token-authenticated
 * JSON; bodies are validated by ajv against the OpenAPI component schemas, and every refusal is a
 * 4xx with `{ error: { code, message, details } }`.
 */
export function createAdminApp(options: AdminAppOptions): Koa {
  const { core, metrics, negotiations } = options;
  const store = core.store;
  const expected = Buffer.from(`Bearer ${options.token}`);
  const app = new Koa();
  const router = new Router();

  // Ahead of the token check: the dashboard's files carry no data, only code that calls this API.
  app.use(serveDashboard());
  app.use(async (ctx, next) => {
    const log = options.log.child({ reqId: randomUUID(), admin: `${ctx.method} ${ctx.path}` });
    try {
      if (ctx.path !== '/health' && ctx.path !== '/metrics') {
        const given = Buffer.from(ctx.get('Authorization'));
        if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
          ctx.set('WWW-Authenticate', 'Bearer');
          throw new VtnError(VtnErrorCode.UNAUTHORIZED, 'missing or wrong admin token');
        }
      }
      await next();
      if (ctx.status === 404 && ctx.body === undefined) throw new VtnError(VtnErrorCode.NOT_FOUND, `no route ${ctx.method} ${ctx.path}`);
    } catch (error) {
      if (error instanceof VtnError && error.httpStatus < 500) {
        ctx.status = error.httpStatus;
        ctx.body = { error: { code: error.code, message: error.message, details: error.details } };
        log.info({ code: error.code, status: error.httpStatus }, error.message);
        return;
      }
      log.error({ err: error }, 'admin request failed');
      ctx.status = 500;
      ctx.body = { error: { code: VtnErrorCode.STORE_FAILED, message: 'internal error', details: [] } };
    }
  });

  router.get('/health', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/metrics', async (ctx) => {
    ctx.type = metrics.registry.contentType;
    ctx.body = await metrics.registry.metrics();
  });

  const view = (ven: VenRecord): Record<string, unknown> => venView(ven, core.lastSeen.of(ven));
  const venOr404 = async (venID: string): Promise<VenRecord> => {
    const ven = await store.getVen(venID);
    if (ven === undefined) throw new VtnError(VtnErrorCode.NOT_FOUND, `no VEN ${venID}`);
    return ven;
  };

  router.get('/admin/v1/vens', async (ctx) => {
    ctx.body = (await store.listVens()).map(view);
  });
  router.post('/admin/v1/vens', async (ctx) => {
    const input = (await readJson(ctx, 'VenInput')) as { venID?: string; venName?: string; fingerprint?: string; groupIDs?: string[]; resourceIDs?: string[]; partyIDs?: string[] };
    const fingerprint = fingerprintOf(input.fingerprint);
    const ven = await store.transaction(async (tx) => {
      const venID = input.venID ?? randomUUID();
      if ((await tx.getVen(venID)) !== undefined) throw new VtnError(VtnErrorCode.CONFLICT, `VEN ${venID} exists already`);
      if (fingerprint !== undefined && (await tx.getVenByFingerprint(fingerprint)) !== undefined) throw new VtnError(VtnErrorCode.CONFLICT, 'another VEN has this fingerprint');
      const record = newVenRecord(venID, core.clock(), {
        venName: input.venName,
        fingerprint,
        groupIDs: input.groupIDs ?? [],
        resourceIDs: input.resourceIDs ?? [],
        partyIDs: input.partyIDs ?? [],
      });
      await tx.saveVen(record);
      return record;
    });
    ctx.status = 201;
    ctx.body = view(ven);
  });
  router.get('/admin/v1/vens/:venID', async (ctx) => {
    ctx.body = view(await venOr404(ctx.params.venID ?? ''));
  });
  router.patch('/admin/v1/vens/:venID', async (ctx) => {
    const input = (await readJson(ctx, 'VenPatch')) as { venName?: string; fingerprint?: string; groupIDs?: string[]; resourceIDs?: string[]; partyIDs?: string[] };
    const fingerprint = fingerprintOf(input.fingerprint);
    const venID = ctx.params.venID ?? '';
    const ven = await store.transaction(async (tx) => {
      const current = await tx.getVen(venID);
      if (current === undefined) throw new VtnError(VtnErrorCode.NOT_FOUND, `no VEN ${venID}`);
      if (fingerprint !== undefined) {
        const holder = await tx.getVenByFingerprint(fingerprint);
        if (holder !== undefined && holder.venID !== venID) throw new VtnError(VtnErrorCode.CONFLICT, 'another VEN has this fingerprint');
      }
      const updated: VenRecord = {
        ...current,
        venName: input.venName ?? current.venName,
        fingerprint: fingerprint ?? current.fingerprint,
        groupIDs: input.groupIDs ?? current.groupIDs,
        resourceIDs: input.resourceIDs ?? current.resourceIDs,
        partyIDs: input.partyIDs ?? current.partyIDs,
      };
      await tx.saveVen(updated);
      await core.refreshVenTargets(tx, updated);
      return updated;
    });
    core.onWork([venID]);
    ctx.body = view(ven);
  });
  router.post('/admin/v1/vens/:venID/approve', async (ctx) => {
    const venID = ctx.params.venID ?? '';
    const ven = await store.transaction(async (tx) => {
      const current = await tx.getVen(venID);
      if (current === undefined) throw new VtnError(VtnErrorCode.NOT_FOUND, `no VEN ${venID}`);
      const updated = { ...current, approved: true };
      await tx.saveVen(updated);
      return updated;
    });
    ctx.body = view(ven);
  });
  router.post('/admin/v1/vens/:venID/deregister', async (ctx) => {
    await core.cancelRegistration(ctx.params.venID ?? '');
    ctx.status = 202;
    ctx.body = { queued: 'oadrCancelPartyRegistration' };
  });
  router.post('/admin/v1/vens/:venID/reregister', async (ctx) => {
    await core.requestReregistration(ctx.params.venID ?? '');
    ctx.status = 202;
    ctx.body = { queued: 'oadrRequestReregistration' };
  });
  router.get('/admin/v1/vens/:venID/reports', async (ctx) => {
    const ven = await venOr404(ctx.params.venID ?? '');
    ctx.body = { registrations: await store.listReportRegistrations(ven.venID), requests: await store.listReportRequests(ven.venID) };
  });
  router.post('/admin/v1/vens/:venID/report-requests', async (ctx) => {
    // `{ requests: [...] }` asks for several reports in one oadrCreateReport; any other body is one request.
    const input = (await readJson(ctx, (value) => (typeof value === 'object' && value !== null && 'requests' in value ? 'ReportRequestsInput' : 'ReportRequestInput'))) as
      | ReportRequestInput
      | { requests: ReportRequestInput[] };
    const venID = ctx.params.venID ?? '';
    ctx.status = 201;
    ctx.body = 'requests' in input ? { reportRequestIDs: await core.requestReports(venID, input.requests) } : { reportRequestID: await core.requestReport(venID, input) };
  });
  router.post('/admin/v1/report-requests/:reportRequestID/cancel', async (ctx) => {
    const input = (await readJson(ctx, 'CancelReportInput', true)) as { reportToFollow?: boolean };
    await core.cancelReport(ctx.params.reportRequestID ?? '', input.reportToFollow ?? false);
    ctx.status = 202;
    ctx.body = { queued: 'oadrCancelReport' };
  });
  router.get('/admin/v1/report-data', async (ctx) => {
    const q = ctx.query;
    const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
    const limitText = text(q.limit);
    const limit = limitText === undefined ? 1000 : Number(limitText);
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new VtnError(VtnErrorCode.BAD_REQUEST, 'limit must be an integer from 1 to 10000', { details: ['query/limit'] });
    const rows = await store.listReportData({ venID: text(q.venID), reportRequestID: text(q.reportRequestID), reportName: text(q.reportName), limit });
    ctx.body = rows.map((r) => ({ ...r, receivedAt: new Date(r.receivedAt).toISOString() }));
  });

  router.get('/admin/v1/vtn-reports', async (ctx) => {
    ctx.body = await Promise.all(
      core.config.reports.map(async (report) => ({
        ...report,
        readings: (await store.vtnReadingSummary(report.reportSpecifierID)).map((s) => ({ rID: s.rID, count: s.count, newest: { at: new Date(s.newest.at).toISOString(), value: s.newest.value } })),
      })),
    );
  });
  router.put('/admin/v1/vtn-reports/:reportSpecifierID/readings', async (ctx) => {
    const input = (await readJson(ctx, 'VtnReadingsInput')) as { readings: Array<{ rID: string; at: string; value: number }> };
    const stored = await core.storeVtnReadings(ctx.params.reportSpecifierID ?? '', input.readings);
    ctx.body = { stored };
  });

  router.get('/admin/v1/programs', async (ctx) => {
    ctx.body = await store.listPrograms();
  });
  router.post('/admin/v1/programs', async (ctx) => {
    const input = (await readJson(ctx, 'ProgramInput')) as { programID: string; name: string; marketContext: string };
    const program = { ...input, createdAt: core.clock() };
    await store.saveProgram(program);
    ctx.status = 201;
    ctx.body = program;
  });

  const eventView = async (event: EventRecord, withDeliveries: boolean): Promise<Record<string, unknown>> => {
    const now = core.clock();
    const deliveries = await store.listDeliveriesForEvent(event.eventID);
    return {
      eventID: event.eventID,
      programID: event.programID,
      marketContext: event.marketContext,
      modificationNumber: event.modificationNumber,
      modificationReason: event.modificationReason,
      status: eventStatus(event, now),
      createdAt: new Date(event.createdAt).toISOString(),
      modifiedAt: new Date(event.modifiedAt).toISOString(),
      cancelledAt: event.cancelledAt === undefined ? undefined : new Date(event.cancelledAt).toISOString(),
      spec: event.spec,
      vens: deliveries.length,
      delivered: deliveries.filter((d) => d.deliveredMod === event.modificationNumber).length,
      optedIn: deliveries.filter((d) => (d.eiOpt ?? d.responseOpt) === 'optIn').length,
      optedOut: deliveries.filter((d) => (d.eiOpt ?? d.responseOpt) === 'optOut').length,
      ...(withDeliveries
        ? {
            oadrEvent: toOadrEvent(event, { venID: '' }, now),
            deliveries: deliveries.map((d) => ({ ...d, opt: d.eiOpt ?? d.responseOpt, optSource: d.eiOpt !== undefined ? 'EiOpt' : d.responseOpt !== undefined ? 'oadrCreatedEvent' : undefined })),
          }
        : {}),
    };
  };

  router.get('/admin/v1/events', async (ctx) => {
    const wanted = typeof ctx.query.status === 'string' ? ctx.query.status : undefined;
    if (wanted !== undefined && !['far', 'near', 'active', 'completed', 'cancelled'].includes(wanted)) {
      throw new VtnError(VtnErrorCode.BAD_REQUEST, 'status must be far, near, active, completed or cancelled', { details: ['query/status'] });
    }
    const now = core.clock();
    const events = (await store.listEvents()).filter((e) => wanted === undefined || eventStatus(e, now) === wanted);
    ctx.body = await Promise.all(events.map((e) => eventView(e, false)));
  });
  router.post('/admin/v1/events', async (ctx) => {
    const input = (await readJson(ctx, 'EventInput')) as EventInput;
    const event = await core.createEvent(input);
    ctx.status = 201;
    ctx.body = await eventView(event, false);
  });
  router.get('/admin/v1/events/:eventID', async (ctx) => {
    const event = await store.getEvent(ctx.params.eventID ?? '');
    if (event === undefined) throw new VtnError(VtnErrorCode.NOT_FOUND, `no event ${ctx.params.eventID ?? ''}`);
    ctx.body = await eventView(event, true);
  });
  router.put('/admin/v1/events/:eventID', async (ctx) => {
    const input = (await readJson(ctx, 'EventInput')) as EventInput;
    const expectedText = ctx.query.expectedModificationNumber;
    let expected: number | undefined;
    if (typeof expectedText === 'string') {
      expected = Number(expectedText);
      if (!Number.isInteger(expected) || expected < 0) throw new VtnError(VtnErrorCode.BAD_REQUEST, 'expectedModificationNumber must be a whole number', { details: ['query/expectedModificationNumber'] });
    }
    if (input.eventID !== undefined && input.eventID !== ctx.params.eventID) throw new VtnError(VtnErrorCode.BAD_REQUEST, 'eventID in the body differs from the path', { details: ['body/eventID'] });
    const event = await core.modifyEvent(ctx.params.eventID ?? '', input, expected);
    ctx.body = await eventView(event, false);
  });
  router.post('/admin/v1/events/:eventID/cancel', async (ctx) => {
    const input = (await readJson(ctx, 'CancelEventInput', true)) as { reason?: string };
    const event = await core.cancelEvent(ctx.params.eventID ?? '', input.reason);
    ctx.body = await eventView(event, false);
  });
  router.get('/admin/v1/opts', async (ctx) => {
    const venID = typeof ctx.query.venID === 'string' ? ctx.query.venID : undefined;
    ctx.body = await store.listOpts(venID);
  });

  router.get('/admin/v1/negotiations', async (ctx) => {
    ctx.body = (await store.listNegotiations()).map((n) => negotiationView(n, false));
  });
  router.post('/admin/v1/negotiations', async (ctx) => {
    const input = (await readJson(ctx, 'NegotiationInput')) as NegotiationInput;
    const record = await negotiations.start(input);
    ctx.status = 201;
    ctx.body = negotiationView(record, false);
  });
  router.get('/admin/v1/negotiations/:sessionID', async (ctx) => {
    const record = await store.getNegotiation(ctx.params.sessionID ?? '');
    if (record === undefined) throw new VtnError(VtnErrorCode.NOT_FOUND, `no negotiation ${ctx.params.sessionID ?? ''}`);
    ctx.body = negotiationView(record, true);
  });
  router.get('/admin/v1/negotiations/:sessionID/rounds', async (ctx) => {
    const sessionID = ctx.params.sessionID ?? '';
    const from = queryInteger(ctx, 'from', 0, 0, Number.MAX_SAFE_INTEGER);
    const limit = queryInteger(ctx, 'limit', 100, 1, 1000);
    if ((await store.getNegotiation(sessionID)) === undefined) throw new VtnError(VtnErrorCode.NOT_FOUND, `no negotiation ${sessionID}`);
    ctx.body = (await store.listNegotiationRounds(sessionID, from, limit)).map((r) => ({ ...(r.data as object), at: new Date(r.at).toISOString() }));
  });
  router.post('/admin/v1/negotiations/:sessionID/cancel', async (ctx) => {
    const input = (await readJson(ctx, 'CancelNegotiationInput', true)) as { reason?: string };
    const record = await negotiations.cancel(ctx.params.sessionID ?? '', input.reason);
    ctx.body = negotiationView(record, false);
  });

  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}
