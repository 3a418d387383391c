import { formatDateTime, serviceOf, type EiEventBaseline, type EiEventSignal, type EiTarget, type MessageBody, type MessageType, type OadrEvent, type OadrMessage, type OadrReportRequest, type OptType, type Properties } from '@oadr-kit/protocol';
import { EXAMPLES } from '@oadr-kit/protocol/examples';
import { CaseFailure } from '../CertificationCase.js';
import { expectCode, HarnessVen } from '../HarnessVen.js';

/** What VTN cases run against: the harness's VEN, and a second party the VTN never registered (for N1_0080). */
export interface VtnUnderTest {
  readonly ven: HarnessVen;
  readonly stranger?: HarnessVen;
  /**
   * A third party whose certificate the VTN has never seen, for N1_0025: the operator pre-allocates a
   * venID bound to its certificate's fingerprint and it registers with that venID.
   */
  readonly newcomer?: HarnessVen;
  /**
   * Does what only the VTN's operator can start (a VTN requests reports when its operator asks):
   * a person reading `text`, or a script acting on `action`. Cases that need it are skipped without it.
   */
  readonly operator?: (prompt: OperatorPrompt) => Promise<void>;
}

/** One report the operator is asked to request of a VEN. */
export interface AskedReport {
  readonly reportSpecifierID: string;
  readonly granularity: string;
  readonly reportBackDuration: string;
  readonly reportInterval?: { readonly dtstart: string; readonly duration: string };
  /** The data points to report; all the VEN registered for the specifier when absent. */
  readonly rIDs?: readonly string[];
}

/** What a case asks the VTN's operator to do. */
export type OperatorAction =
  | ({ readonly kind: 'requestReport'; readonly venID: string } & AskedReport)
  /** Request all these reports in one oadrCreateReport (TH Prompt for R0_8180). */
  | { readonly kind: 'requestReports'; readonly venID: string; readonly requests: readonly AskedReport[] }
  | { readonly kind: 'cancelReport'; readonly venID: string; readonly reportRequestID: string; readonly reportToFollow: boolean }
  /** Publish a new event as described; the VTN chooses its eventID, which the harness learns from the distribute. */
  | { readonly kind: 'createEvent'; readonly venID: string; readonly event: DescribedEvent }
  /** Replace what the event says by this description (a new modification). */
  | { readonly kind: 'modifyEvent'; readonly venID: string; readonly eventID: string; readonly event: DescribedEvent }
  | { readonly kind: 'cancelEvent'; readonly venID: string; readonly eventID: string }
  | { readonly kind: 'cancelRegistration'; readonly venID: string }
  | { readonly kind: 'requestReregistration'; readonly venID: string }
  /** Provision a VEN with this venID for the certificate with this fingerprint before it registers. */
  | { readonly kind: 'preallocateVen'; readonly venID: string; readonly fingerprint: string }
  /**
   * Have the VTN ask for the report of this name (registered as `reportSpecifierID`) on the
   * oadrRegisteredReport answering the VEN's next oadrRegisterReport (TH Prompt_024).
   */
  | { readonly kind: 'requestOnRegistration'; readonly venID: string; readonly reportName: string; readonly reportSpecifierID: string };

/** An event as the operator is asked to publish it, in the protocol's field names. */
export interface DescribedEvent {
  readonly marketContext: string;
  readonly activePeriod: Properties;
  readonly signals: readonly EiEventSignal[];
  readonly baseline?: EiEventBaseline;
  readonly target: EiTarget;
  readonly responseRequired: 'always' | 'never';
  readonly priority?: number;
}

export interface OperatorPrompt {
  /** The request in words, e.g. "request a one-shot TELEMETRY_STATUS report from VEN ven-1 ...". */
  readonly text: string;
  readonly action: OperatorAction;
}

/**
 * Registers the harness VEN as a pull VEN (oadrCreatePartyRegistration) and keeps what the VTN
 * assigned. `known` names a venID the VTN pre-allocated, or the registration being renewed.
 */
