import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodePayload, encodePayload, type MessageBody, type MessageType, type OadrMessage, type ServiceName } from '@oadr-kit/protocol';
import pino from 'pino';
import { Agent, request } from 'undici';
import { startVtn, type RunningVtn, type VtnOptions } from '../../src/index.js';

export const T0 = Date.UTC(2026, 10, 27, 12, 0, 0);
export const PREFIX = '/OpenADR2/Simple/2.0b';

export interface Answer {
  status: number;
  text: string;
  message: OadrMessage | undefined;
}

export interface Harness {
  vtn: RunningVtn;
  clock: { now: number };
  dir: string;
  post(service: ServiceName, message: OadrMessage): Promise<Answer>;
  raw(path: string, init: { method?: string; body?: string | Buffer; headers?: Record<string, string> }): Promise<Answer>;
  admin(method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; json: unknown }>;
  /** Registers a pull VEN (or push with transportAddress) and returns its venID and registrationID. */
  register(extra?: Partial<MessageBody<'oadrCreatePartyRegistration'>>): Promise<{ venID: string; registrationID: string }>;
  /** Polls until the VTN answers a plain oadrResponse, returning what came before. */
  drain(venID: string): Promise<OadrMessage[]>;
  close(): Promise<void>;
}

/** A VTN on 127.0.0.1 port 0 over plain HTTP with a SQLite file in a temporary directory and a fixed clock. */
export async function startHarness(options: VtnOptions = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'vtn-test-'));
  const clock = { now: T0 };
  const vtn = await startVtn({
    listen: { host: '127.0.0.1', port: 0 },
    admin: { host: '127.0.0.1', port: 0, token: 'test-token-0123456789' },
    storage: { type: 'sqlite', path: join(dir, 'vtn.db') },
    logger: pino({ level: 'silent' }),
    clock: () => clock.now,
    processMetrics: false,
    ...options,
  });
  const agent = new Agent({ connections: 4 });
  const raw: Harness['raw'] = async (path, init) => {
    const response = await request(`${vtn.url}${path}`, { method: (init.method ?? 'POST') as 'POST', body: init.body, headers: init.headers, dispatcher: agent });
    const text = await response.body.text();
    let message: OadrMessage | undefined;
    if (response.headers['content-type']?.toString().startsWith('application/xml') && text !== '') message = decodePayload(text).message;
    return { status: response.statusCode, text, message };
  };
  const post: Harness['post'] = (service, message) =>
    raw(`${PREFIX}/${service}`, { body: encodePayload(message), headers: { 'content-type': 'application/xml' } });
  const harness: Harness = {
    vtn,
    clock,
    dir,
    post,
    raw,
    async admin(method, path, body, token = 'test-token-0123456789') {
      const response = await request(`${vtn.adminUrl}${path}`, {
        method: method as 'GET',
        dispatcher: agent,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
      });
      const text = await response.body.text();
      return { status: response.statusCode, json: text === '' ? undefined : (JSON.parse(text) as unknown) };
    },
    async register(extra = {}) {
      const answer = await post('EiRegisterParty', {
        type: 'oadrCreatePartyRegistration',
        body: { requestID: 'reg-1', oadrProfileName: '2.0b', oadrTransportName: 'simpleHttp', oadrReportOnly: false, oadrXmlSignature: false, oadrHttpPullModel: true, ...extra },
      });
      const m = expectType(answer.message, 'oadrCreatedPartyRegistration');
      if (m.eiResponse.responseCode !== '200') throw new Error(`registration refused: ${JSON.stringify(m.eiResponse)}`);
      return { venID: m.venID ?? '', registrationID: m.registrationID ?? '' };
    },
    async drain(venID) {
      const seen: OadrMessage[] = [];
      for (let i = 0; i < 20; i++) {
        const answer = await post('OadrPoll', { type: 'oadrPoll', body: { venID } });
        if (answer.message === undefined) throw new Error(`poll answered ${answer.status} ${answer.text}`);
        if (answer.message.type === 'oadrResponse') return seen;
        seen.push(answer.message);
      }
      throw new Error('the poll queue never emptied');
    },
    async close() {
      await agent.close();
      await vtn.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return harness;
}

/** Narrows a decoded message to one type, failing the test with what came instead. */
export function expectType<K extends MessageType>(message: OadrMessage | undefined, type: K): MessageBody<K> {
  if (message?.type !== type) throw new Error(`expected ${type}, got ${message === undefined ? 'no payload' : `${message.type} ${JSON.stringify(message.body)}`}`);
  return message.body as MessageBody<K>;
}

/** A one-hour SIMPLE event starting an hour after T0, as the admin API takes it. */
export function simpleEvent(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    marketContext: 'http://market.example.com/dr',
    activePeriod: { dtstart: '2026-11-27T13:00:00Z', duration: 'PT1H' },
    signals: [{ signalName: 'SIMPLE', signalType: 'level', signalID: 'simple', intervals: [{ duration: 'PT1H', uid: '0', signalPayload: 2 }] }],
    ...extra,
  };
}
