import {
  OadrError,
  ResponseCode,
  type DecodedPayload,
  type MessageBody,
  type MessageType,
  type OadrMessage,
  type OadrReport,
  type OadrReportRequest,
  type ServiceName,
} from '@oadr-kit/protocol';
import { newVenRecord } from './domain/newVenRecord.js';
import type { ServedRequest } from './domain/vtnReports.js';
import type { VenRecord, VtnRepository } from './store/VtnStore.js';
import { newId, type VtnCore } from './VtnCore.js';

/** What the HTTP layer sends back: a payload, or an empty body with a status (strangers get no payload, N0_5080). */
export type ServiceReply =
  | { kind: 'payload'; message: OadrMessage; venID: string | undefined }
  | { kind: 'empty'; status: number; reason: string; venID: string | undefined };

/** Who sent a request, as far as the transport knows: the normalised fingerprint of its TLS client certificate. */
export interface RequestIdentity {
  fingerprint: string | undefined;
}

/**
 * Optional XML signature support (`@oadr-kit/security` provides the implementation). `verify` throws
 * an OadrError carrying a 4xx `responseCode` when a signature is missing or wrong.
 */
export interface SignatureHooks {
  verify(decoded: DecodedPayload, ven: VenRecord): Promise<void> | void;
  sign(xml: string): string;
}

/** Which messages each service endpoint takes; anything else is answered 459 (sent to the wrong endpoint). */
export const SERVICE_MESSAGES: Readonly<Record<ServiceName, ReadonlySet<MessageType>>> = {
  EiRegisterParty: new Set(['oadrQueryRegistration', 'oadrCreatePartyRegistration', 'oadrCancelPartyRegistration', 'oadrCanceledPartyRegistration', 'oadrResponse']),
  EiEvent: new Set(['oadrRequestEvent', 'oadrCreatedEvent']),
  EiReport: new Set([
    'oadrRegisterReport',
    'oadrRegisteredReport',
    'oadrCreateReport',
    'oadrCreatedReport',
    'oadrUpdateReport',
    'oadrUpdatedReport',
    'oadrCancelReport',
    'oadrCanceledReport',
  ]),
  EiOpt: new Set(['oadrCreateOpt', 'oadrCancelOpt']),
  OadrPoll: new Set(['oadrPoll']),
};

type Code = (typeof ResponseCode)[keyof typeof ResponseCode];

function requestIdOf(message: OadrMessage): string {
  const body = message.body as { requestID?: unknown; eiRequestEvent?: { requestID: string }; eiResponse?: { requestID: string } };
  if (typeof body.requestID === 'string') return body.requestID;
  if (body.eiRequestEvent !== undefined) return body.eiRequestEvent.requestID;
  return body.eiResponse?.requestID ?? '';
}

function venIdOf(message: OadrMessage): string | undefined {
  switch (message.type) {
    case 'oadrRequestEvent':
      return message.body.eiRequestEvent.venID;
    case 'oadrCreatedEvent':
      return message.body.eiCreatedEvent.venID;
    default:
      return (message.body as { venID?: string }).venID;
  }
}

const eiResponse = (responseCode: Code, requestID: string, responseDescription?: string): MessageBody<'oadrResponse'>['eiResponse'] => ({
  responseCode,
  ...(responseDescription === undefined ? {} : { responseDescription }),
  requestID,
});

/**
 * The answer to `request` carrying an error code: the reply type the spec pairs with the request
 * (oadrCreatedOpt for oadrCreateOpt, ...), oadrResponse where there is none.
 */
export function errorReply(request: OadrMessage, code: Code, description: string, vtnID: string, venID: string | undefined): OadrMessage {
  const r = eiResponse(code, requestIdOf(request), description);
  const ven = venID === undefined ? {} : { venID };
  switch (request.type) {
    case 'oadrQueryRegistration':
    case 'oadrCreatePartyRegistration':
      return { type: 'oadrCreatedPartyRegistration', body: { eiResponse: r, vtnID, oadrProfiles: PROFILES, ...ven } };
    case 'oadrCancelPartyRegistration':
      return { type: 'oadrCanceledPartyRegistration', body: { eiResponse: r, registrationID: request.body.registrationID, ...ven } };
    case 'oadrCreateOpt':
      return { type: 'oadrCreatedOpt', body: { eiResponse: r, optID: request.body.optID } };
    case 'oadrCancelOpt':
      return { type: 'oadrCanceledOpt', body: { eiResponse: r, optID: request.body.optID } };
    case 'oadrCreateReport':
      return { type: 'oadrCreatedReport', body: { eiResponse: r, oadrPendingReports: [], ...ven } };
    case 'oadrCancelReport':
      return { type: 'oadrCanceledReport', body: { eiResponse: r, oadrPendingReports: [], ...ven } };
    case 'oadrRegisterReport':
      return { type: 'oadrRegisteredReport', body: { eiResponse: r, ...ven } };
    case 'oadrUpdateReport':
      return { type: 'oadrUpdatedReport', body: { eiResponse: r, ...ven } };
    case 'oadrRequestEvent':
      return { type: 'oadrDistributeEvent', body: { eiResponse: r, requestID: newId(), vtnID } };
    default:
      return { type: 'oadrResponse', body: { eiResponse: r, ...ven } };
  }
}

