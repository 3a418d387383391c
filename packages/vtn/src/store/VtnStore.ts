import type { EiEventBaseline, EiEventSignal, EiTarget, MessageBody, OadrReport, OadrReportRequest, OptType, Properties } from '@oadr-kit/protocol';
import type { Reading } from '../domain/vtnReports.js';

/** A VEN as the VTN knows it: provisioned by an operator, registered by itself, or both. */
export interface VenRecord {
  venID: string;
  venName: string | undefined;
  /** Set while the VEN is registered; undefined before registration and after cancellation. */
  registrationID: string | undefined;
  /** The 2.0b fingerprint of the VEN's client certificate, normalised (20 lower-case hex digits). */
  fingerprint: string | undefined;
  /** False while an operator has still to approve the VEN (registration.autoApprove false). */
  approved: boolean;
  profileName: string;
  transportName: string;
  /** Root URL for push; undefined for pull VENs. */
  transportAddress: string | undefined;
  httpPullModel: boolean;
  reportOnly: boolean;
  xmlSignature: boolean;
  /** Target attributes an operator gives the VEN (eiTarget groupID, resourceID, partyID). */
  groupIDs: string[];
  resourceIDs: string[];
  partyIDs: string[];
  createdAt: number;
  registeredAt: number | undefined;
  /**
   * The last authenticated request of the VEN. Only moves forward: `saveVen` keeps a newer stored
   * value, so a registration that read the row before a flush cannot step it back.
   */
  lastSeenAt: number | undefined;
}

/** A demand-response program: a market context with a name. */
export interface ProgramRecord {
  programID: string;
  name: string;
  marketContext: string;
  createdAt: number;
}

/** What an operator says about an event; the VTN derives each VEN's oadrEvent from it. */
export interface EventSpec {
  priority: number | undefined;
  testEvent: string | undefined;
  vtnComment: string | undefined;
  responseRequired: 'always' | 'never';
  activePeriod: Properties;
  signals: EiEventSignal[];
  baseline: EiEventBaseline | undefined;
  target: EiTarget;
}

export interface EventRecord {
  eventID: string;
  programID: string | undefined;
  marketContext: string;
  modificationNumber: number;
  modificationReason: string | undefined;
  createdAt: number;
  modifiedAt: number;
  cancelledAt: number | undefined;
  /** After this instant the event is no longer sent to anyone (end + startafter, or cancel + retention). */
  visibleUntil: number;
  spec: EventSpec;
}

/** Delivery and response state of one event for one VEN. */
export interface DeliveryRecord {
  eventID: string;
  venID: string;
  /** The modification the VEN must see; deliveredMod < targetMod means a delivery is due. */
  targetMod: number;
  /** The last modification delivered, -1 when none was. */
  deliveredMod: number;
  /** requestID of the oadrDistributeEvent that delivered deliveredMod. */
  requestID: string | undefined;
  deliveredAt: number | undefined;
  /** The VEN's answer through oadrCreatedEvent. */
  responseMod: number | undefined;
  responseOpt: OptType | undefined;
  respondedAt: number | undefined;
  /** The VEN's opt for this event through EiOpt, which wins over oadrCreatedEvent (rule 206). */
  eiOpt: OptType | undefined;
  /** How many times an unacknowledged cancellation was delivered again (rule 52). */
  cancelResends: number;
  /**
   * The event no longer targets the VEN, which had seen it: the next distribute leaves it out, which
   * the VEN takes as an implied cancellation (rule 61).
   */
  excluded: boolean;
}

/** VTN-originated messages waiting for a poll or a push, and for the VEN's reply. */
export type OutboxKind =
  | 'oadrCancelPartyRegistration'
  | 'oadrRequestReregistration'
  | 'oadrRegisterReport'
  | 'oadrCreateReport'
  | 'oadrCancelReport'
  | 'oadrUpdateReport';

