import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { encodePayload, SERVICE_PATH_PREFIX } from '@oadr-kit/protocol';
import { createTlsClientOptions } from '@oadr-kit/security';
import { silentLogger, VenClient, type VenClientOptions } from '@oadr-kit/ven';
import { Agent, request } from 'undici';
import { HarnessVtn, runCases, type CertificationCase, type ExchangeModel, type VenUnderTest } from '../src/index.js';
import { startFaultyProxy, type Fault, type RequestFault } from './faultyProxy.js';
import { fastReporting, testPki } from './pki.js';
import { venOperatorOf } from './venOperator.js';

export interface BrokenVenRun {
  readonly cases: readonly CertificationCase<VenUnderTest>[];
  /** The VEN's requests as the defect rewrites them (default: as sent). */
  readonly requestFault?: RequestFault;
  /** The VTN's answers as the defect rewrites them before the VEN reads them. */
  readonly fault?: Fault;
  /** Only these cases (ids or patterns) run, to keep a fault's run short; the rest are not reported. */
  readonly select?: readonly string[];
  readonly model?: ExchangeModel;
  readonly venOptions?: Partial<VenClientOptions>;
  /**
   * The VEN also polls every 100 ms: a push VEN that polls while registered, or a pull VEN that goes
   * on polling as the venID it had once its registration has ended.
   */
  readonly strayPolls?: boolean;
  /** (push) Tell the harness VTN the VEN is configured to poll as well. */
  readonly pushVenPolls?: boolean;
  /** (push) Rewrites the VEN's answers to the harness's pushes (the VEN registers a proxy as its transport address). */
  readonly pushFault?: Fault;
}

const pki = testPki();
// Named localhost: the push proxy checks the host name of the VEN's listener.
const venCredential = pki.ven('ven-under-test', ['localhost']);

/**
 * Our VEN as a device under test, pointed at `vtnUrl`: fast reporting, a short backoff (cancelled by
 * the VTN in N1_0040, it registers again within the case's wait) and, for push, a listener on 127.0.0.1.
 */
export function ourVen(vtnUrl: string, model: ExchangeModel, overrides: Partial<VenClientOptions> = {}): VenClient {
  return new VenClient({
    vtnUrl,
    venName: 'ven-under-test',
    tls: { certPem: venCredential.certificatePem, keyPem: venCredential.keyPem, caPem: pki.ca },
    pollIntervalMs: 100,
    logger: silentLogger,
    backoff: { initialMs: 100, maxMs: 300 },
    ...(model === 'push' ? { push: { port: 0, host: '127.0.0.1' } } : {}),
    ...fastReporting,
    ...overrides,
  });
}

/** The PKI our VEN and the harness share in these tests. */
export const sharedPki = pki;

/** A harness VTN in `model` with our VEN registered at it, straight (no proxy): the self-test session. */
export async function ourVenSession(model: ExchangeModel): Promise<{ vtn: HarnessVtn; ven: VenClient; close(): Promise<void> }> {
  const vtn = new HarnessVtn({ credentials: pki.vtnCredentials, ca: pki.ca, pollFrequency: 'PT0S', model, roundMs: 300 });
  await vtn.start();
  const ven = ourVen(vtn.url, model);
  const registered = ven.next('registered');
  await ven.start();
  await registered;
  return {
    vtn,
    ven,
    async close() {
      await ven.stop();
      await vtn.close();
    },
  };
}

/**
 * Our VEN behind a mutual-TLS proxy that injects one defect into what it sends or receives, run
 * through the VEN cases with its operator hook: the cases that did not pass, as `id: reason`.
 */
export async function failingVenCases(run: BrokenVenRun): Promise<string[]> {
  const model = run.model ?? 'pull';
  const vtn = new HarnessVtn({ credentials: pki.vtnCredentials, ca: pki.ca, pollFrequency: 'PT0S', model, roundMs: 300, pushVenPolls: run.pushVenPolls ?? false });
  await vtn.start();
  const proxy = await startFaultyProxy({
    target: vtn.url,
    ca: pki.ca,
    serverCredentials: pki.vtnCredentials,
    clients: [venCredential],
    requestFault: run.requestFault ?? ((_service, body) => body),
    ...(run.fault === undefined ? {} : { fault: run.fault }),
  });
  // The VEN registers the push proxy as its transport address; the proxy passes on to the port the VEN listens on.
  const pushPort = run.pushFault === undefined ? 0 : await freePort();
  const pushProxy =
    run.pushFault === undefined
      ? undefined
      : await startFaultyProxy({ target: `https://127.0.0.1:${pushPort}`, ca: pki.ca, serverCredentials: [venCredential], clients: pki.vtnCredentials, fault: run.pushFault });
  const ven = ourVen(proxy.url, model, {
    ...run.venOptions,
    ...(pushProxy === undefined ? {} : { push: { port: pushPort, host: '127.0.0.1', transportAddress: pushProxy.url } }),
  });
  const poller = new Agent({ connect: createTlsClientOptions({ credentials: [venCredential], ca: pki.ca, servername: 'localhost' }) });
  let lastVenID: string | undefined;
  const poll = async (): Promise<void> => {
    lastVenID = ven.registration?.venID ?? lastVenID;
    // Pull: a registered VEN polls anyway, a second poller would only take messages meant for it. Push: only while registered.
    if (lastVenID === undefined || (model === 'pull') === (ven.registration !== undefined)) return;
    const venID = lastVenID;
    const answer = await request(`${vtn.url}${SERVICE_PATH_PREFIX}/OadrPoll`, { method: 'POST', body: encodePayload({ type: 'oadrPoll', body: { venID } }), headers: { 'content-type': 'application/xml' }, dispatcher: poller });
    await answer.body.text();
  };
  const polling = run.strayPolls === true ? setInterval(() => void poll().catch(() => undefined), 100) : undefined;
  try {
    const registered = ven.next('registered');
    await ven.start();
    await registered;
    const results = await runCases(run.cases, { vtn, operator: venOperatorOf(ven) }, { timeoutMs: 8_000, ...(run.select === undefined ? {} : { select: run.select }) });
    return results.filter((r) => r.outcome !== 'passed' && r.reason !== 'not selected').map((r) => `${r.id}: ${r.reason}`);
  } finally {
    clearInterval(polling);
    await poller.close();
    await ven.stop();
    await pushProxy?.close();
    await proxy.close();
    await vtn.close();
  }
}

/** A port free on 127.0.0.1 a moment ago, for a listener whose address must be known before it starts. */
async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
