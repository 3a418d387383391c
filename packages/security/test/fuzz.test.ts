import fc from 'fast-check';
import { PayloadSigner, PayloadVerifier, SecurityError } from '../src/index.js';
import { distributeEvent96 } from './helpers/distributeEvent.js';
import { caBundle, devCa, endEntity } from './helpers/pki.js';

describe('damaged signed payloads never escape as anything but SecurityError', () => {
  const pair = endEntity('ven', 'ec-p256');
  const signer = new PayloadSigner({ keyPem: pair.keyPem, certificatePem: pair.certificatePem + devCa('ec-p256').intermediate.certificatePem });
  const signed = signer.sign(distributeEvent96());
  const verifier = new PayloadVerifier({ trusted: caBundle(), nonces: { remember: () => true } });

  function outcome(xml: string | Uint8Array): 'verified' | 'refused' {
    try {
      verifier.verify(xml);
      return 'verified';
    } catch (error) {
      if (error instanceof SecurityError) return 'refused';
      throw error;
    }
  }

  test('edits anywhere', () => {
    const piece = fc.constantFrom('<', '>', '/', '&', '&amp;', '"', "'", '=', ' ', ':', '<!--', '-->', '<![CDATA[', ']]>', '<?', '?>', 'xmlns:a="u"', 'é', '\u0000', '<!DOCTYPE');
    fc.assert(
      fc.property(fc.nat(signed.length), fc.nat(40), fc.array(piece, { maxLength: 4 }), (at, cut, inserted) => {
        const damaged = signed.slice(0, at) + inserted.join('') + signed.slice(Math.min(signed.length, at + cut));
        const result = outcome(damaged);
        if (damaged === signed) expect(result).toBe('verified');
      }),
      { numRuns: 400 },
    );
  });

  test('truncations and arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.nat(signed.length), (length) => {
        outcome(signed.slice(0, length));
      }),
      { numRuns: 200 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        expect(outcome(bytes)).toBe('refused');
      }),
      { numRuns: 300 },
    );
  });
});