export type OutboxMessage = {
  [K in OutboxKind]: {
    id: number;
    venID: string;
    kind: K;
    /** requestID the VEN's reply must carry in its eiResponse (empty for oadrRequestReregistration). */
    requestID: string;
    body: MessageBody<K>;
    status: 'queued' | 'sent' | 'acked';
    createdAt: number;
    sentAt: number | undefined;
  };
}[OutboxKind];

export type NewOutboxMessage = { [K in OutboxKind]: { venID: string; kind: K; requestID: string; body: MessageBody<K> } }[OutboxKind];

/** A report the VEN registered (its METADATA oadrReport). */
export interface ReportRegistrationRecord {
  venID: string;
  reportSpecifierID: string;
  report: OadrReport;
  registeredAt: number;
}

export interface ReportRequestRecord {
  reportRequestID: string;
  venID: string;
  /** toVen: the VTN asked the VEN for data; fromVen: the VEN asked the VTN. */
  direction: 'toVen' | 'fromVen';
  reportSpecifierID: string;
  request: OadrReportRequest;
  /** completed: a request of the VEN the VTN has served to its end. */
  status: 'pending' | 'active' | 'cancelled' | 'completed';
  createdAt: number;
  /** For a VEN's request of a report the VTN offers: when the next delivery is due. */
  nextDueAt?: number;
  /** Made on the VEN's oadrRegisteredReport (config requestOnRegistration): the next registration replaces it. */
  onRegistration?: boolean;
}

export interface ReportDataRecord {
  id: number;
  venID: string;
  reportRequestID: string;
  reportSpecifierID: string;
  reportName: string | undefined;
  /** requestID of the oadrUpdateReport and the report's index in it: a resent upload is stored once. */
  requestID: string;
  index: number;
  createdDateTime: string;
  receivedAt: number;
  report: OadrReport;
}

export type NewReportData = Omit<ReportDataRecord, 'id'>;

export interface OptRecord {
  venID: string;
  optID: string;
  optType: OptType;
  optReason: string;
  marketContext: string | undefined;
  eventID: string | undefined;
  modificationNumber: number | undefined;
  /** The oadrCreateOpt as received (availability windows, targets, device class). */
  body: MessageBody<'oadrCreateOpt'>;
  createdAt: number;
  cancelledAt: number | undefined;
}

/** A negotiation session (DESIGN.md, "The negotiation over OpenADR") as the VTN keeps it. */
export interface NegotiationRecord {
  sessionID: string;
  /** The session as created (NegotiationInput with its defaults applied). */
  spec: unknown;
  status: 'running' | 'agreed' | 'failed' | 'cancelled' | 'interrupted';
  /** Why it failed, was cancelled or interrupted. */
  reason: string | undefined;
  createdAt: number;
  updatedAt: number;
  /** Rounds completed so far. */
  rounds: number;
  /** Per VEN: its event, its projection request, rounds missed, whether it left or was excluded. */
  members: unknown;
  /** The agreed schedule and its figures, once agreed. */
  outcome: unknown;
}

/** One round of a session: residuals, prices, and the profiles that arrived. */
export interface NegotiationRoundRecord {
  sessionID: string;
  round: number;
  at: number;
  data: unknown;
}

export interface ReportDataQuery {
  venID?: string;
  reportRequestID?: string;
  reportName?: string;
  limit?: number;
}

/**
 * The storage operations of the VTN. Every method is one statement or a few that belong together;
 * callers combine them inside `VtnStore.transaction` when a state change spans several.
 */
export interface VtnRepository {
  getVen(venID: string): Promise<VenRecord | undefined>;
  /** The VEN whose venID equals `venID` ignoring case (E0_6080: a case-swapped venID is an invalid ID). */
  findVenIgnoringCase(venID: string): Promise<VenRecord | undefined>;
  getVenByFingerprint(fingerprint: string): Promise<VenRecord | undefined>;
  listVens(): Promise<VenRecord[]>;
  saveVen(ven: VenRecord): Promise<void>;
  deleteVen(venID: string): Promise<void>;
  /** Moves each VEN's lastSeenAt forward to the given time (never back; unknown VENs are skipped). */
  recordLastSeen(seen: ReadonlyMap<string, number>): Promise<void>;

