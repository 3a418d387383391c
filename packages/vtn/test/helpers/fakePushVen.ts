import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { decodePayload, encodePayload, type OadrMessage } from '@oadr-kit/protocol';

export interface Received {
  path: string;
  message: OadrMessage;
}

export interface FakePushVen {
  server: Server;
  url: string;
  received: Received[];
  /** How many of the next pushes are answered 503. */
  failNext: { count: number };
  close(): void;
}

/**
 * A push VEN: records what the VTN posts and answers as a 2.0b VEN does (or fails on demand). With
 * `replyDelayMs` it takes that long to answer, so a push stays in flight.
 */
export async function startFakePushVen(options: { replyDelayMs?: number } = {}): Promise<FakePushVen> {
  const received: Received[] = [];
  const failNext = { count: 0 };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        if (failNext.count > 0) {
          failNext.count--;
          res.writeHead(503).end();
          return;
        }
        const message = decodePayload(Buffer.concat(chunks)).message;
        received.push({ path: req.url ?? '', message });
        if (options.replyDelayMs !== undefined) await sleep(options.replyDelayMs);
        const reply = replyTo(message);
        // A pushed oadrDistributeEvent gets an empty 200 (CHECKLIST §2.1).
        if (reply === undefined) res.writeHead(200).end();
        else res.writeHead(200, { 'content-type': 'application/xml' }).end(encodePayload(reply));
      })();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    server,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    received,
    failNext,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

function replyTo(message: OadrMessage): OadrMessage | undefined {
  if (message.type === 'oadrRegisterReport') return { type: 'oadrRegisteredReport', body: { eiResponse: { responseCode: '200', requestID: message.body.requestID }, venID: message.body.venID ?? '' } };
  if (message.type === 'oadrUpdateReport') return { type: 'oadrUpdatedReport', body: { eiResponse: { responseCode: '200', requestID: message.body.requestID }, venID: message.body.venID ?? '' } };
  if (message.type === 'oadrCreateReport') {
    return { type: 'oadrCreatedReport', body: { eiResponse: { responseCode: '200', requestID: message.body.requestID }, oadrPendingReports: message.body.oadrReportRequest.map((r) => r.reportRequestID), venID: message.body.venID ?? '' } };
  }
  return undefined;
}
