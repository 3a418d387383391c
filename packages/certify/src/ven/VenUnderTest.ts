import type { MessageBody, OadrEvent } from '@oadr-kit/protocol';
import type { TlsCredential } from '@oadr-kit/security';
import { CaseFailure } from '../CertificationCase.js';
import type { HarnessVtn } from '../HarnessVtn.js';

/** What VEN cases run against: the harness VTN the VEN under test is connected to. */
export interface VenUnderTest {
  readonly vtn: HarnessVtn;
  /** Polls a VEN gets to answer an event before it counts as silent (rule 64: before the next cycle). */
  readonly pollsToAnswer?: number;
  /**
   * Does what only the VEN's operator can start (a VEN opts out, cancels its registration, asks for
   * events when its operator or its device says so): a person reading `text`, or a script acting on
   * `action`. Cases that need it are skipped without it.
   */
  readonly operator?: (prompt: VenOperatorPrompt) => Promise<void>;
  /** (push) A certificate chaining to a CA the VEN trusts, of a party it never registered with (N0_5080). */
  readonly stranger?: TlsCredential;
}

/** One availability window of an opt schedule, as RFC 5545 texts (duration PT0S: open-ended). */
export interface OptWindow {
  readonly dtstart: string;
  readonly duration: string;
}

/** What a case asks the VEN's operator to do; `venID` names the VEN as the harness VTN registered it. */
export type VenOperatorAction =
  | { readonly kind: 'requestEvents'; readonly venID: string }
  | { readonly kind: 'optEvent'; readonly venID: string; readonly eventID: string; readonly optType: 'optIn' | 'optOut' }
  | {
      readonly kind: 'createOptSchedule';
      readonly venID: string;
      /** Re-send this optID (TH P1_2040) rather than a new one. */
      readonly optID?: string;
      readonly optType: 'optIn' | 'optOut';
      readonly availability: readonly OptWindow[];
      readonly resourceIDs?: readonly string[];
    }
  | { readonly kind: 'cancelOpt'; readonly venID: string; readonly optID: string }
  | { readonly kind: 'cancelRegistration'; readonly venID: string }
  /** Start the VEN again (after it cancelled its registration) so that it registers anew. */
  | { readonly kind: 'restart'; readonly venID: string };

export interface VenOperatorPrompt {
  /** The request in words, e.g. "make VEN ven-1 opt out of event th-event-3 ...". */
  readonly text: string;
  readonly action: VenOperatorAction;
}

/** Why a case that needs the operator cannot run, or undefined when it can. */
export function withoutOperator(context: VenUnderTest): string | undefined {
  return context.operator === undefined ? 'needs the VEN operator hook (operator prompts) to make the VEN act' : undefined;
}

/** Asks the operator; the hook's own failure is the run's error, not the VEN's. */
export async function ask(context: VenUnderTest, prompt: VenOperatorPrompt): Promise<void> {
  if (context.operator === undefined) throw new CaseFailure(withoutOperator(context)!);
  await context.operator(prompt);
}

export function registeredVen(vtn: HarnessVtn): string {
  if (vtn.registration === undefined) throw new CaseFailure('the VEN under test has not registered with the harness VTN');
  return vtn.registration.venID;
}

/** Fails with the first problem found in what the VEN sent since `from` (schema, rules, transport). */
export function clean(vtn: HarnessVtn, from: number): void {
  const problems = vtn.problemsSince(from);
  if (problems.length > 0) throw new CaseFailure(problems[0]!);
}

let distributions = 0;

/** Sends a distribute (also the answer to the VEN's oadrRequestEvent from now on) and returns the oadrCreatedEvent answering it. */
export async function distribute(vtn: HarnessVtn, events: OadrEvent[], signal: AbortSignal): Promise<{ created: MessageBody<'oadrCreatedEvent'>; requestID: string; from: number }> {
  const from = vtn.mark();
  const requestID = `th-dist-${++distributions}`;
  vtn.events = events;
  vtn.queue({ type: 'oadrDistributeEvent', body: { requestID, vtnID: vtn.vtnID, oadrEvent: events } });
  const created = await vtn.waitFor('oadrCreatedEvent', from, signal, (b) => (b.eiCreatedEvent.eventResponses ?? []).some((r) => r.requestID === requestID));
  return { created, requestID, from };
}

/** The eventResponse of one event in an oadrCreatedEvent, which must be there. */
export function responseTo(created: MessageBody<'oadrCreatedEvent'>, event: OadrEvent) {
  const { eventID } = event.eiEvent.eventDescriptor;
  const response = created.eiCreatedEvent.eventResponses?.find((r) => r.qualifiedEventID.eventID === eventID);
  if (response === undefined) throw new CaseFailure(`oadrCreatedEvent has no eventResponse for ${eventID}`);
  return response;
}