export async function register(ven: HarnessVen, known: { readonly venID?: string; readonly registrationID?: string } = {}): Promise<MessageBody<'oadrCreatedPartyRegistration'>> {
  const requestID = HarnessVen.requestID();
  const address = await ven.transportAddress();
  const created = await ven.exchange(
    'EiRegisterParty',
    {
      type: 'oadrCreatePartyRegistration',
      body: {
        requestID,
        oadrProfileName: '2.0b',
        oadrTransportName: 'simpleHttp',
        oadrReportOnly: false,
        oadrXmlSignature: false,
        oadrVenName: ven.options.venName,
        ...(address === undefined ? { oadrHttpPullModel: true } : { oadrHttpPullModel: false, oadrTransportAddress: address }),
        ...(known.venID === undefined ? {} : { venID: known.venID }),
        ...(known.registrationID === undefined ? {} : { registrationID: known.registrationID }),
      },
    },
    'oadrCreatedPartyRegistration',
  );
  expectCode('oadrCreatedPartyRegistration', created.eiResponse.responseCode, '200');
  if (created.eiResponse.requestID !== requestID) throw new CaseFailure(`eiResponse requestID "${created.eiResponse.requestID}" does not echo "${requestID}"`);
  if (!created.registrationID || !created.venID) throw new CaseFailure('oadrCreatedPartyRegistration lacks registrationID or venID');
  if (address === undefined && created.oadrRequestedOadrPollFreq === undefined) throw new CaseFailure('a pull VEN is told its poll frequency (oadrRequestedOadrPollFreq)');
  ven.registration = { venID: created.venID, registrationID: created.registrationID, vtnID: created.vtnID, pollFrequency: created.oadrRequestedOadrPollFreq };
  return created;
}

export async function ensureRegistered(ven: HarnessVen): Promise<void> {
  if (ven.registration === undefined) await register(ven);
}

export async function ensureUnregistered(ven: HarnessVen): Promise<void> {
  const registration = ven.registration;
  if (registration === undefined) return;
  const canceled = await ven.exchange(
    'EiRegisterParty',
    { type: 'oadrCancelPartyRegistration', body: { requestID: HarnessVen.requestID(), registrationID: registration.registrationID, venID: registration.venID } },
    'oadrCanceledPartyRegistration',
  );
  expectCode('oadrCanceledPartyRegistration', canceled.eiResponse.responseCode, '200');
  ven.registration = undefined;
}

/** The metadata reports a VEN registers at start-up: telemetry status and usage (CHECKLIST 4.1). */
export function venMetadata(ven: HarnessVen, now: number): Extract<OadrMessage, { type: 'oadrRegisterReport' }> {
  const reports = (EXAMPLES.oadrRegisterReport.oadrReport ?? [])
    .filter((r) => r.reportName === 'METADATA_TELEMETRY_STATUS' || r.reportName === 'METADATA_TELEMETRY_USAGE')
    .map((r) => ({ ...r, createdDateTime: formatDateTime(now) }));
  return { type: 'oadrRegisterReport', body: { requestID: HarnessVen.requestID(), oadrReport: reports, venID: ven.venID() } };
}

/** How often the harness polls while it waits for the VTN to act; how long a push VEN waits for the next push. */
const POLL_EVERY_MS = 100;
/** A push VEN takes the VTN to have nothing more once no push came for this long. */
const PUSH_QUIET_MS = 300;

/**
 * The next message the VTN sends: a poll's answer (pull) or a push (push); undefined when it has
 * nothing (a poll answered by oadrResponse, or no push within `waitMs`).
 */
async function nextFromVtn(ven: HarnessVen, waitMs: number): Promise<OadrMessage | undefined> {
  if (ven.pushed !== undefined) return ven.pushed.next(waitMs);
  const message = await ven.receive('OadrPoll', { type: 'oadrPoll', body: { venID: ven.venID() } });
  return message.type === 'oadrResponse' ? undefined : message;
}

/** Requires the VTN to send nothing now: a poll answered by oadrResponse, or no push for a moment. */
export async function expectNothingMore(ven: HarnessVen, because: string): Promise<void> {
  const next = await nextFromVtn(ven, PUSH_QUIET_MS);
  if (next !== undefined) throw new CaseFailure(`the VTN sent ${next.type} though ${because}`);
}

/**
 * Takes what the VTN has queued until it has nothing more (a poll answered by oadrResponse, or no
 * push for a moment), answering it as a VEN must, and returns the types of the messages, in order.
 */
export async function drainPolls(ven: HarnessVen, limit = 20): Promise<string[]> {
  const seen: string[] = [];
  for (let i = 0; i < limit; i++) {
    const message = await nextFromVtn(ven, PUSH_QUIET_MS);
    if (message === undefined) return seen;
    seen.push(message.type);
    await answer(ven, message);
  }
  throw new CaseFailure(`the VTN still had messages queued after ${limit}`);
}

/**
 * Waits until the VTN sends a message of this type (that `accept`s, when given), by poll or push;
 * anything else it sends meanwhile is answered as a VEN would. A pushed request is answered with
 * `reply`.
 */
export async function pollFor<K extends MessageType>(
  ven: HarnessVen,
  type: K,
  signal: AbortSignal,
  accept: (body: MessageBody<K>) => boolean = () => true,
  what = '',
): Promise<MessageBody<K>> {
  for (;;) {
    if (signal.aborted) throw new CaseFailure(`the VTN sent no ${type}${what}`);
    const message = await nextFromVtn(ven, POLL_EVERY_MS);
    if (message !== undefined && message.type === type && accept(message.body as MessageBody<K>)) return message.body as MessageBody<K>;
    if (message === undefined) {
      if (ven.pushed === undefined) await new Promise((resolve) => setTimeout(resolve, POLL_EVERY_MS));
    } else {
      await answer(ven, message);
    }
  }
}

