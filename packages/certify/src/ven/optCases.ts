/**
 * 2.0b opt (P) cases against a VEN (the harness plays a VTN). A VEN sends opt schedules when its
 * operator says so: each case asks the operator hook for one and holds the oadrCreateOpt or
 * oadrCancelOpt that follows to what was asked and to the schedule-opt rules (CHECKLIST 5).
 */
import { durationToMs, formatDateTime, type MessageBody } from '@oadr-kit/protocol';
import { CaseFailure, type CertificationCase } from '../CertificationCase.js';
import { ask, clean, registeredVen, withoutOperator, type OptWindow, type VenUnderTest } from './VenUnderTest.js';

type VenCase = CertificationCase<VenUnderTest>;
const pull = { role: 'ven', model: 'pull' } as const;
const HOUR = 3_600_000;

/** Windows starting on whole hours from tomorrow, so the texts compare as sent. */
function windows(durations: readonly string[]): OptWindow[] {
  const base = Math.ceil(Date.now() / HOUR) * HOUR + 24 * HOUR;
  return durations.map((duration, i) => ({ dtstart: formatDateTime(base + i * 4 * HOUR), duration }));
}

function describe(windowsSent: readonly OptWindow[]): string {
  return windowsSent.map((w) => `${w.dtstart} for ${w.duration}`).join(' and ');
}

/** Asks for a schedule opt and returns the oadrCreateOpt that carries it, checked against the request. */
async function scheduleOpt(
  context: VenUnderTest,
  signal: AbortSignal,
  request: { optType: 'optIn' | 'optOut'; availability: OptWindow[]; optID?: string; resourceIDs?: string[] },
): Promise<MessageBody<'oadrCreateOpt'>> {
  const { vtn } = context;
  const venID = registeredVen(vtn);
  const from = vtn.mark();
  const resources = request.resourceIDs === undefined ? '' : ` for resources ${request.resourceIDs.join(', ')}`;
  const again = request.optID === undefined ? '' : ` again with optID ${request.optID}`;
  await ask(context, {
    text: `make VEN ${venID} send an ${request.optType} schedule${again}${resources}: available ${describe(request.availability)}`,
    action: { kind: 'createOptSchedule', venID, optType: request.optType, availability: request.availability, ...(request.optID === undefined ? {} : { optID: request.optID }), ...(request.resourceIDs === undefined ? {} : { resourceIDs: request.resourceIDs }) },
  });
  const opt = await vtn.waitFor('oadrCreateOpt', from, signal);
  if (opt.venID !== venID) throw new CaseFailure(`oadrCreateOpt names venID "${opt.venID}", registered as "${venID}"`);
  if (!opt.optID) throw new CaseFailure('oadrCreateOpt carries no optID');
  if (request.optID !== undefined && opt.optID !== request.optID) throw new CaseFailure(`oadrCreateOpt has optID "${opt.optID}", the schedule was re-sent as "${request.optID}"`);
  if (opt.optType !== request.optType) throw new CaseFailure(`oadrCreateOpt has optType ${opt.optType}, the operator asked for ${request.optType}`);
  if (opt.qualifiedEventID !== undefined) throw new CaseFailure('a schedule opt names no event (qualifiedEventID)');
  const sent = opt.vavailability ?? [];
  if (sent.length !== request.availability.length) throw new CaseFailure(`oadrCreateOpt has ${sent.length} availability windows, the operator gave ${request.availability.length}`);
  request.availability.forEach((w, i) => {
    const got = sent[i]!;
    if (Date.parse(got.dtstart) !== Date.parse(w.dtstart) || durationToMs(got.duration) !== durationToMs(w.duration)) {
      throw new CaseFailure(`availability window ${i + 1} is ${got.dtstart} for ${got.duration}, the operator gave ${w.dtstart} for ${w.duration}`);
    }
  });
  const resourcesSent = opt.eiTarget.resourceID ?? [];
  const missing = (request.resourceIDs ?? []).find((id) => !resourcesSent.includes(id));
  if (missing !== undefined) throw new CaseFailure(`oadrCreateOpt does not target resource ${missing}`);
  clean(vtn, from);
  return opt;
}

async function cancelOpt(context: VenUnderTest, signal: AbortSignal, optID: string): Promise<void> {
  const { vtn } = context;
  const venID = registeredVen(vtn);
  const from = vtn.mark();
  await ask(context, { text: `make VEN ${venID} cancel its opt ${optID}`, action: { kind: 'cancelOpt', venID, optID } });
  const cancel = await vtn.waitFor('oadrCancelOpt', from, signal);
  if (cancel.optID !== optID || cancel.venID !== venID) throw new CaseFailure(`oadrCancelOpt names optID "${cancel.optID}" venID "${cancel.venID}", expected "${optID}" and "${venID}"`);
  clean(vtn, from);
}

const operated = { ...pull, unavailable: withoutOperator } as const;

export const P1_2010_VEN: VenCase = {
  id: 'P1_2010_TH_VTN',
  title: 'An opt-in schedule with two windows arrives as one oadrCreateOpt with both windows',
  ...operated,
  checks: ['CHECKLIST 5 (schedule opt: vavailability, no qualifiedEventID)', 'TH P1_2010'],
  async run(context, signal) {
    await scheduleOpt(context, signal, { optType: 'optIn', availability: windows(['PT2H', 'PT1H']) });
  },
};

export const P1_2015_VEN: VenCase = {
  id: 'P1_2015_TH_VTN',
  title: 'An open-ended opt-out schedule carries duration 0',
  ...operated,
  checks: ['CHECKLIST 5 (open-ended availability: duration 0)', 'TH P1_2015'],
  async run(context, signal) {
    await scheduleOpt(context, signal, { optType: 'optOut', availability: windows(['PT0S']) });
  },
};

export const P1_2020_VEN: VenCase = {
  id: 'P1_2020_TH_VTN',
  title: 'An opt schedule, then its cancellation naming the same optID',
  ...operated,
  checks: ['CHECKLIST 1.1 (oadrCancelOpt)', 'TH P1_2020'],
  async run(context, signal) {
    const opt = await scheduleOpt(context, signal, { optType: 'optOut', availability: windows(['PT1H']) });
    await cancelOpt(context, signal, opt.optID);
  },
};

export const P1_2030_VEN: VenCase = {
  id: 'P1_2030_TH_VTN',
  title: 'An opt schedule for named resources targets them',
  ...operated,
  checks: ['CHECKLIST 5 (eiTarget: resources)', 'TH P1_2030'],
  async run(context, signal) {
    await scheduleOpt(context, signal, { optType: 'optOut', availability: windows(['PT1H', 'PT30M']), resourceIDs: ['th-resource-1'] });
  },
};

export const P1_2040_VEN: VenCase = {
  id: 'P1_2040_TH_VTN',
  title: 'An opt schedule re-sent under its optID replaces it, then is cancelled',
  ...operated,
  checks: ['CHECKLIST 5 (the same optID replaces the schedule)', 'TH P1_2040'],
  async run(context, signal) {
    const first = await scheduleOpt(context, signal, { optType: 'optOut', availability: windows(['PT1H']) });
    await scheduleOpt(context, signal, { optType: 'optOut', availability: windows(['PT2H']), optID: first.optID });
    await cancelOpt(context, signal, first.optID);
  },
};

/** The opt cases in the order a session runs them. */
export const VEN_OPT_CASES: readonly VenCase[] = [P1_2010_VEN, P1_2015_VEN, P1_2020_VEN, P1_2030_VEN, P1_2040_VEN];