const PROFILES: MessageBody<'oadrCreatedPartyRegistration'>['oadrProfiles'] = [{ oadrProfileName: '2.0b', oadrTransports: ['simpleHttp'] }];

class Refusal extends Error {
  constructor(readonly reply: ServiceReply) {
    super('refused');
  }
}

/** The 2.0b services of the VTN: one method per incoming message type. */
export class OadrServices {
  constructor(
    private readonly core: VtnCore,
    private readonly signatures: SignatureHooks | undefined,
  ) {}

  async handle(service: ServiceName, decoded: DecodedPayload, identity: RequestIdentity): Promise<ServiceReply> {
    const message = decoded.message;
    const claimed = venIdOf(message);
    if (!SERVICE_MESSAGES[service].has(message.type)) {
      return this.payload(errorReply(message, ResponseCode.COMPLIANCE_ERROR, `${message.type} does not belong to ${service}`, this.core.config.vtnID, claimed), claimed);
    }
    try {
      return await this.dispatch(decoded, identity, claimed);
    } catch (error) {
      if (error instanceof Refusal) return error.reply;
      throw error;
    }
  }

  private payload(message: OadrMessage, venID: string | undefined): ServiceReply {
    return { kind: 'payload', message, venID };
  }

  private fail(request: OadrMessage, code: Code, description: string, venID: string | undefined): Refusal {
    return new Refusal(this.payload(errorReply(request, code, description, this.core.config.vtnID, venID), venID));
  }

  private stranger(reason: string, venID: string | undefined): Refusal {
    return new Refusal({ kind: 'empty', status: 403, reason, venID });
  }

  /**
   * Finds the sender. With TLS the certificate decides and the venID in the body must be its VEN's
   * (a case-swapped one is an invalid ID, 452; another VEN's is 463). Without TLS (development) the
   * venID in the body is all there is. Unknown or unregistered senders get no payload at all.
   */
  private async authenticate(decoded: DecodedPayload, identity: RequestIdentity, claimed: string | undefined, requireRegistered = true): Promise<VenRecord> {
    const message = decoded.message;
    const store = this.core.store;
    let ven: VenRecord | undefined;
    if (identity.fingerprint !== undefined) {
      ven = await store.getVenByFingerprint(identity.fingerprint);
      if (ven === undefined) throw this.stranger('no VEN has this client certificate', claimed);
      if (claimed !== undefined && claimed !== ven.venID) {
        if (claimed.toLowerCase() === ven.venID.toLowerCase()) throw this.fail(message, ResponseCode.INVALID_ID, `venID ${claimed} differs from ${ven.venID} in case`, claimed);
        throw this.fail(message, ResponseCode.NOT_REGISTERED_OR_AUTHORIZED, `venID ${claimed} does not belong to this client certificate`, claimed);
      }
    } else {
      if (claimed === undefined) throw this.stranger('without TLS a request must carry its venID', claimed);
      ven = await store.getVen(claimed);
      if (ven === undefined) {
        const other = await store.findVenIgnoringCase(claimed);
        if (other !== undefined && other.registrationID !== undefined) throw this.fail(message, ResponseCode.INVALID_ID, `venID ${claimed} differs from ${other.venID} in case`, claimed);
        throw this.stranger(`unknown venID ${claimed}`, claimed);
      }
    }
    if (requireRegistered && ven.registrationID === undefined) throw this.stranger(`VEN ${ven.venID} is not registered`, ven.venID);
    if (this.signatures !== undefined && (ven.xmlSignature || decoded.signed)) {
      try {
        await this.signatures.verify(decoded, ven);
      } catch (error) {
        if (error instanceof OadrError) throw this.fail(message, ResponseCode.NOT_REGISTERED_OR_AUTHORIZED, error.message, ven.venID);
        throw error;
      }
    }
    this.core.lastSeen.seen(ven.venID, this.core.clock());
    return ven;
  }

