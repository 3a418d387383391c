import { once } from 'node:events';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import {
  checkConformance,
  decodePayload,
  encodePayload,
  OadrProtocolError,
  pushServiceOf,
  SERVICE_PATH_PREFIX,
  type ConformanceFinding,
  type OadrMessage,
} from '@oadr-kit/protocol';
import { createTlsServerOptions, type TlsCredential } from '@oadr-kit/security';
import { CaseFailure } from './CertificationCase.js';

type Arrival = { readonly message: OadrMessage; readonly respond: (xml: string) => void } | { readonly failure: CaseFailure };

export interface PushListenerOptions {
  /** The server certificate(s) the listener presents, and the CA the VTN's client certificate must chain to. */
  readonly credentials: readonly TlsCredential[];
  readonly ca: string;
  readonly host?: string;
  /** Default 0: a port the OS assigns. */
  readonly port?: number;
  readonly now?: () => number;
}

/**
 * Where a push VEN receives what the VTN sends: a mutual-TLS listener on an OS-assigned port. Each
 * push is held to the rules as the harness's pull answers are (POST to the message's service,
 * Content-Type application/xml, a schema-valid payload, no checkConformance finding) and queued for
 * the case; its HTTP answer is whatever the case replies. An oadrDistributeEvent is answered at once
 * with an empty 200: the VEN's oadrCreatedEvent goes to the VTN as a request of its own.
 */
export class PushListener {
  readonly options: PushListenerOptions;
  private server: Server | undefined;
  private readonly arrivals: Arrival[] = [];
  private readonly waiting: Array<() => void> = [];
  /** The answer to the push last taken, until the case replies. */
  private held: ((xml: string) => void) | undefined;
  private address: string | undefined;

  constructor(options: PushListenerOptions) {
    this.options = options;
  }

  /** Starts listening (once) and returns the base URL to register as oadrTransportAddress. */
  async start(): Promise<string> {
    if (this.address !== undefined) return this.address;
    const server = createServer(createTlsServerOptions({ credentials: this.options.credentials, ca: this.options.ca }), (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => this.arrive(req.method ?? '', req.url ?? '', String(req.headers['content-type'] ?? ''), Buffer.concat(chunks).toString('utf8'), (xml) => {
        res.writeHead(200, xml === '' ? {} : { 'content-type': 'application/xml' }).end(xml);
      }));
    });
    server.listen(this.options.port ?? 0, this.options.host ?? '127.0.0.1');
    await once(server, 'listening');
    this.server = server;
    const { port } = server.address() as AddressInfo;
    const host = this.options.host ?? '127.0.0.1';
    this.address = `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
    return this.address;
  }

  private arrive(method: string, path: string, contentType: string, body: string, respond: (xml: string) => void): void {
    const fail = (reason: string, findings: readonly ConformanceFinding[] = []): void => {
      respond('');
      this.enqueue({ failure: new CaseFailure(reason, findings) });
    };
    if (method !== 'POST') return fail(`the VTN pushed with ${method}, expected POST`);
    if (!/^application\/xml\b/i.test(contentType)) return fail(`the VTN pushed with Content-Type "${contentType}", expected application/xml (rule 53)`);
    let message: OadrMessage;
    try {
      message = decodePayload(body).message;
    } catch (error) {
      if (!(error instanceof OadrProtocolError)) throw error;
      return fail(`the VTN pushed an invalid payload: ${error.code} ${error.message}`);
    }
    const service = pushServiceOf(message.type);
    if (service === undefined || path.replace(/\/+$/, '') !== `${SERVICE_PATH_PREFIX}/${service}`) {
      return fail(`the VTN pushed ${message.type} to ${path}, expected ${service === undefined ? 'no push of it' : `${SERVICE_PATH_PREFIX}/${service}`}`);
    }
    const findings = checkConformance(message, { sender: 'vtn', now: (this.options.now ?? Date.now)() });
    if (findings.length > 0) return fail(`pushed ${message.type} breaks ${findings.map((f) => f.rule).join(', ')}: ${findings[0]!.message}`, findings);
    if (message.type === 'oadrDistributeEvent') {
      respond('');
      this.enqueue({ message, respond: () => undefined });
      return;
    }
    this.enqueue({ message, respond });
  }

  private enqueue(arrival: Arrival): void {
    this.arrivals.push(arrival);
    this.waiting.shift()?.();
  }

  /**
   * The next pushed message, or undefined when none arrives within `waitMs`. The push taken before
   * is answered with an empty 200 if the case left it unanswered.
   */
  async next(waitMs: number): Promise<OadrMessage | undefined> {
    this.reply(undefined);
    if (this.arrivals.length === 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          const at = this.waiting.indexOf(wake);
          if (at >= 0) this.waiting.splice(at, 1);
          resolve();
        }, waitMs);
        const wake = (): void => {
          clearTimeout(timer);
          resolve();
        };
        this.waiting.push(wake);
      });
    }
    const arrival = this.arrivals.shift();
    if (arrival === undefined) return undefined;
    if ('failure' in arrival) throw arrival.failure;
    this.held = arrival.respond;
    return arrival.message;
  }

  /** Answers the push last taken: the VEN's reply in the HTTP response, or an empty 200. */
  reply(message: OadrMessage | undefined): void {
    const respond = this.held;
    this.held = undefined;
    respond?.(message === undefined ? '' : encodePayload(message));
  }

  async close(): Promise<void> {
    this.reply(undefined);
    for (const arrival of this.arrivals.splice(0)) if ('respond' in arrival) arrival.respond('');
    const server = this.server;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
