import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { precompileValidators } from '@oadr-kit/protocol';
import { createTlsClientOptions, type TlsCredential } from '@oadr-kit/security';
import type Koa from 'koa';
import pino, { type Logger } from 'pino';
import { resolveVtnConfig, type VtnConfig, type VtnConfigInput } from './config.js';
import { createAdminApp } from './http/createAdminApp.js';
import { createServicesApp } from './http/createServicesApp.js';
import { createMetrics, type VtnMetrics } from './metrics.js';
import { CancellationResender } from './CancellationResender.js';
import { NegotiationOrchestrator } from './negotiation/NegotiationOrchestrator.js';
import { OadrServices, type SignatureHooks } from './OadrServices.js';
import { Pusher } from './Pusher.js';
import { createPostgresStore } from './store/createPostgresStore.js';
import { createSqliteStore } from './store/createSqliteStore.js';
import type { VtnStore } from './store/VtnStore.js';
import { VtnCore } from './VtnCore.js';

/** TLS material in memory, for callers that do not keep it in files (tests, embedding). */
export interface VtnTlsMaterial {
  credentials: readonly TlsCredential[];
  ca: string;
  allowTls13?: boolean;
}

/** The configuration (see config.schema.json) plus what only code can pass. */
export interface VtnOptions extends VtnConfigInput {
  /** Directory relative paths of the configuration are resolved against; default the working directory. */
  configDir?: string;
  /** A store to use instead of `storage` (closed by the VTN on close). */
  store?: VtnStore;
  /** Default: pino at `logLevel` on stdout. */
  logger?: Logger;
  /** Epoch milliseconds; default Date.now. */
  clock?: () => number;
  /** XML signatures: verified on requests of VENs that registered with oadrXmlSignature, produced on replies. */
  signatures?: SignatureHooks;
  /** Overrides `tls` with PEM text. */
  tlsMaterial?: VtnTlsMaterial;
  /** Collect Node's default process metrics too; default true. */
  processMetrics?: boolean;
}

export interface VtnApp {
  readonly config: Readonly<VtnConfig>;
  readonly core: VtnCore;
  readonly store: VtnStore;
  readonly log: Logger;
  readonly metrics: VtnMetrics;
  readonly pusher: Pusher;
  /** Negotiation sessions (also reachable through the admin API). */
  readonly negotiations: NegotiationOrchestrator;
  /** The OpenADR services (mount on the mutual-TLS server). */
  readonly services: Koa;
  /** Admin API, /metrics and /health (mount on a private listener). */
  readonly admin: Koa;
  /** The admin token in force (the configured one, or the generated one). */
  readonly adminToken: string;
  readonly tls: VtnTlsMaterial | undefined;
  /** Delivers unacknowledged cancellations again (rule 52). */
  readonly cancellations: CancellationResender;
  /** Stops pushing and closes the store; servers are the caller's (startVtn closes its own). */
  close(): Promise<void>;
}

function tlsMaterialOf(options: VtnOptions, config: Readonly<VtnConfig>): VtnTlsMaterial | undefined {
  if (options.tlsMaterial !== undefined) return options.tlsMaterial;
  if (config.tls === undefined) return undefined;
  return {
    credentials: config.tls.credentials.map((c) => ({ keyPem: readFileSync(c.keyFile, 'utf8'), certificatePem: readFileSync(c.certificateFile, 'utf8') })),
    ca: readFileSync(config.tls.caFile, 'utf8'),
    allowTls13: config.tls.allowTls13,
  };
}

/**
 * Builds a VTN without listening: validates the configuration, opens the store, and wires the
 * services, admin API, pusher and metrics. `startVtn` binds it to sockets.
 */
export async function createVtnApp(options: VtnOptions = {}): Promise<VtnApp> {
  const { configDir, store: givenStore, logger, clock, signatures, tlsMaterial, processMetrics, ...input } = options;
  const config = resolveVtnConfig(input, configDir);
  const log = logger ?? pino({ level: config.logLevel, name: 'oadr-vtn', redact: ['*.keyPem', '*.token', 'token'] });
  const tls = tlsMaterialOf({ tlsMaterial }, config);
  precompileValidators();
  const store =
    givenStore ??
    (config.storage.type === 'sqlite'
      ? createSqliteStore({ path: config.storage.path ?? 'vtn.db' })
      : await createPostgresStore({
          connectionString: config.storage.connectionString,
          ...(config.storage.schema === undefined ? {} : { schema: config.storage.schema }),
          ...(config.storage.poolSize === undefined ? {} : { poolSize: config.storage.poolSize }),
        }));
  const metrics = createMetrics(processMetrics ?? true);
  const core = new VtnCore({ store, config, clock: clock ?? Date.now, log });
  core.lastSeen.start();
  core.vtnReports.start();
  const services = new OadrServices(core, signatures);
  const clientTls: ConnectionOptions | undefined =
    tls === undefined ? undefined : createTlsClientOptions({ credentials: tls.credentials, ca: tls.ca, checkServerHostname: false, allowTls13: tls.allowTls13 ?? false });
  const pusher = new Pusher({ core, services, config, metrics, tls: clientTls, signatures });
  if (config.push.enabled) core.onWork = (venIDs) => pusher.schedule(venIDs);
  const negotiations = new NegotiationOrchestrator(core);
  await negotiations.recover();
  const cancellations = new CancellationResender(core);
  cancellations.start();
  const adminToken = config.admin.token ?? randomBytes(24).toString('base64url');
  if (config.admin.token === undefined) log.info({ adminToken }, 'generated an admin token (set admin.token to choose one)');
  if (tls === undefined) log.warn('no TLS configured: VENs are identified by venID alone; never run like this in production');
  return {
    config,
    core,
    store,
    log,
    metrics,
    pusher,
    negotiations,
    cancellations,
    services: createServicesApp({ services, metrics, log, maxPayloadBytes: config.maxPayloadBytes, signatures }),
    admin: createAdminApp({ core, negotiations, metrics, log, token: adminToken }),
    adminToken,
    tls,
    async close() {
      await cancellations.close();
      await core.vtnReports.close();
      await negotiations.close();
      await pusher.close();
      await core.lastSeen.close();
      await store.close();
    },
  };
}