  private async dispatch(decoded: DecodedPayload, identity: RequestIdentity, claimed: string | undefined): Promise<ServiceReply> {
    const m = decoded.message;
    switch (m.type) {
      case 'oadrQueryRegistration':
        return this.queryRegistration(m.body, identity);
      case 'oadrCreatePartyRegistration':
        return this.createPartyRegistration(decoded, m.body, identity);
      case 'oadrCancelPartyRegistration': {
        const ven = await this.authenticate(decoded, identity, claimed);
        return this.cancelPartyRegistration(m.body, ven);
      }
      case 'oadrCanceledPartyRegistration': {
        const ven = await this.authenticate(decoded, identity, claimed, false);
        return this.acknowledge(m, ven, 'oadrCancelPartyRegistration');
      }
      case 'oadrResponse': {
        // The ack of oadrRequestReregistration: nothing to record, and the answer is an empty 200.
        const ven = await this.authenticate(decoded, identity, claimed);
        return { kind: 'empty', status: 200, reason: 'acknowledgement', venID: ven.venID };
      }
      case 'oadrPoll':
        return this.poll(await this.authenticate(decoded, identity, claimed));
      case 'oadrRequestEvent':
        return this.requestEvent(m.body, await this.authenticate(decoded, identity, claimed));
      case 'oadrCreatedEvent':
        return this.createdEvent(m, await this.authenticate(decoded, identity, claimed));
      case 'oadrCreateOpt':
        return this.createOpt(m, await this.authenticate(decoded, identity, claimed));
      case 'oadrCancelOpt':
        return this.cancelOpt(m, await this.authenticate(decoded, identity, claimed));
      case 'oadrRegisterReport':
        return this.registerReport(m.body, await this.authenticate(decoded, identity, claimed));
      case 'oadrRegisteredReport':
        return this.acknowledge(m, await this.authenticate(decoded, identity, claimed), 'oadrRegisterReport');
      case 'oadrCreatedReport':
        return this.acknowledge(m, await this.authenticate(decoded, identity, claimed), 'oadrCreateReport');
      case 'oadrCanceledReport':
        return this.acknowledge(m, await this.authenticate(decoded, identity, claimed), 'oadrCancelReport');
      case 'oadrUpdatedReport':
        return this.acknowledge(m, await this.authenticate(decoded, identity, claimed), 'oadrUpdateReport');
      case 'oadrCreateReport':
        return this.createReport(m, await this.authenticate(decoded, identity, claimed));
      case 'oadrUpdateReport':
        return this.updateReport(m, await this.authenticate(decoded, identity, claimed));
      case 'oadrCancelReport':
        return this.cancelReportFromVen(m, await this.authenticate(decoded, identity, claimed));
      default:
        return this.payload(errorReply(m, ResponseCode.NOT_ALLOWED, `a VTN does not take ${m.type}`, this.core.config.vtnID, claimed), claimed);
    }
  }

  // ---- EiRegisterParty ----

  private createdRegistration(requestID: string, ven: VenRecord | undefined, code: Code = ResponseCode.OK, description = 'OK'): OadrMessage {
    const pull = ven === undefined || ven.httpPullModel;
    return {
      type: 'oadrCreatedPartyRegistration',
      body: {
        eiResponse: eiResponse(code, requestID, description),
        ...(ven?.registrationID === undefined ? {} : { registrationID: ven.registrationID, venID: ven.venID }),
        vtnID: this.core.config.vtnID,
        oadrProfiles: PROFILES,
        ...(pull ? { oadrRequestedOadrPollFreq: this.core.config.pollFrequency } : {}),
      },
    };
  }

  private async queryRegistration(body: MessageBody<'oadrQueryRegistration'>, identity: RequestIdentity): Promise<ServiceReply> {
    const ven = identity.fingerprint === undefined ? undefined : await this.core.store.getVenByFingerprint(identity.fingerprint);
    if (ven !== undefined) this.core.lastSeen.seen(ven.venID, this.core.clock());
    const registered = ven?.registrationID === undefined ? undefined : ven;
    return this.payload(this.createdRegistration(body.requestID, registered), registered?.venID);
  }

