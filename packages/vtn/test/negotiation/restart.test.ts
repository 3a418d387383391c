import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodePayload, encodePayload, formatDateTime, type OadrMessage } from '@oadr-kit/protocol';
import { Agent, request } from 'undici';
import { killChildVtn, startChildVtn, type ChildVtn } from '../helpers/childVtn.js';
import { PREFIX } from '../helpers/harness.js';
import { projectionMetadata } from '../helpers/projectionMetadata.js';

const TOKEN = 'test-token-0123456789';

describe('a VTN killed during a negotiation', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vtn-negotiation-kill-'));
  const agent = new Agent({ connections: 4 });
  afterAll(async () => {
    await agent.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function post(child: ChildVtn, service: string, message: OadrMessage): Promise<OadrMessage | undefined> {
    const response = await request(`${child.url}${PREFIX}/${service}`, { method: 'POST', body: encodePayload(message), headers: { 'content-type': 'application/xml' }, dispatcher: agent });
    const text = await response.body.text();
    return text === '' ? undefined : decodePayload(text).message;
  }

  async function admin(child: ChildVtn, method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
    const response = await request(`${child.adminUrl}${path}`, {
      method: method as 'POST',
      dispatcher: agent,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.statusCode, json: (await response.body.json()) as Record<string, unknown> };
  }

  test('restarts with the session interrupted and its events cancelled, so no unagreed round stands as a schedule', async () => {
    const db = join(dir, 'vtn.db');
    const first = await startChildVtn(db);
    let venID = '';
    try {
      const created = await post(first, 'EiRegisterParty', {
        type: 'oadrCreatePartyRegistration',
        body: { requestID: 'r1', oadrProfileName: '2.0b', oadrTransportName: 'simpleHttp', oadrReportOnly: false, oadrXmlSignature: false, oadrHttpPullModel: true },
      });
      venID = created?.type === 'oadrCreatedPartyRegistration' ? (created.body.venID ?? '') : '';
      await post(first, 'EiReport', { type: 'oadrRegisterReport', body: { requestID: 'rr1', venID, oadrReport: [projectionMetadata(formatDateTime(Date.now()))] } });
      expect((await admin(first, 'POST', '/admin/v1/programs', { programID: 'community', name: 'Community', marketContext: 'http://market.example.com/community' })).status).toBe(201);
      const start = formatDateTime(Math.floor(Date.now() / 3_600_000 + 2) * 3_600_000);
      const session = await admin(first, 'POST', '/admin/v1/negotiations', {
        programID: 'community',
        start,
        slots: 4,
        slotMinutes: 60,
        venIDs: [venID],
        grid: { importPrice: 0.3, exportPrice: 0.05, importLimitKw: 10, exportLimitKw: 10 },
        roundDeadlineMs: 600_000,
      });
      expect(session.status).toBe(201);
      const eventPath = `/admin/v1/events/${encodeURIComponent(`${String(session.json.sessionID)}.${venID}`)}`;
      // Round 0 is out (its event stored) and waits for a VEN that never answers.
      for (let i = 0; i < 100 && (await admin(first, 'GET', eventPath)).status !== 200; i++) await new Promise((resolve) => setTimeout(resolve, 20));
      expect((await admin(first, 'GET', eventPath)).json).toMatchObject({ modificationNumber: 0, status: 'far' });
      await killChildVtn(first);

      const second = await startChildVtn(db);
      try {
        expect((await admin(second, 'GET', `/admin/v1/negotiations/${String(session.json.sessionID)}`)).json).toMatchObject({
          status: 'interrupted',
          reason: 'the VTN restarted during the negotiation',
        });
        expect((await admin(second, 'GET', eventPath)).json).toMatchObject({ modificationNumber: 1, status: 'cancelled' });
      } finally {
        await killChildVtn(second);
      }
    } finally {
      await killChildVtn(first);
    }
  }, 60_000);
});
