import fc from 'fast-check';
import { decodePayload, encodePayload, MESSAGE_NODES, MESSAGE_TYPES, type MessageType, type OadrMessage } from '../src/index.js';
import { messageArbitrary, nodeArbitrary } from './arbitraries.js';
import { EXAMPLES } from '../src/examples.js';

describe('decode(encode(x)) equals x', () => {
  test.each(MESSAGE_TYPES)('realistic %s', (type) => {
    const message = { type, body: EXAMPLES[type] } as OadrMessage;
    const decoded = decodePayload(encodePayload(message, { signedObjectId: 'obj-1' }));
    expect(decoded.message).toEqual(message);
    expect(decoded.signedObjectId).toBe('obj-1');
    expect(decoded.signed).toBe(false);
  });

  test('generated payloads of every message type', () => {
    fc.assert(
      fc.property(messageArbitrary, (message) => {
        expect(decodePayload(encodePayload(message)).message).toEqual(message);
      }),
      { numRuns: 400 },
    );
  });

  test.each(['oadrDistributeEvent', 'oadrUpdateReport', 'oadrCreatedPartyRegistration'] as MessageType[])(
    'generated %s (the deepest messages)',
    (type) => {
      fc.assert(
        fc.property(nodeArbitrary(MESSAGE_NODES[type]), (body) => {
          const message = { type, body } as OadrMessage;
          expect(decodePayload(encodePayload(message)).message).toEqual(message);
        }),
        { numRuns: 150 },
      );
    },
  );
});

describe('decoding is by namespace, not by prefix', () => {
  test('a payload using other prefixes and a default namespace decodes the same', () => {
    const message = { type: 'oadrCreateOpt', body: EXAMPLES.oadrCreateOpt } as OadrMessage;
    const xml = encodePayload(message);
    const renamed = xml
      .replace(/(<\/?|\s)oadr:/g, '$1ns2:')
      .replace(/xmlns:oadr=/, 'xmlns:ns2=')
      .replace(/(<\/?)ei:/g, '$1')
      .replace(/ ei:schemaVersion/g, ' ns7:schemaVersion')
      .replace(/xmlns:ei="([^"]+)"/, 'xmlns="$1" xmlns:ns7="$1"');
    expect(renamed).toContain('<ns2:oadrCreateOpt');
    expect(renamed).toContain('<optID>');
    expect(decodePayload(renamed).message).toEqual(message);
  });

  test('namespace declarations on inner elements are honoured', () => {
    const xml =
      '<p:oadrPayload xmlns:p="http://openadr.org/oadr-2.0b/2012/07"><p:oadrSignedObject p:Id="x1">' +
      '<p:oadrPoll xmlns:q="http://docs.oasis-open.org/ns/energyinterop/201110"><q:venID>ven-9</q:venID></p:oadrPoll>' +
      '</p:oadrSignedObject></p:oadrPayload>';
    const decoded = decodePayload(xml);
    expect(decoded.message).toEqual({ type: 'oadrPoll', body: { venID: 'ven-9' } });
    expect(decoded.signedObjectId).toBe('x1');
  });

  test('escaped text and character references decode to the characters', () => {
    const xml = encodePayload({ type: 'oadrPoll', body: { venID: 'a&b<c>' } }).replace('a&amp;b', '&#97;&amp;&#x62;');
    expect(decodePayload(xml).message).toEqual({ type: 'oadrPoll', body: { venID: 'a&b<c>' } });
  });
});