  private async createPartyRegistration(decoded: DecodedPayload, body: MessageBody<'oadrCreatePartyRegistration'>, identity: RequestIdentity): Promise<ServiceReply> {
    const m = decoded.message;
    const core = this.core;
    if (body.oadrProfileName !== '2.0b') throw this.fail(m, ResponseCode.COMPLIANCE_ERROR, `profile ${body.oadrProfileName} is not served here`, body.venID);
    if (body.oadrTransportName !== 'simpleHttp') throw this.fail(m, ResponseCode.NOT_ALLOWED, `transport ${body.oadrTransportName} is not served here`, body.venID);
    const pull = body.oadrHttpPullModel ?? true;
    const address = body.oadrTransportAddress?.trim();
    if (!pull && (address === undefined || !/^https?:\/\/\S+$/.test(address))) {
      throw this.fail(m, ResponseCode.INVALID_DATA, 'a push VEN needs an http(s) oadrTransportAddress', body.venID);
    }
    const now = core.clock();
    const result = await core.store.transaction(async (tx) => {
      const byCert = identity.fingerprint === undefined ? undefined : await tx.getVenByFingerprint(identity.fingerprint);
      let ven: VenRecord | undefined = byCert;
      if (body.venID !== undefined) {
        const named = await tx.getVen(body.venID);
        if (named === undefined) throw this.fail(m, ResponseCode.INVALID_ID, `unknown venID ${body.venID}`, body.venID);
        if (byCert !== undefined && byCert.venID !== named.venID) throw this.fail(m, ResponseCode.NOT_REGISTERED_OR_AUTHORIZED, `venID ${body.venID} does not belong to this client certificate`, body.venID);
        if (named.fingerprint !== undefined && identity.fingerprint !== undefined && named.fingerprint !== identity.fingerprint) {
          throw this.fail(m, ResponseCode.NOT_REGISTERED_OR_AUTHORIZED, `venID ${body.venID} is bound to another certificate`, body.venID);
        }
        ven = named;
      }
      if (body.registrationID !== undefined && body.registrationID !== ven?.registrationID) {
        throw this.fail(m, ResponseCode.INVALID_ID, `unknown registrationID ${body.registrationID}`, body.venID);
      }
      const base: VenRecord = ven ?? newVenRecord(newId(), now, { fingerprint: identity.fingerprint, approved: core.config.registration.autoApprove });
      const updated: VenRecord = {
        ...base,
        venName: body.oadrVenName ?? base.venName,
        fingerprint: base.fingerprint ?? identity.fingerprint,
        profileName: body.oadrProfileName,
        transportName: body.oadrTransportName,
        transportAddress: pull ? undefined : address,
        httpPullModel: pull,
        reportOnly: body.oadrReportOnly,
        xmlSignature: body.oadrXmlSignature,
        // The registration writes the row anyway: the time rides along instead of waiting for a flush.
        lastSeenAt: now,
      };
      if (!updated.approved) {
        await tx.saveVen({ ...updated, registrationID: undefined });
        return { ven: updated, approved: false };
      }
      // Re-registering with the registrationID keeps it (N0_5065); registering anew gets a new one (N0_5060).
      const registered: VenRecord = { ...updated, registrationID: body.registrationID ?? newId(), registeredAt: now };
      await tx.saveVen(registered);
      await tx.dropQueued(registered.venID);
      await core.refreshVenTargets(tx, registered);
      const report = core.vtnRegisterReport(registered.venID);
      await tx.enqueue({ venID: registered.venID, kind: 'oadrRegisterReport', requestID: report.requestID, body: report }, now);
      return { ven: registered, approved: true };
    });
    if (!result.approved) {
      core.log.info({ venID: result.ven.venID }, 'VEN awaits approval');
      return this.payload(this.createdRegistration(body.requestID, undefined, ResponseCode.NOT_REGISTERED_OR_AUTHORIZED, 'awaiting approval by the operator'), result.ven.venID);
    }
    core.log.info({ venID: result.ven.venID, registrationID: result.ven.registrationID, pull: result.ven.httpPullModel }, 'VEN registered');
    core.onWork([result.ven.venID]);
    return this.payload(this.createdRegistration(body.requestID, result.ven), result.ven.venID);
  }

  private async cancelPartyRegistration(body: MessageBody<'oadrCancelPartyRegistration'>, ven: VenRecord): Promise<ServiceReply> {
    const reply = (code: Code, description: string): ServiceReply =>
      this.payload(
        { type: 'oadrCanceledPartyRegistration', body: { eiResponse: eiResponse(code, body.requestID, description), registrationID: body.registrationID, venID: ven.venID } },
        ven.venID,
      );
    if (body.registrationID !== ven.registrationID) return reply(ResponseCode.INVALID_ID, `unknown registrationID ${body.registrationID}`);
    await this.core.store.transaction(async (tx) => {
      await tx.saveVen({ ...ven, registrationID: undefined });
      await tx.dropQueued(ven.venID);
    });
    this.core.log.info({ venID: ven.venID }, 'VEN cancelled its registration');
    return reply(ResponseCode.OK, 'OK');
  }

