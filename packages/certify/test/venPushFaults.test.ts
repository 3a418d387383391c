import { VEN_PUSH_CASES } from '../src/index.js';
import { encodePayload } from '@oadr-kit/protocol';
import { failingVenCases } from './brokenVen.js';
import type { Fault } from './faultyProxy.js';

describe('the VEN push suite catches a push VEN that polls', () => {
  // Cases of several kinds that last a few rounds, so a poll every 100 ms falls inside each.
  const select = ['N0_5070_TH_VTN', 'E0_6010_TH_VTN', 'A_E0_0468_TH_VTN', 'A_E0_0290_TH_VTN', 'N0_5040_TH_VTN'];

  test('a push VEN that polls fails every case, and A_E0_0290 is skipped as it was not configured to', async () => {
    const failures = await failingVenCases({ cases: VEN_PUSH_CASES, model: 'push', strayPolls: true, select });
    expect(failures).toEqual([
      ...['N0_5070_TH_VTN', 'E0_6010_TH_VTN', 'A_E0_0468_TH_VTN'].map((id) => `${id}: a VEN registered for push sent oadrPoll (CHECKLIST 2.1, TH Poll_PUSH)`),
      'A_E0_0290_TH_VTN: the VEN is not configured to poll in push mode (HarnessVtn pushVenPolls)',
      'N0_5040_TH_VTN: a VEN registered for push sent oadrPoll (CHECKLIST 2.1, TH Poll_PUSH)',
    ]);
  });

  test('configured to poll as well, the same VEN passes them all, A_E0_0290 included', async () => {
    expect(await failingVenCases({ cases: VEN_PUSH_CASES, model: 'push', strayPolls: true, pushVenPolls: true, select })).toEqual([]);
  });

  test('a push VEN that answers a pushed oadrDistributeEvent with a payload, not an empty 200, fails the cases that push events', async () => {
    const answerDistribute: Fault = (service, answer) =>
      service.endsWith('/EiEvent') && answer.body === ''
        ? { contentType: 'application/xml', body: encodePayload({ type: 'oadrResponse', body: { eiResponse: { responseCode: '200', requestID: '' } } }) }
        : answer;
    const failures = await failingVenCases({ cases: VEN_PUSH_CASES, model: 'push', pushFault: answerDistribute, select: ['N0_5065_TH_VTN', 'E0_6010_TH_VTN', 'E0_6020_TH_VTN', 'R0_8010_TH_VTN'] });
    const sentBody = 'push of oadrDistributeEvent: a pushed oadrDistributeEvent is answered with an empty 200, the VEN sent a body';
    expect(failures).toEqual([`E0_6010_TH_VTN: ${sentBody}`, `E0_6020_TH_VTN: ${sentBody}`]);
  });
});
