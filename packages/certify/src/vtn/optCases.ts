/**
 * Opt (P) cases against a VTN in pull mode: the harness VEN sends availability schedules
 * (oadrCreateOpt), revises and cancels them, and holds each acknowledgement to the optID it named.
 */
import { formatDateTime, type MessageBody, type Properties } from '@oadr-kit/protocol';
import { CaseFailure, type CertificationCase } from '../CertificationCase.js';
import { expectCode, HarnessVen } from '../HarnessVen.js';
import { ensureRegistered, type VtnUnderTest } from './VtnUnderTest.js';

type VtnCase = CertificationCase<VtnUnderTest>;
const pull = { role: 'vtn', model: 'pull' } as const;
const HOUR = 3_600_000;

type OptFields = Pick<MessageBody<'oadrCreateOpt'>, 'optType' | 'optReason'> & Partial<Pick<MessageBody<'oadrCreateOpt'>, 'vavailability' | 'qualifiedEventID' | 'eiTarget' | 'oadrDeviceClass'>>;

/** Sends oadrCreateOpt under `optID` and requires oadrCreatedOpt 200 naming it. */
export async function createOpt(ven: HarnessVen, optID: string, fields: OptFields): Promise<void> {
  const reply = await ven.exchange(
    'EiOpt',
    {
      type: 'oadrCreateOpt',
      body: { optID, venID: ven.venID(), createdDateTime: formatDateTime(Date.now()), requestID: HarnessVen.requestID(), eiTarget: {}, ...fields },
    },
    'oadrCreatedOpt',
  );
  expectCode(`oadrCreatedOpt for ${optID}`, reply.eiResponse.responseCode, '200');
  if (reply.optID !== optID) throw new CaseFailure(`oadrCreatedOpt names optID "${reply.optID}", expected "${optID}"`);
}

async function cancelOpt(ven: HarnessVen, optID: string, expected: '200' | '452'): Promise<void> {
  const reply = await ven.exchange('EiOpt', { type: 'oadrCancelOpt', body: { requestID: HarnessVen.requestID(), optID, venID: ven.venID() } }, 'oadrCanceledOpt');
  expectCode(`oadrCanceledOpt for ${expected === '452' ? 'an unknown' : 'the'} optID ${optID}`, reply.eiResponse.responseCode, expected);
  if (expected === '200' && reply.optID !== optID) throw new CaseFailure(`oadrCanceledOpt names optID "${reply.optID}", expected "${optID}"`);
}

const newOptID = (): string => `opt-${HarnessVen.requestID()}`;
const window = (startMs: number, duration: string): Properties => ({ dtstart: formatDateTime(startMs), duration });

export const P1_2010: VtnCase = {
  id: 'P1_2010_TH_VEN',
  title: 'An opt-out schedule with two windows is acknowledged with its optID',
  ...pull,
  checks: ['CHECKLIST 5', 'TH P0_7010'],
  async run({ ven }) {
    await ensureRegistered(ven);
    const start = Date.now() + HOUR;
    await createOpt(ven, newOptID(), { optType: 'optOut', optReason: 'participating', vavailability: [window(start, 'PT1H'), window(start + 4 * HOUR, 'PT2H')] });
  },
};

export const P1_2015: VtnCase = {
  id: 'P1_2015_TH_VEN',
  title: 'An open-ended opt-in schedule (duration PT0S) is acknowledged',
  ...pull,
  checks: ['CHECKLIST 5 (open-ended availability)', 'TH P0_7015'],
  async run({ ven }) {
    await ensureRegistered(ven);
    await createOpt(ven, newOptID(), { optType: 'optIn', optReason: 'economic', vavailability: [window(Date.now() + HOUR, 'PT0S')] });
  },
};

export const P1_2020: VtnCase = {
  id: 'P1_2020_TH_VEN',
  title: 'A schedule is created, then cancelled: both acknowledged with its optID, and a second cancel finds nothing (452)',
  ...pull,
  checks: ['CHECKLIST 5 (oadrCancelOpt)', 'TH P0_7020'],
  async run({ ven }) {
    await ensureRegistered(ven);
    const optID = newOptID();
    await createOpt(ven, optID, { optType: 'optOut', optReason: 'mustRun', vavailability: [window(Date.now() + 2 * HOUR, 'PT1H')] });
    await cancelOpt(ven, optID, '200');
    await cancelOpt(ven, optID, '452');
  },
};

export const P1_2030: VtnCase = {
  id: 'P1_2030_TH_VEN',
  title: 'A schedule for one resource and device class is acknowledged',
  ...pull,
  checks: ['CHECKLIST 5 (eiTarget resources, oadrDeviceClass)', 'TH P0_7030'],
  async run({ ven }) {
    await ensureRegistered(ven);
    await createOpt(ven, newOptID(), {
      optType: 'optOut',
      optReason: 'overrideStatus',
      vavailability: [window(Date.now() + 3 * HOUR, 'PT2H')],
      eiTarget: { resourceID: ['resource-1'] },
      oadrDeviceClass: { endDeviceAsset: ['Thermostat'] },
    });
  },
};

export const P1_2040: VtnCase = {
  id: 'P1_2040_TH_VEN',
  title: 'The same optID sent again replaces the schedule (acknowledged), and one cancel removes it',
  ...pull,
  checks: ['CHECKLIST 5 (same optID replaces)', 'TH P0_7040'],
  async run({ ven }) {
    await ensureRegistered(ven);
    const optID = newOptID();
    const start = Date.now() + 5 * HOUR;
    await createOpt(ven, optID, { optType: 'optOut', optReason: 'participating', vavailability: [window(start, 'PT1H')] });
    await createOpt(ven, optID, { optType: 'optOut', optReason: 'participating', vavailability: [window(start, 'PT2H'), window(start + 3 * HOUR, 'PT1H')] });
    await cancelOpt(ven, optID, '200');
    await cancelOpt(ven, optID, '452');
  },
};

export const P1_2050: VtnCase = {
  id: 'P1_2050_TH_VEN',
  title: 'Cancelling an unknown optID is answered with 452',
  ...pull,
  checks: ['TH P0_7050'],
  async run({ ven }) {
    await ensureRegistered(ven);
    await cancelOpt(ven, `no-such-opt-${HarnessVen.requestID()}`, '452');
  },
};

/** The opt cases in the order a session runs them. */
export const VTN_OPT_CASES: readonly VtnCase[] = [P1_2010, P1_2015, P1_2020, P1_2030, P1_2040, P1_2050];
