import { MESSAGE_TYPES, pushServiceOf, serviceOf, SERVICES } from '../src/index.js';

describe('the service each payload is posted to', () => {
  it('names one of the five services for every payload but oadrResponse, which answers in any', () => {
    for (const type of MESSAGE_TYPES.filter((t) => t !== 'oadrResponse')) expect(SERVICES).toContain(serviceOf(type));
    expect(serviceOf('oadrResponse')).toBeUndefined();
    expect([serviceOf('oadrPoll'), serviceOf('oadrCreatedOpt'), serviceOf('oadrRequestReregistration'), serviceOf('oadrUpdatedReport'), serviceOf('oadrCreatedEvent')]).toEqual([
      'OadrPoll',
      'EiOpt',
      'EiRegisterParty',
      'EiReport',
      'EiEvent',
    ]);
  });

  it('gives a push service only to what a VTN sends unasked', () => {
    const pushed = MESSAGE_TYPES.filter((t) => pushServiceOf(t) !== undefined);
    expect(pushed.sort()).toEqual(
      ['oadrCancelPartyRegistration', 'oadrCancelReport', 'oadrCreateReport', 'oadrDistributeEvent', 'oadrRegisterReport', 'oadrRequestReregistration', 'oadrUpdateReport'].sort(),
    );
    expect(pushServiceOf('oadrDistributeEvent')).toBe('EiEvent');
    expect(pushServiceOf('oadrCreatedReport')).toBeUndefined();
  });
});
