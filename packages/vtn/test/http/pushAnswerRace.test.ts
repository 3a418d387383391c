import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodePayload } from '@oadr-kit/protocol';
import { expectType, simpleEvent, startHarness, type Harness } from '../helpers/harness.js';

/**
 * A push VEN answers each pushed oadrDistributeEvent with oadrCreatedEvent before it answers the push
 * itself: the VTN has not recorded that distribute yet, and must still take the answer, also for an
 * event it had delivered in an earlier push (the certification harness's E0_6040 and A_E2_0510).
 */
describe('a push VEN that answers a distribute before the push is over', () => {
  let h: Harness;
  let server: Server;
  const codes: string[] = [];

  beforeEach(async () => {
    h = await startHarness({ push: { initialBackoffMs: 5, maxBackoffMs: 20, maxAttempts: 2, sweepIntervalMs: 60_000 } });
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const message = decodePayload(Buffer.concat(chunks)).message;
        if (message.type !== 'oadrDistributeEvent') {
          res.writeHead(200).end();
          return;
        }
        const distribute = message.body;
        const eventResponses = (distribute.oadrEvent ?? []).map((e) => ({
          responseCode: '200',
          requestID: distribute.requestID,
          qualifiedEventID: { eventID: e.eiEvent.eventDescriptor.eventID, modificationNumber: e.eiEvent.eventDescriptor.modificationNumber },
          optType: 'optIn' as const,
        }));
        void h
          .post('EiEvent', { type: 'oadrCreatedEvent', body: { eiCreatedEvent: { eiResponse: { responseCode: '200', requestID: '' }, eventResponses, venID: venIDOf() } } })
          .then((answer) => {
            codes.push(expectType(answer.message, 'oadrResponse').eiResponse.responseCode);
            res.writeHead(200).end();
          });
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
  });

  afterEach(async () => {
    server.closeAllConnections();
    server.close();
    await h.close();
  });

  let venID = '';
  const venIDOf = (): string => venID;

  it('takes the answer to each distribute, naming its requestID, for new and already delivered events alike', async () => {
    ({ venID } = await h.register({ oadrHttpPullModel: false, oadrTransportAddress: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }));
    await h.vtn.app.pusher.idle();
    await h.admin('POST', '/admin/v1/events', simpleEvent({ eventID: 'first', target: { venID: [venID] } }));
    await h.vtn.app.pusher.idle();
    await h.admin('POST', '/admin/v1/events', simpleEvent({ eventID: 'second', target: { venID: [venID] }, activePeriod: { dtstart: '2026-11-27T15:00:00Z', duration: 'PT1H' } }));
    await h.vtn.app.pusher.idle();
    expect(codes).toEqual(['200', '200']);
  });
});
