import { CaseFailure } from '../CertificationCase.js';
import type { AskedReport, DescribedEvent, OperatorAction, VtnUnderTest } from './VtnUnderTest.js';

/** Cases that only the VTN's operator can start are skipped, with this reason, when nobody operates it. */
export const needsOperator = ({ operator }: VtnUnderTest): string | undefined =>
  operator === undefined ? 'needs an operator to make the VTN act (VtnUnderTest.operator)' : undefined;

function describeEvent(event: DescribedEvent): string {
  const period = event.activePeriod;
  const extras = [
    period.tolerance?.startafter === undefined ? '' : `, startafter ${period.tolerance.startafter}`,
    period['x-eiRampUp'] === undefined ? '' : `, ramp-up ${period['x-eiRampUp']}`,
    event.priority === undefined ? '' : `, priority ${event.priority}`,
    event.responseRequired === 'never' ? ', response never required' : '',
  ].join('');
  const signals = event.signals.map((s) => {
    const unit = s.itemBase === undefined ? '' : ` in ${Object.keys(s.itemBase).join('')}`;
    return `${s.signalName}/${s.signalType}${unit} [${s.intervals.map((i) => `${i.duration ?? ''}=${i.signalPayload}`).join(' ')}]`;
  });
  const baseline = event.baseline === undefined ? '' : `; baseline ${event.baseline.baselineName} [${event.baseline.intervals.map((i) => `${i.duration ?? ''}=${i.signalPayload}`).join(' ')}]`;
  return `market context ${event.marketContext}, from ${period.dtstart} for ${period.duration}${extras}; signals ${signals.join(', ')}${baseline}`;
}

function describeReport(report: AskedReport): string {
  const interval =
    report.reportInterval === undefined ? 'no reportInterval (one-shot)' : `reportInterval from ${report.reportInterval.dtstart} for ${report.reportInterval.duration} (PT0S: until cancelled)`;
  const points = report.rIDs === undefined ? '' : ` (only ${report.rIDs.join(', ')})`;
  return `report ${report.reportSpecifierID}${points}: granularity ${report.granularity}, reportBackDuration ${report.reportBackDuration}, ${interval}`;
}

/** The request in words, for a person at the VTN's console. */
export function promptText(action: OperatorAction): string {
  switch (action.kind) {
    case 'cancelReport':
      return `cancel report request ${action.reportRequestID} of VEN ${action.venID}${action.reportToFollow ? ' with reportToFollow' : ''}`;
    case 'requestReport':
      return `request from VEN ${action.venID} ${describeReport(action)}`;
    case 'requestReports':
      return `request from VEN ${action.venID}, in one oadrCreateReport, ${action.requests.map(describeReport).join('; and ')}`;
    case 'createEvent':
      return `create an event for VEN ${action.venID}: ${describeEvent(action.event)}`;
    case 'modifyEvent':
      return `modify event ${action.eventID} of VEN ${action.venID} to: ${describeEvent(action.event)}`;
    case 'cancelEvent':
      return `cancel event ${action.eventID} of VEN ${action.venID}`;
    case 'cancelRegistration':
      return `cancel the registration of VEN ${action.venID}`;
    case 'requestReregistration':
      return `ask VEN ${action.venID} to register again`;
    case 'preallocateVen':
      return `provision a VEN with venID ${action.venID} for the certificate with fingerprint ${action.fingerprint}`;
    case 'requestOnRegistration':
      return `when VEN ${action.venID} registers its reports next, request report ${action.reportName} (reportSpecifierID ${action.reportSpecifierID}) on the oadrRegisteredReport answering it`;
  }
}

/** Asks the operator to make the VTN act, and returns once they say it is done. */
export async function ask(context: VtnUnderTest, action: OperatorAction): Promise<void> {
  if (context.operator === undefined) throw new CaseFailure('no operator to make the VTN act');
  await context.operator({ text: promptText(action), action });
}