  /** A VEN's reply to a message the VTN sent: it must carry that message's requestID (reply-chain rule). */
  private async acknowledge(
    m: Extract<OadrMessage, { type: 'oadrCanceledPartyRegistration' | 'oadrRegisteredReport' | 'oadrCreatedReport' | 'oadrCanceledReport' | 'oadrUpdatedReport' }>,
    ven: VenRecord,
    answers: 'oadrCancelPartyRegistration' | 'oadrRegisterReport' | 'oadrCreateReport' | 'oadrCancelReport' | 'oadrUpdateReport',
  ): Promise<ServiceReply> {
    const requestID = m.body.eiResponse.requestID;
    const ok = (): ServiceReply => this.payload({ type: 'oadrResponse', body: { eiResponse: eiResponse(ResponseCode.OK, requestID, 'OK'), venID: ven.venID } }, ven.venID);
    let refusal = `no ${answers} with requestID ${requestID} awaits a reply, or it asks for a report the VTN does not offer`;
    const code = await this.core.store.transaction(async (tx): Promise<Code> => {
      const sent = await tx.findSent(ven.venID, requestID);
      if (sent === undefined || sent.kind !== answers) return ResponseCode.INVALID_ID;
      await tx.markAcked(sent.id);
      // The VEN may cancel, on its answer, requests the delivered report served (CHECKLIST §4.4).
      if (m.type === 'oadrUpdatedReport' && sent.kind === 'oadrUpdateReport' && m.body.oadrCancelReport !== undefined) {
        const delivered = new Set((sent.body.oadrReport ?? []).map((r) => r.reportRequestID));
        const stray = m.body.oadrCancelReport.reportRequestID.find((id) => !delivered.has(id));
        if (stray !== undefined) {
          refusal = `reportRequestID ${stray} was not in the report this answers`;
          return ResponseCode.INVALID_ID;
        }
        for (const id of m.body.oadrCancelReport.reportRequestID) await tx.setReportRequestStatus(id, 'cancelled');
      }
      if (m.type === 'oadrCreatedReport' && sent.kind === 'oadrCreateReport') {
        for (const request of sent.body.oadrReportRequest) {
          const stored = await tx.getReportRequest(request.reportRequestID);
          if (stored?.status === 'pending') await tx.setReportRequestStatus(request.reportRequestID, 'active');
        }
      }
      // Report requests piggy-backed on oadrRegisteredReport (8060) are taken like an oadrCreateReport.
      if (m.type === 'oadrRegisteredReport') {
        const refused = await this.acceptRequestsFromVen(tx, ven, m.body.oadrReportRequest ?? []);
        if (refused !== undefined) {
          refusal = refused.description;
          return refused.code;
        }
      }
      return ResponseCode.OK;
    });
    if (code !== ResponseCode.OK) {
      return this.payload({ type: 'oadrResponse', body: { eiResponse: eiResponse(code, requestID, refusal), venID: ven.venID } }, ven.venID);
    }
    if (m.type === 'oadrRegisteredReport' && (m.body.oadrReportRequest ?? []).length > 0) this.core.onWork([ven.venID]);
    return ok();
  }

  // ---- OadrPoll and EiEvent ----

  private async poll(ven: VenRecord): Promise<ServiceReply> {
    const core = this.core;
    const idle = (): ServiceReply => this.payload({ type: 'oadrResponse', body: { eiResponse: eiResponse(ResponseCode.OK, '', 'OK'), venID: ven.venID } }, ven.venID);
    // Most polls find nothing: that look needs no transaction (and no write lock).
    if (!(await core.store.hasPendingWork(ven.venID, core.clock()))) return idle();
    const message = await core.store.transaction(async (tx) => {
      // A message can be taken by another VTN process between the look and the take: look again.
      for (let attempt = 0; attempt < 3; attempt++) {
        const now = core.clock();
        const next = await core.nextFor(tx, ven, now);
        if (next === undefined) return undefined;
        if (await next.commit(tx, now)) return next.message;
      }
      return undefined;
    });
    return message === undefined ? idle() : this.payload(message, ven.venID);
  }

  private async requestEvent(body: MessageBody<'oadrRequestEvent'>, ven: VenRecord): Promise<ServiceReply> {
    const core = this.core;
    const message = await core.store.transaction(async (tx) => {
      const now = core.clock();
      const out = await core.distributeFor(tx, ven, now, true, body.eiRequestEvent.replyLimit);
      await out.commit(tx, now);
      return out.message;
    });
    if (message.type === 'oadrDistributeEvent' && message.body.eiResponse !== undefined) {
      message.body.eiResponse.requestID = body.eiRequestEvent.requestID;
    }
    return this.payload(message, ven.venID);
  }

  /**
   * oadrCreatedEvent: each eventResponse must name an event the VEN received (452), at its current
   * modification (450), answering the distribute that carried it (452). Valid responses are stored
   * even when others are not (rule 19); the reply carries the first error.
   */
  private async createdEvent(m: Extract<OadrMessage, { type: 'oadrCreatedEvent' }>, ven: VenRecord): Promise<ServiceReply> {
    const created = m.body.eiCreatedEvent;
    const requestID = created.eiResponse.requestID;
    const problems = await this.core.store.transaction(async (tx) => {
      const found: Array<{ code: Code; description: string }> = [];
      const now = this.core.clock();
      for (const response of created.eventResponses ?? []) {
        const { eventID, modificationNumber } = response.qualifiedEventID;
        const delivery = await tx.getDelivery(eventID, ven.venID);
        const event = delivery === undefined ? undefined : await tx.getEvent(eventID);
        // A push VEN may answer before the VTN has recorded the push as delivered (deliveries are
        // group-committed after the HTTP exchange): a modification being pushed counts as delivered.
        const inFlight = !ven.httpPullModel && delivery !== undefined && delivery.deliveredMod < modificationNumber && modificationNumber <= delivery.targetMod;
        if (delivery === undefined || event === undefined || (delivery.deliveredMod < 0 && !inFlight) || delivery.excluded) {
          found.push({ code: ResponseCode.INVALID_ID, description: `unknown eventID ${eventID}` });
        } else if (modificationNumber !== event.modificationNumber) {
          found.push({ code: ResponseCode.OUT_OF_SEQUENCE, description: `event ${eventID} is at modification ${event.modificationNumber}, not ${modificationNumber}` });
        } else if (!inFlight && !this.core.isPushing(ven.venID, response.requestID) && delivery.requestID !== undefined && response.requestID !== delivery.requestID) {
          found.push({ code: ResponseCode.INVALID_ID, description: `requestID ${response.requestID} did not deliver event ${eventID}` });
        } else if (delivery.eiOpt === undefined) {
          // After an EiOpt for the event, oadrCreatedEvent no longer changes the opt state (rule 206).
          await tx.recordEventResponse(eventID, ven.venID, modificationNumber, response.optType, now);
        }
      }
      return found;
    });
    const first = problems[0];
    const body = first === undefined ? eiResponse(ResponseCode.OK, requestID, 'OK') : eiResponse(first.code, requestID, problems.map((p) => p.description).join('; '));
    return this.payload({ type: 'oadrResponse', body: { eiResponse: body, venID: ven.venID } }, ven.venID);
  }

