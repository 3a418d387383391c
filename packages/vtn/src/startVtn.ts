import { once } from 'node:events';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createTlsServerOptions, tlsSecurityError } from '@oadr-kit/security';
import { createVtnApp, type VtnApp, type VtnOptions } from './createVtnApp.js';

export interface RunningVtn {
  readonly app: VtnApp;
  /** e.g. https://127.0.0.1:8443 (the services are under /OpenADR2/Simple/2.0b). */
  readonly url: string;
  readonly adminUrl: string;
  /** Graceful shutdown: stop accepting, finish requests in flight, stop pushing, close the store. */
  close(): Promise<void>;
}

async function listen(server: Server, port: number, host: string): Promise<string> {
  server.listen(port, host);
  await once(server, 'listening');
  const address = server.address() as AddressInfo;
  return `${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
}

/** Stops accepting, lets requests in flight finish (closing each keep-alive connection as it goes idle), then forces the rest after graceMs. */
async function closeServer(server: Server, graceMs: number): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const idle = setInterval(() => server.closeIdleConnections(), 25);
  const timer = setTimeout(() => server.closeAllConnections(), graceMs);
  await closed;
  clearInterval(idle);
  clearTimeout(timer);
}

/**
 * Builds the VTN (unless given one) and listens: the services on `listen` (mutual TLS with the 2.0b
 * profile when TLS is configured), the admin API and /metrics on `admin`. Then starts pushing.
 */
export async function startVtn(options: VtnOptions | VtnApp = {}): Promise<RunningVtn> {
  const app = 'services' in options && 'core' in options ? options : await createVtnApp(options);
  const { config, log } = app;
  const tls = app.tls;
  const servicesServer: Server =
    tls === undefined
      ? createHttpServer(app.services.callback())
      : createHttpsServer(createTlsServerOptions({ credentials: tls.credentials, ca: tls.ca, allowTls13: tls.allowTls13 ?? false }), app.services.callback());
  servicesServer.keepAliveTimeout = 65_000;
  servicesServer.on('tlsClientError', (error: Error, socket) => {
    log.info({ err: tlsSecurityError(error, socket as never) }, 'TLS handshake refused');
  });
  const adminServer = createHttpServer(app.admin.callback());
  let servicesAddress: string;
  let adminAddress: string;
  try {
    servicesAddress = await listen(servicesServer, config.listen.port, config.listen.host);
    adminAddress = await listen(adminServer, config.admin.port, config.admin.host);
  } catch (error) {
    servicesServer.close();
    adminServer.close();
    await app.close();
    throw error;
  }
  const url = `${tls === undefined ? 'http' : 'https'}://${servicesAddress}`;
  const adminUrl = `http://${adminAddress}`;
  if (config.push.enabled) app.pusher.start();
  log.info({ url, adminUrl, vtnID: config.vtnID, storage: config.storage.type }, 'VTN listening');
  let closing: Promise<void> | undefined;
  return {
    app,
    url,
    adminUrl,
    close() {
      closing ??= (async () => {
        log.info('VTN shutting down');
        await Promise.all([closeServer(servicesServer, 5_000), closeServer(adminServer, 1_000)]);
        await app.close();
      })();
      return closing;
    },
  };
}