  getProgram(programID: string): Promise<ProgramRecord | undefined>;
  listPrograms(): Promise<ProgramRecord[]>;
  saveProgram(program: ProgramRecord): Promise<void>;

  getEvent(eventID: string): Promise<EventRecord | undefined>;
  listEvents(): Promise<EventRecord[]>;
  /** Events still visible at `now`. */
  listLiveEvents(now: number): Promise<EventRecord[]>;
  insertEvent(event: EventRecord): Promise<void>;
  /** Replaces an event only if its modificationNumber is still `expectedModification`; false otherwise. */
  updateEvent(event: EventRecord, expectedModification: number): Promise<boolean>;

  getDelivery(eventID: string, venID: string): Promise<DeliveryRecord | undefined>;
  /** The rows of VENs the event targets (excluded ones left out). */
  listDeliveriesForEvent(eventID: string): Promise<DeliveryRecord[]>;
  /** Sets the modification each VEN must see, creating the rows that do not exist yet. */
  setDeliveryTargets(eventID: string, venIDs: readonly string[], targetMod: number): Promise<void>;
  /**
   * The event stops targeting these VENs at modification `targetMod`: rows of VENs that never saw it
   * go; the others become excluded and due, so the VENs get a distribute without it (implied cancel).
   * Targeting a VEN again (setDeliveryTargets) makes the event due for it once more.
   */
  untargetDeliveries(eventID: string, venIDs: readonly string[], targetMod: number): Promise<void>;
  /** Whether some live event has a modification not yet delivered to the VEN. */
  hasPendingDelivery(venID: string, now: number): Promise<boolean>;
  /** Whether anything at all waits for the VEN (a due delivery or a queued message): one query, for polls. */
  hasPendingWork(venID: string, now: number): Promise<boolean>;
  /** The live events of a VEN with their delivery rows, excluded ones included. */
  listVenEvents(venID: string, now: number): Promise<Array<{ event: EventRecord; delivery: DeliveryRecord }>>;
  /**
   * Records that `modification` of the event was delivered by the distribute `requestID`. With
   * `claim`, only if no one delivered that modification yet (another VTN process may just have):
   * true when this call recorded it. Without, a resend of the same modification is recorded too.
   */
  markDelivered(eventID: string, venID: string, modification: number, requestID: string, at: number, claim: boolean): Promise<boolean>;
  recordEventResponse(eventID: string, venID: string, modification: number, optType: OptType, at: number): Promise<void>;
  setEiOpt(eventID: string, venID: string, optType: OptType | undefined): Promise<void>;
  /**
   * Cancelled, still visible events delivered to a VEN at or before `deliveredBefore` that the VEN has not
   * acknowledged by oadrCreatedEvent, resent fewer than `maxResends` times (rule 52).
   */
  listUnacknowledgedCancellations(deliveredBefore: number, maxResends: number, now: number): Promise<Array<{ event: EventRecord; delivery: DeliveryRecord }>>;
  /**
   * Makes `modification` due again for the VEN and counts the resend, only while it is still the
   * delivered, unacknowledged one: false when the VEN answered or another VTN process resent it.
   */
  resendDelivery(eventID: string, venID: string, modification: number): Promise<boolean>;
  /** VENs with a pending delivery and a push transport. */
  listPushVensWithPendingWork(now: number): Promise<string[]>;
  /**
   * Takes or renews the lease on pushing to a VEN until `expiresAt`: true when `holder` had it or it
   * was free or expired at `now`, false while another holder's lease runs.
   */
  claimPushLease(venID: string, holder: string, now: number, expiresAt: number): Promise<boolean>;
  /** Gives the lease up, if `holder` still has it. */
  releasePushLease(venID: string, holder: string): Promise<void>;

