import { choosePollAnswer, eventTargetFor, targetsVen, type OutboxMessage } from '../../src/index.js';

const ven = { venID: 'v1', groupIDs: ['g1'], resourceIDs: ['r1'], partyIDs: ['p1'] };

describe('targetsVen (rule 22)', () => {
  it.each([
    [{}, true],
    [{ venID: ['v1'] }, true],
    [{ venID: ['v2'] }, false],
    [{ groupID: ['g1'] }, true],
    [{ resourceID: ['r2'] }, false],
    [{ partyID: ['p1'], venID: ['v9'] }, true],
    [{ venID: [] as string[] }, true],
    [{ endDeviceAsset: ['Thermostat'] }, true],
    [{ groupID: ['g9'], endDeviceAsset: ['Thermostat'] }, false],
  ])('%j reaches the VEN: %s', (target, expected) => {
    expect(targetsVen(target, ven)).toBe(expected);
  });

  it('shows each VEN only its own venID', () => {
    expect(eventTargetFor({ venID: ['a', 'b'], resourceID: ['r'] }, 'a')).toEqual({ venID: ['a'], resourceID: ['r'] });
    expect(eventTargetFor({ venID: ['a'], groupID: ['g'] }, 'b')).toEqual({ groupID: ['g'] });
    expect(eventTargetFor({ groupID: ['g'] }, 'b')).toEqual({ groupID: ['g'] });
  });
});

describe('choosePollAnswer', () => {
  const message = (id: number, kind: OutboxMessage['kind']): OutboxMessage =>
    ({ id, venID: 'v', kind, requestID: `r${id}`, body: {}, status: 'queued', createdAt: 0, sentAt: undefined }) as unknown as OutboxMessage;

  it('answers registration changes first, then events, then other queued messages oldest first', () => {
    const queue = [message(1, 'oadrCreateReport'), message(2, 'oadrRequestReregistration'), message(3, 'oadrRegisterReport')];
    expect(choosePollAnswer(queue, true)).toEqual({ kind: 'outbox', message: queue[1] });
    expect(choosePollAnswer([queue[0]!, queue[2]!], true)).toEqual({ kind: 'events' });
    expect(choosePollAnswer([queue[2]!, queue[0]!], false)).toEqual({ kind: 'outbox', message: queue[0] });
    expect(choosePollAnswer([], false)).toEqual({ kind: 'none' });
  });
});