  // ---- EiOpt ----

  private async createOpt(m: Extract<OadrMessage, { type: 'oadrCreateOpt' }>, ven: VenRecord): Promise<ServiceReply> {
    const body = m.body;
    const availability = body.vavailability ?? [];
    if (body.qualifiedEventID === undefined && availability.length === 0) {
      throw this.fail(m, ResponseCode.INVALID_DATA, 'a schedule opt needs vavailability windows', ven.venID);
    }
    if (body.qualifiedEventID !== undefined && (availability.length > 0 || body.marketContext !== undefined)) {
      throw this.fail(m, ResponseCode.INVALID_DATA, 'an event opt carries neither vavailability nor marketContext', ven.venID);
    }
    const windows = availability.filter((w) => w.tolerance !== undefined || w['x-eiRampUp'] !== undefined || w['x-eiRecovery'] !== undefined || w['x-eiNotification'] !== undefined);
    if (windows.length > 0) throw this.fail(m, ResponseCode.INVALID_DATA, 'availability windows carry no tolerance, ramp-up, recovery or notification', ven.venID);
    await this.core.store.transaction(async (tx) => {
      const q = body.qualifiedEventID;
      if (q !== undefined) {
        const delivery = await tx.getDelivery(q.eventID, ven.venID);
        const event = await tx.getEvent(q.eventID);
        if (delivery === undefined || event === undefined) throw this.fail(m, ResponseCode.INVALID_ID, `unknown eventID ${q.eventID}`, ven.venID);
        if (q.modificationNumber > event.modificationNumber) throw this.fail(m, ResponseCode.OUT_OF_SEQUENCE, `event ${q.eventID} is at modification ${event.modificationNumber}`, ven.venID);
        await tx.setEiOpt(q.eventID, ven.venID, body.optType);
      }
      await tx.saveOpt({
        venID: ven.venID,
        optID: body.optID,
        optType: body.optType,
        optReason: body.optReason,
        marketContext: body.marketContext,
        eventID: q?.eventID,
        modificationNumber: q?.modificationNumber,
        body,
        createdAt: this.core.clock(),
        cancelledAt: undefined,
      });
    });
    return this.payload({ type: 'oadrCreatedOpt', body: { eiResponse: eiResponse(ResponseCode.OK, body.requestID, 'OK'), optID: body.optID } }, ven.venID);
  }

  private async cancelOpt(m: Extract<OadrMessage, { type: 'oadrCancelOpt' }>, ven: VenRecord): Promise<ServiceReply> {
    const body = m.body;
    await this.core.store.transaction(async (tx) => {
      const opt = await tx.getOpt(ven.venID, body.optID);
      if (opt === undefined || opt.cancelledAt !== undefined) throw this.fail(m, ResponseCode.INVALID_ID, `unknown optID ${body.optID}`, ven.venID);
      await tx.saveOpt({ ...opt, cancelledAt: this.core.clock() });
      if (opt.eventID !== undefined) await tx.setEiOpt(opt.eventID, ven.venID, undefined);
    });
    return this.payload({ type: 'oadrCanceledOpt', body: { eiResponse: eiResponse(ResponseCode.OK, body.requestID, 'OK'), optID: body.optID } }, ven.venID);
  }

  // ---- EiReport ----