type Reply = Extract<OadrMessage, { type: 'oadrRegisteredReport' | 'oadrCreatedReport' | 'oadrCanceledReport' | 'oadrCanceledPartyRegistration' }>;

/**
 * Sends the VEN's reply to what the VTN sent last. A pull VEN posts it and the VTN acknowledges
 * with oadrResponse, whose code must be 200; a push VEN answers the push with it, and nothing
 * comes back to check. What rode on the VTN's answer to a request is replied to by post in either
 * model (`posted`).
 */
export async function reply(ven: HarnessVen, message: Reply, posted = ven.pushed === undefined): Promise<void> {
  if (!posted && ven.pushed !== undefined) {
    ven.pushed.reply(message);
    return;
  }
  const acknowledged = await ven.exchange(serviceOf(message.type), message, 'oadrResponse');
  expectCode(`oadrResponse to ${message.type}`, acknowledged.eiResponse.responseCode, '200');
}

/**
 * Takes report requests the VTN piggy-backed on its oadrRegisteredReport as a VEN must (CHECKLIST 1.4
 * step 3): one oadrCreatedReport, posted in either model, echoing the requestID of the VEN's
 * oadrRegisterReport and listing the periodic ones (those with a reportInterval) as pending.
 */
export async function acceptPiggyBacked(ven: HarnessVen, registerRequestID: string, requests: readonly OadrReportRequest[]): Promise<void> {
  const pending = requests.filter((r) => r.reportSpecifier.reportInterval !== undefined).map((r) => r.reportRequestID);
  await reply(ven, { type: 'oadrCreatedReport', body: { eiResponse: { responseCode: '200', responseDescription: 'OK', requestID: registerRequestID }, oadrPendingReports: pending, venID: ven.venID() } }, true);
}

/** Registers the VEN's metadata, requiring 200, and takes any report request riding on the answer. */
export async function registerMetadata(ven: HarnessVen, message: Extract<OadrMessage, { type: 'oadrRegisterReport' }>): Promise<void> {
  const registered = await ven.exchange('EiReport', message, 'oadrRegisteredReport');
  expectCode('oadrRegisteredReport', registered.eiResponse.responseCode, '200');
  const requests = registered.oadrReportRequest ?? [];
  if (requests.length > 0) await acceptPiggyBacked(ven, message.body.requestID, requests);
}

/** Answers a message the VTN sent as a conforming VEN would (acknowledging requests with 200). */
export async function answer(ven: HarnessVen, message: OadrMessage): Promise<void> {
  const venID = ven.venID();
  const ok = (requestID: string) => ({ responseCode: '200', responseDescription: 'OK', requestID });
  switch (message.type) {
    case 'oadrRegisterReport':
      await reply(ven, { type: 'oadrRegisteredReport', body: { eiResponse: ok(message.body.requestID), venID } });
      return;
    case 'oadrCreateReport':
      await reply(ven, { type: 'oadrCreatedReport', body: { eiResponse: ok(message.body.requestID), oadrPendingReports: message.body.oadrReportRequest.map((r) => r.reportRequestID), venID } });
      return;
    case 'oadrCancelReport':
      await reply(ven, { type: 'oadrCanceledReport', body: { eiResponse: ok(message.body.requestID), oadrPendingReports: [], venID } });
      return;
    case 'oadrDistributeEvent': {
      const events = (message.body.oadrEvent ?? []).filter((e) => e.oadrResponseRequired === 'always');
      if (events.length > 0) await respond(ven, message.body, events);
      return;
    }
    default:
      return;
  }
}

/** One oadrCreatedEvent answering the events of a distribute; returns the VTN's response code. */
export async function respond(
  ven: HarnessVen,
  distribute: MessageBody<'oadrDistributeEvent'>,
  events: readonly OadrEvent[],
  options: { optType?: OptType; responseCode?: string; venID?: string } = {},
): Promise<string> {
  const reply = await ven.exchange(
    'EiEvent',
    {
      type: 'oadrCreatedEvent',
      body: {
        eiCreatedEvent: {
          eiResponse: { responseCode: '200', requestID: '' },
          eventResponses: events.map((e) => ({
            responseCode: options.responseCode ?? '200',
            requestID: distribute.requestID,
            qualifiedEventID: { eventID: e.eiEvent.eventDescriptor.eventID, modificationNumber: e.eiEvent.eventDescriptor.modificationNumber },
            optType: options.optType ?? 'optIn',
          })),
          venID: options.venID ?? ven.venID(),
        },
      },
    },
    'oadrResponse',
  );
  return reply.eiResponse.responseCode;
}
