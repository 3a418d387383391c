import { encodePayload, SERVICE_PATH_PREFIX, type OadrMessage } from '@oadr-kit/protocol';
import { createTlsClientOptions } from '@oadr-kit/security';
import { Agent, request } from 'undici';
import { CaseFailure, PushListener } from '../src/index.js';
import { testPki } from './pki.js';

describe('the harness VEN\'s push listener holds every push to the rules', () => {
  const pki = testPki();
  let listener: PushListener;
  let url: string;
  let vtn: Agent;

  beforeAll(async () => {
    listener = new PushListener({ credentials: pki.vtnCredentials, ca: pki.ca });
    url = await listener.start();
    vtn = new Agent({ connect: createTlsClientOptions({ credentials: [pki.vtnCredentials[1]!], ca: pki.ca, servername: 'localhost' }) });
  });

  afterAll(async () => {
    await vtn.close();
    await listener.close();
  });

  const distribute = (requestID: string): OadrMessage => ({ type: 'oadrDistributeEvent', body: { requestID, vtnID: 'vtn-1' } });
  const push = async (service: string, body: string, contentType = 'application/xml') => {
    const response = await request(`${url}${SERVICE_PATH_PREFIX}/${service}`, { method: 'POST', body, headers: { 'content-type': contentType }, dispatcher: vtn });
    return { status: response.statusCode, body: await response.body.text() };
  };
  const failure = async (): Promise<string> => {
    try {
      await listener.next(1_000);
    } catch (error) {
      if (error instanceof CaseFailure) return error.message;
      throw error;
    }
    return 'no failure';
  };

  test('a distribute to EiEvent is answered with an empty 200 and handed to the case', async () => {
    const answered = await push('EiEvent', encodePayload(distribute('d-1')));
    expect(answered).toEqual({ status: 200, body: '' });
    expect(await listener.next(1_000)).toMatchObject({ type: 'oadrDistributeEvent', body: { requestID: 'd-1' } });
  });

  test('a request waits for the case to reply, and the reply is the HTTP answer', async () => {
    const pending = push('EiReport', encodePayload({ type: 'oadrCancelReport', body: { requestID: 'c-1', reportRequestID: ['r-1'], reportToFollow: false, venID: 'ven-1' } }));
    expect(await listener.next(1_000)).toMatchObject({ type: 'oadrCancelReport' });
    listener.reply({ type: 'oadrCanceledReport', body: { eiResponse: { responseCode: '200', requestID: 'c-1' }, oadrPendingReports: [], venID: 'ven-1' } });
    const answered = await pending;
    expect(answered.status).toBe(200);
    expect(answered.body).toContain('oadrCanceledReport');
  });

  test.each([
    ['a push to the wrong service', () => push('EiReport', encodePayload(distribute('d-2'))), /pushed oadrDistributeEvent to \/OpenADR2\/Simple\/2\.0b\/EiReport, expected \/OpenADR2\/Simple\/2\.0b\/EiEvent/],
    ['text/plain', () => push('EiEvent', encodePayload(distribute('d-3')), 'text/plain'), /Content-Type "text\/plain", expected application\/xml \(rule 53\)/],
    ['a payload the schema refuses', () => push('EiEvent', '<oadrPayload/>'), /pushed an invalid payload/],
    ['an empty requestID', () => push('EiEvent', encodePayload(distribute(''))), /pushed oadrDistributeEvent breaks rule-41/],
  ])('%s fails the case that takes it', async (_what, send, reason) => {
    expect((await send()).status).toBe(200);
    expect(await failure()).toMatch(reason);
  });
});
