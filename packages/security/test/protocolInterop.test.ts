import { decodePayload, encodePayload } from '@oadr-kit/protocol';
import { EXAMPLES } from '@oadr-kit/protocol/examples';
import { PayloadSigner, PayloadVerifier } from '../src/index.js';
import { caBundle, devCa, endEntity } from './helpers/pki.js';

describe('signatures over what @oadr-kit/protocol encodes', () => {
  const pair = endEntity('ven', 'ec-p256');
  const signer = new PayloadSigner({ keyPem: pair.keyPem, certificatePem: pair.certificatePem + devCa('ec-p256').intermediate.certificatePem });

  test.each(['oadrDistributeEvent', 'oadrUpdateReport', 'oadrCreatePartyRegistration'] as const)('%s: signed, verified, and still decodes', (type) => {
    const xml = encodePayload({ type, body: EXAMPLES[type] } as Parameters<typeof encodePayload>[0]);
    const signed = signer.sign(xml);
    expect(new PayloadVerifier({ trusted: caBundle() }).verify(signed).signed).toBe(true);
    const decoded = decodePayload(signed);
    expect(decoded).toMatchObject({ signed: true, signedObjectId: 'oadrSignedObject' });
    expect(decoded.message).toEqual(decodePayload(xml).message);
  });

  test('a payload encoded with its own signedObjectId keeps it', () => {
    const xml = encodePayload({ type: 'oadrPoll', body: EXAMPLES.oadrPoll }, { signedObjectId: 'poll-17' });
    const signed = signer.sign(xml);
    expect(signed).toContain('<ds:Reference URI="#poll-17">');
    expect(new PayloadVerifier({ trusted: caBundle() }).verify(signed).signed).toBe(true);
  });
});
