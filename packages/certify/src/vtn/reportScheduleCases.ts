/**
 * Report cases against a VTN about when and over what period a report runs: a delayed start, a wait
 * of one reportBackDuration, two requests started apart, and history over a past interval (all of
 * it or some of its points). The operator asks; the harness VEN checks the request carries exactly
 * that, accepts it and delivers at the times it implies.
 */
import { type CertificationCase } from '../CertificationCase.js';
import { needsOperator } from './operatorPrompt.js';
import { accept, dataReport, deliver, prepare, requested, sleep } from './reportExchange.js';
import type { VtnUnderTest } from './VtnUnderTest.js';

type VtnCase = CertificationCase<VtnUnderTest>;
const pull = { role: 'vtn', model: 'pull' } as const;
const report = { ...pull, unavailable: needsOperator };

export const R1_3025: VtnCase = {
  id: 'R1_3025_TH_VEN',
  title: 'A TELEMETRY_STATUS request starting 2 s from now carries that start; the first report after it is accepted',
  ...report,
  checks: ['CHECKLIST 4.3 (reportInterval dtstart)', 'TH R0_8025'],
  async run(context, signal) {
    const { status } = await prepare(context.ven);
    const start = Math.ceil((Date.now() + 2_000) / 1_000) * 1_000;
    const { create, request } = await requested(context, { specifier: status, granularity: 'PT1S', reportBackDuration: 'PT1S', intervalDuration: 'PT2S', intervalStart: start }, signal);
    await accept(context.ven, create, [request.reportRequestID]);
    await sleep(Math.max(0, start + 1_000 - Date.now()));
    await deliver(context.ven, dataReport(request, status, start, 1));
  },
};

export const R1_3027: VtnCase = {
  id: 'R1_3027_TH_VEN',
  title: 'A periodic request reporting back every PT3S: after one reportBackDuration, three samples are accepted',
  ...report,
  checks: ['CHECKLIST 4.4 (reportBackDuration)', 'TH R0_8027'],
  async run(context, signal) {
    const { usage } = await prepare(context.ven);
    const { create, request } = await requested(context, { specifier: usage, granularity: 'PT1S', reportBackDuration: 'PT3S', intervalDuration: 'PT3S' }, signal);
    await accept(context.ven, create, [request.reportRequestID]);
    const start = Date.now();
    await sleep(3_000);
    await deliver(context.ven, dataReport(request, usage, start, 3));
  },
};

export const R1_3030: VtnCase = {
  id: 'R1_3030_TH_VEN',
  title: 'Two TELEMETRY_STATUS requests, one now and one 2 s later, each with its own reportRequestID: each delivery is accepted',
  ...report,
  checks: ['CHECKLIST 4.3 (one reportRequestID per request)', 'TH R0_8030'],
  async run(context, signal) {
    const { ven } = context;
    const { status } = await prepare(ven);
    const now = Date.now();
    const first = await requested(context, { specifier: status, granularity: 'PT1S', reportBackDuration: 'PT1S', intervalDuration: 'PT3S', intervalStart: now }, signal);
    await accept(ven, first.create, [first.request.reportRequestID]);
    const second = await requested(context, { specifier: status, granularity: 'PT1S', reportBackDuration: 'PT1S', intervalDuration: 'PT3S', intervalStart: now + 2_000 }, signal);
    await accept(ven, second.create, [first.request.reportRequestID, second.request.reportRequestID]);
    await sleep(Math.max(0, now + 1_000 - Date.now()));
    await deliver(ven, dataReport(first.request, status, now, 1));
    await sleep(Math.max(0, now + 3_000 - Date.now()));
    await deliver(ven, dataReport(second.request, status, now + 2_000, 1));
    await deliver(ven, dataReport(first.request, status, now + 1_000, 2));
  },
};

function history(id: string, title: string, rIDs: readonly string[] | undefined, checks: string[]): VtnCase {
  return {
    id,
    title,
    ...report,
    checks,
    async run(context, signal) {
      const { history } = await prepare(context.ven);
      const start = Math.floor((Date.now() - 30 * 60_000) / 60_000) * 60_000;
      const { create, request } = await requested(
        context,
        { specifier: history, granularity: 'PT15M', reportBackDuration: 'PT0S', intervalDuration: 'PT30M', intervalStart: start, ...(rIDs === undefined ? {} : { rIDs }) },
        signal,
      );
      await accept(context.ven, create, []);
      await deliver(context.ven, dataReport(request, history, start, 2));
    },
  };
}

export const R1_3130 = history('R1_3130_TH_VEN', 'HISTORY_USAGE of the last 30 min, every point (power and energy), in 15 min intervals: the report is accepted', undefined, [
  'CHECKLIST 4.1 (HISTORY_USAGE)',
  'TH R0_8130',
]);

export const R1_3140 = history('R1_3140_TH_VEN', 'HISTORY_USAGE of the last 30 min, energy only: the request asks for that point alone, the report is accepted', ['energy'], [
  'CHECKLIST 4.3 (specifierPayload: the requested rIDs)',
  'TH R0_8140',
]);

/** The schedule cases in the order a session runs them. */
export const VTN_REPORT_SCHEDULE_CASES: readonly VtnCase[] = [R1_3025, R1_3027, R1_3030, R1_3130, R1_3140];
