import fc from 'fast-check';
import { decodePayload, encodePayload, MESSAGE_TYPES, OadrProtocolError, type OadrMessage } from '../src/index.js';
import { EXAMPLES } from '../src/examples.js';

const documents = MESSAGE_TYPES.filter((t) => t !== 'oadrDistributeEvent' && t !== 'oadrUpdateReport').map((type) =>
  encodePayload({ type, body: EXAMPLES[type] } as OadrMessage),
);
const fragments = ['<', '>', '</', '/>', '&', '&amp;', '&#x0;', '"', "'", '<![CDATA[', ']]>', '<!--', 'xmlns:ei="urn:x"', ' ', 'ei:', '\u0000', '\uFFFF', '😀'];

const mutation = fc.record({
  doc: fc.nat(documents.length - 1),
  at: fc.nat(),
  remove: fc.nat(8),
  insert: fc.oneof(fc.constantFrom(...fragments), fc.string({ maxLength: 6 })),
});

describe('no input crashes the decoder', () => {
  test('randomly damaged payloads either decode or fail with an OadrProtocolError', () => {
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (mutations) => {
        let xml = documents[mutations[0]!.doc]!;
        for (const m of mutations) {
          const at = m.at % (xml.length + 1);
          xml = xml.slice(0, at) + m.insert + xml.slice(at + m.remove);
        }
        try {
          decodePayload(xml);
        } catch (error) {
          if (!(error instanceof OadrProtocolError)) throw error;
          expect(error.message.length).toBeGreaterThan(0);
          expect([400, 413]).toContain(error.httpStatus);
        }
      }),
      { numRuns: 3000 },
    );
  });

  test('arbitrary strings and bytes fail cleanly', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.uint8Array().map((b) => Buffer.from(b).toString('latin1'))), (text) => {
        expect(() => decodePayload(text)).toThrow(OadrProtocolError);
      }),
      { numRuns: 1000 },
    );
  });
});