  private async registerReport(body: MessageBody<'oadrRegisterReport'>, ven: VenRecord): Promise<ServiceReply> {
    const reports = body.oadrReport ?? [];
    const specifiers = new Set(reports.map((r) => r.reportSpecifierID));
    const reply = (code: Code, description: string, oadrReportRequest: readonly OadrReportRequest[] = []): ServiceReply =>
      this.payload(
        {
          type: 'oadrRegisteredReport',
          body: { eiResponse: eiResponse(code, body.requestID, description), ...(oadrReportRequest.length === 0 ? {} : { oadrReportRequest: [...oadrReportRequest] }), venID: ven.venID },
        },
        ven.venID,
      );
    if (specifiers.size !== reports.length) return reply(ResponseCode.INVALID_DATA, 'reportSpecifierID must be unique');
    for (const report of reports) {
      const rIDs = (report.oadrReportDescription ?? []).map((d) => d.rID);
      if (new Set(rIDs).size !== rIDs.length) return reply(ResponseCode.INVALID_DATA, `report ${report.reportSpecifierID}: rID must be unique`);
    }
    const now = this.core.clock();
    const requests = await this.core.store.transaction(async (tx) => {
      await tx.replaceReportRegistrations(
        ven.venID,
        reports.map((report) => ({ venID: ven.venID, reportSpecifierID: report.reportSpecifierID, report, registeredAt: now })),
      );
      // Resources named in the metadata become targets of the VEN (eiTarget resourceID).
      const resources = new Set(ven.resourceIDs);
      for (const report of reports) {
        for (const description of report.oadrReportDescription ?? []) for (const id of description.reportDataSource?.resourceID ?? []) resources.add(id);
      }
      if (resources.size !== ven.resourceIDs.length) {
        const updated = { ...ven, resourceIDs: [...resources] };
        await tx.saveVen(updated);
        await this.core.refreshVenTargets(tx, updated);
      }
      return this.core.requestOnRegistration(tx, ven.venID, reports, body.requestID, now);
    });
    this.core.onWork([ven.venID]);
    return reply(ResponseCode.OK, 'OK', requests);
  }

  /**
   * Takes the VEN's requests for VTN reports: its METADATA (rule 306: each such request queues the
   * VTN's oadrRegisterReport) and the reports of `config.reports`. The first request that cannot be
   * served refuses them all, with its code and reason, so nothing half-applies.
   */
  private async acceptRequestsFromVen(tx: VtnRepository, ven: VenRecord, requests: readonly OadrReportRequest[]): Promise<{ code: Code; description: string } | undefined> {
    const now = this.core.clock();
    for (const request of requests) {
      // The VEN picks the ID: one naming another request (another VEN's, one of the VTN's, or its own
      // for another report) must not replace it; re-sending a request replaces it.
      const existing = await tx.getReportRequest(request.reportRequestID);
      if (existing !== undefined && (existing.venID !== ven.venID || existing.direction !== 'fromVen' || existing.reportSpecifierID !== request.reportSpecifier.reportSpecifierID)) {
        return { code: ResponseCode.INVALID_ID, description: `reportRequestID ${request.reportRequestID} is in use` };
      }
    }
    const served: Array<{ request: OadrReportRequest; read: ServedRequest }> = [];
    for (const request of requests.filter((r) => r.reportSpecifier.reportSpecifierID !== 'METADATA')) {
      const read = this.core.vtnReports.read(request, now);
      if (!read.ok) return { code: read.code, description: read.description };
      served.push({ request, read: read.request });
    }
    for (const { request, read } of served) await this.core.vtnReports.accept(tx, ven.venID, request, read, now);
    for (const request of requests.filter((r) => r.reportSpecifier.reportSpecifierID === 'METADATA')) {
      await tx.saveReportRequest({
        reportRequestID: request.reportRequestID,
        venID: ven.venID,
        direction: 'fromVen',
        reportSpecifierID: request.reportSpecifier.reportSpecifierID,
        request,
        status: 'active',
        createdAt: now,
      });
      const report = this.core.vtnRegisterReport(ven.venID, request.reportRequestID);
      await tx.enqueue({ venID: ven.venID, kind: 'oadrRegisterReport', requestID: report.requestID, body: report }, now);
    }
    return undefined;
  }

  /** The VEN asks the VTN for reports: its METADATA or those it offers; other specifiers are 452. */
  private async createReport(m: Extract<OadrMessage, { type: 'oadrCreateReport' }>, ven: VenRecord): Promise<ServiceReply> {
    const body = m.body;
    const pending = await this.core.store.transaction(async (tx) => {
      const refused = await this.acceptRequestsFromVen(tx, ven, body.oadrReportRequest);
      if (refused !== undefined) throw this.fail(m, refused.code, refused.description, ven.venID);
      return this.pendingFromVen(tx, ven);
    });
    this.core.onWork([ven.venID]);
    return this.payload(
      { type: 'oadrCreatedReport', body: { eiResponse: eiResponse(ResponseCode.OK, body.requestID, 'OK'), oadrPendingReports: pending, venID: ven.venID } },
      ven.venID,
    );
  }

  /** The VEN's requests the VTN still serves (oadrPendingReports). METADATA requests are one-shot: none stays. */
  private async pendingFromVen(tx: VtnRepository, ven: VenRecord): Promise<string[]> {
    return (await tx.listReportRequests(ven.venID))
      .filter((r) => r.direction === 'fromVen' && r.status === 'active' && r.reportSpecifierID !== 'METADATA')
      .map((r) => r.reportRequestID);
  }

