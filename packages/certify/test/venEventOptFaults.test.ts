import { VEN_PULL_CASES } from '../src/index.js';
import { failingVenCases } from './brokenVen.js';
import type { RequestFault } from './faultyProxy.js';

/** Rewrites one kind of message the VEN sends, and only when it carries `marker`. */
function rewrite(type: string, marker: RegExp, change: (body: string) => string): RequestFault {
  return (_service, body) => (body.includes(`<oadr:${type}`) && marker.test(body) ? change(body) : body);
}

describe('the VEN event, registration and opt cases catch a broken VEN', () => {
  const failing = (requestFault: RequestFault, select: string[]): Promise<string[]> => failingVenCases({ cases: VEN_PULL_CASES, requestFault, select });

  test('a VEN that takes an older modification of a held event fails A_E1_0392 only', async () => {
    const takeOld = rewrite('oadrCreatedEvent', /<ei:responseCode>450</, (body) => body.replace(/<ei:responseCode>450</g, '<ei:responseCode>200<'));
    expect(await failing(takeOld, ['E1_*', 'A_E1_*'])).toEqual(['A_E1_0392_TH_VTN: modification 1 of an event held at modification 2 was answered 200, expected 450']);
  });

  test('a VEN that ignores eiTarget and opts in to another VEN\'s event fails A_E1_0300 only', async () => {
    const ignoreTarget = rewrite('oadrCreatedEvent', /<ei:responseCode>462</, (body) => body.replace(/<ei:responseCode>462</g, '<ei:responseCode>200<').replace(/optOut/g, 'optIn'));
    expect(await failing(ignoreTarget, ['E1_*', 'A_E1_*'])).toEqual(['A_E1_0300_TH_VTN: an event for another VEN was accepted (200, optIn)']);
  });

  test('a VEN that takes events from a vtnID in another letter case fails E1_1080 only', async () => {
    const trustSwapped = rewrite('oadrCreatedEvent', /<ei:responseCode>452</, (body) => body.replace(/<ei:responseCode>452</g, '<ei:responseCode>200<'));
    const failures = await failing(trustSwapped, ['E1_*', 'A_E1_*']);
    expect(failures.map((f) => f.split(':')[0])).toEqual(['E1_1080_TH_VTN']);
  });

  test('a VEN that opts in where its operator opted out fails E1_1060 only', async () => {
    const optIn = rewrite('oadrCreateOpt', /<ei:qualifiedEventID>/, (body) => body.replace(/optOut/g, 'optIn'));
    expect(await failing(optIn, ['E1_*', 'P1_*'])).toEqual(['E1_1060_TH_VTN: oadrCreateOpt has optType optIn, the operator opted out']);
  });

  test('a VEN that cancels another optID than its own fails the opt cases that cancel', async () => {
    const wrongOpt = rewrite('oadrCancelOpt', /./, (body) => body.replace(/<ei:optID>[^<]*<\/ei:optID>/, '<ei:optID>th-not-this-opt</ei:optID>'));
    const failures = await failing(wrongOpt, ['E1_*', 'P1_*']);
    expect(failures.map((f) => f.split(':')[0])).toEqual(['P1_2020_TH_VTN', 'P1_2040_TH_VTN']);
    expect(failures[0]).toMatch(/oadrCancelOpt names optID "th-not-this-opt"/);
  });

  test('a VEN that accepts a cancellation of a registration that is not its own fails N1_0070 only', async () => {
    const accept = rewrite('oadrCanceledPartyRegistration', /<ei:responseCode>452</, (body) => body.replace(/<ei:responseCode>452</, '<ei:responseCode>200<'));
    expect(await failing(accept, ['N1_*'])).toEqual(['N1_0070_TH_VTN: oadrCanceledPartyRegistration: responseCode 200, expected 452']);
  });

  test('a VEN that re-registers without its registrationID fails N1_0065 only', async () => {
    const forget = rewrite('oadrCreatePartyRegistration', /<ei:registrationID>/, (body) => body.replace(/<ei:registrationID>[^<]*<\/ei:registrationID>/, ''));
    const failures = await failing(forget, ['N1_*']);
    expect(failures).toEqual([expect.stringMatching(/^N1_0065_TH_VTN: the VEN re-registered as venID "\S+" registrationID "", expected "\S+" and "reg-\d+"$/)]);
  });

  test('a VEN that goes on polling once its registration has ended fails N1_0040 and N1_0030 only', async () => {
    const failures = await failingVenCases({ cases: VEN_PULL_CASES, strayPolls: true, select: ['N1_*'] });
    expect(failures).toEqual([
      'N1_0040_TH_VTN: after its registration was cancelled the VEN sent oadrPoll without registering again',
      'N1_0030_TH_VTN: the VEN still polls after cancelling its registration',
    ]);
  });
});
