import { OadrError } from '@oadr-kit/protocol';
import type { SignatureHooks, VenRecord } from '../../src/index.js';
import { expectType, startHarness, type Harness } from '../helpers/harness.js';

describe('XML signature hooks', () => {
  let h: Harness;
  const verified: string[] = [];
  const hooks: SignatureHooks = {
    verify(decoded, ven: VenRecord) {
      verified.push(`${ven.venID}:${decoded.message.type}`);
      if (!decoded.xml.includes('<!--signed-->')) throw new OadrError('OADR_ERR_SEC_SIGNATURE_MISSING', 'no signature');
    },
    sign: (xml) => `${xml}<!--signed-->`,
  };

  beforeEach(async () => {
    verified.length = 0;
    h = await startHarness({ signatures: hooks });
  });

  afterEach(async () => {
    await h.close();
  });

  it('verifies requests of a VEN registered with oadrXmlSignature (463 when verification fails) and signs replies', async () => {
    const { venID } = await h.register({ oadrXmlSignature: true });
    const unsigned = await h.post('OadrPoll', { type: 'oadrPoll', body: { venID } });
    expect(expectType(unsigned.message, 'oadrResponse').eiResponse.responseCode).toBe('463');
    expect(unsigned.text.endsWith('<!--signed-->')).toBe(true);
    expect(verified).toEqual([`${venID}:oadrPoll`]);
  });

  it('leaves VENs without signatures alone', async () => {
    const { venID } = await h.register();
    const poll = await h.post('OadrPoll', { type: 'oadrPoll', body: { venID } });
    expect(expectType(poll.message, 'oadrRegisterReport')).toBeDefined();
    expect(verified).toEqual([]);
  });
});