  enqueue(message: NewOutboxMessage, at: number): Promise<number>;
  /** The oldest queued message of each kind for the VEN; poll order is decided by the caller. */
  listQueued(venID: string): Promise<OutboxMessage[]>;
  /** queued → sent, only if still queued (another process may have taken it); true when this call did. */
  markSent(id: number, at: number): Promise<boolean>;
  /** The sent message of the VEN carrying requestID, awaiting a reply. */
  findSent(venID: string, requestID: string): Promise<OutboxMessage | undefined>;
  markAcked(id: number): Promise<void>;
  /** Drops what was still queued for the VEN (its registration ended). */
  dropQueued(venID: string): Promise<void>;

  replaceReportRegistrations(venID: string, reports: readonly ReportRegistrationRecord[]): Promise<void>;
  listReportRegistrations(venID: string): Promise<ReportRegistrationRecord[]>;
  saveReportRequest(request: ReportRequestRecord): Promise<void>;
  getReportRequest(reportRequestID: string): Promise<ReportRequestRecord | undefined>;
  listReportRequests(venID: string): Promise<ReportRequestRecord[]>;
  setReportRequestStatus(reportRequestID: string, status: ReportRequestRecord['status']): Promise<void>;
  /** Active requests of VENs for the VTN's own reports whose next delivery is due at `now`. */
  listDueReportRequests(now: number): Promise<ReportRequestRecord[]>;
  /**
   * Moves a request's next delivery from `dueAt` to `nextDueAt` (undefined: it is completed), only if
   * it is still active and due at `dueAt`: false when another VTN process or a cancel came first.
   */
  advanceReportRequest(reportRequestID: string, dueAt: number, nextDueAt: number | undefined): Promise<boolean>;

  /** Stores readings of a report the VTN offers, replacing any at the same point and instant. */
  upsertVtnReadings(reportSpecifierID: string, readings: readonly Reading[]): Promise<void>;
  /** Readings of the points `rIDs` from `fromMs` to `toMs`, both included, oldest first. */
  listVtnReadings(reportSpecifierID: string, rIDs: readonly string[], fromMs: number, toMs: number): Promise<Reading[]>;
  /** Per point of a report the VTN offers: how many readings are kept and the newest one. */
  vtnReadingSummary(reportSpecifierID: string): Promise<Array<{ rID: string; count: number; newest: Reading }>>;
  /** Forgets readings older than `beforeMs` (beyond the report's history). */
  pruneVtnReadings(reportSpecifierID: string, beforeMs: number): Promise<void>;
  /** Stores one uploaded report; false when the same (VEN, requestID, index) was stored already. */
  insertReportData(data: NewReportData): Promise<boolean>;
  listReportData(query: ReportDataQuery): Promise<ReportDataRecord[]>;

  saveOpt(opt: OptRecord): Promise<void>;
  getOpt(venID: string, optID: string): Promise<OptRecord | undefined>;
  listOpts(venID?: string): Promise<OptRecord[]>;

  saveNegotiation(negotiation: NegotiationRecord): Promise<void>;
  getNegotiation(sessionID: string): Promise<NegotiationRecord | undefined>;
  listNegotiations(): Promise<NegotiationRecord[]>;
  /** Stores one round; a round stored already is kept as it was (false). */
  insertNegotiationRound(round: NegotiationRoundRecord): Promise<boolean>;
  /** Rounds from `fromRound` on, in order, at most `limit`. */
  listNegotiationRounds(sessionID: string, fromRound: number, limit: number): Promise<NegotiationRoundRecord[]>;
}

/** The storage port. Adapters: `createSqliteStore` (default) and `createPostgresStore`. */
export interface VtnStore extends VtnRepository {
  /** Runs `fn` atomically: all of its writes are durable when the promise resolves, or none are. */
  transaction<T>(fn: (tx: VtnRepository) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