  /**
   * oadrUpdateReport: every report must answer a request the VTN made of this VEN (rule 304) with that
   * request's specifier; each is stored with the VEN and the time, once per (requestID, index). A
   * report for a request the VTN has cancelled is stored and answered with the cancellation.
   */
  private async updateReport(m: Extract<OadrMessage, { type: 'oadrUpdateReport' }>, ven: VenRecord): Promise<ServiceReply> {
    const body = m.body;
    const now = this.core.clock();
    const outcome = await this.core.store.transaction(async (tx) => {
      const cancelled: string[] = [];
      const problems: string[] = [];
      const invalid: string[] = [];
      const stored: OadrReport[] = [];
      let index = 0;
      for (const report of body.oadrReport ?? []) {
        const position = index++;
        const request = await tx.getReportRequest(report.reportRequestID);
        if (request === undefined || request.venID !== ven.venID || request.direction !== 'toVen') {
          problems.push(`unknown reportRequestID ${report.reportRequestID}`);
          continue;
        }
        if (request.reportSpecifierID !== report.reportSpecifierID) {
          problems.push(`reportSpecifierID ${report.reportSpecifierID} does not match request ${report.reportRequestID}`);
          continue;
        }
        const allowed = new Set(request.request.reportSpecifier.specifierPayload.map((p) => p.rID));
        const strays = (report.intervals ?? []).flatMap((i) => i.oadrReportPayload.map((p) => p.rID)).filter((r) => !allowed.has(r));
        if (strays.length > 0) {
          problems.push(`rID ${strays[0] ?? ''} was not requested by ${report.reportRequestID}`);
          continue;
        }
        const problem = this.core.reportProblem(ven.venID, report);
        if (problem !== undefined) {
          invalid.push(`report ${position} (${report.reportRequestID}): ${problem}`);
          continue;
        }
        const inserted = await tx.insertReportData({
          venID: ven.venID,
          reportRequestID: report.reportRequestID,
          reportSpecifierID: report.reportSpecifierID,
          reportName: report.reportName,
          requestID: body.requestID,
          index: position,
          createdDateTime: report.createdDateTime,
          receivedAt: now,
          report,
        });
        if (inserted) stored.push(report);
        if (request.status === 'pending') await tx.setReportRequestStatus(request.reportRequestID, 'active');
        if (request.status === 'cancelled') cancelled.push(request.reportRequestID);
      }
      if (cancelled.length === 0) return { cancelOnAnswer: undefined, problems, invalid, stored };
      // The cancellation riding on this answer is recorded as sent, so the VEN's oadrCanceledReport
      // echoing its requestID is acknowledged; a queued one naming the same requests is superseded.
      const cancelOnAnswer = { requestID: newId(), reportRequestID: cancelled, reportToFollow: false, venID: ven.venID };
      for (const queued of await tx.listQueued(ven.venID)) {
        if (queued.kind === 'oadrCancelReport' && queued.body.reportRequestID.every((id) => cancelled.includes(id))) await tx.markAcked(queued.id);
      }
      await tx.markSent(await tx.enqueue({ venID: ven.venID, kind: 'oadrCancelReport', requestID: cancelOnAnswer.requestID, body: cancelOnAnswer }, now), now);
      return { cancelOnAnswer, problems, invalid, stored };
    });
    if (outcome.stored.length > 0) this.core.reportsStored(ven.venID, outcome.stored);
    // An unknown ID says more about what went wrong than bad data in a known report: it goes first.
    const code = outcome.problems.length > 0 ? ResponseCode.INVALID_ID : outcome.invalid.length > 0 ? ResponseCode.INVALID_DATA : ResponseCode.OK;
    const found = [...outcome.problems, ...outcome.invalid];
    const description = found.length > 0 ? found.join('; ') : 'OK';
    return this.payload(
      {
        type: 'oadrUpdatedReport',
        body: {
          eiResponse: eiResponse(code, body.requestID, description),
          ...(outcome.cancelOnAnswer === undefined ? {} : { oadrCancelReport: outcome.cancelOnAnswer }),
          venID: ven.venID,
        },
      },
      ven.venID,
    );
  }

  /** The VEN cancels reports it asked the VTN for. */
  private async cancelReportFromVen(m: Extract<OadrMessage, { type: 'oadrCancelReport' }>, ven: VenRecord): Promise<ServiceReply> {
    const body = m.body;
    const pending = await this.core.store.transaction(async (tx) => {
      for (const id of body.reportRequestID) {
        const request = await tx.getReportRequest(id);
        if (request === undefined || request.venID !== ven.venID || request.direction !== 'fromVen') throw this.fail(m, ResponseCode.INVALID_ID, `unknown reportRequestID ${id}`, ven.venID);
        if (body.reportToFollow) await this.core.vtnReports.deliverFinal(tx, request, this.core.clock());
        await tx.setReportRequestStatus(id, 'cancelled');
      }
      return this.pendingFromVen(tx, ven);
    });
    if (body.reportToFollow) this.core.onWork([ven.venID]);
    return this.payload(
      { type: 'oadrCanceledReport', body: { eiResponse: eiResponse(ResponseCode.OK, body.requestID, 'OK'), oadrPendingReports: pending, venID: ven.venID } },
      ven.venID,
    );
  }
}
