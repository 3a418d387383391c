import { silentLogger, VenClient, type VenClientOptions } from '@oadr-kit/ven';
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
}

const pki = testPki();
const venCredential = pki.ven('ven-under-test');

/**
 * Our VEN behind a mutual-TLS proxy that injects one defect into what it sends or receives, run
 * through the VEN cases with its operator hook: the cases that did not pass, as `id: reason`.
 */
export async function failingVenCases(run: BrokenVenRun): Promise<string[]> {
  const model = run.model ?? 'pull';
  const vtn = new HarnessVtn({ credentials: pki.vtnCredentials, ca: pki.ca, pollFrequency: 'PT0S', model, roundMs: 300 });
  await vtn.start();
  const proxy = await startFaultyProxy({
    target: vtn.url,
    ca: pki.ca,
    serverCredentials: pki.vtnCredentials,
    clients: [venCredential],
    requestFault: run.requestFault ?? ((_service, body) => body),
    ...(run.fault === undefined ? {} : { fault: run.fault }),
  });
  const ven = new VenClient({
    vtnUrl: proxy.url,
    venName: 'ven-under-test',
    tls: { certPem: venCredential.certificatePem, keyPem: venCredential.keyPem, caPem: pki.ca },
    pollIntervalMs: 100,
    logger: silentLogger,
    backoff: { initialMs: 100, maxMs: 300 },
    ...(model === 'push' ? { push: { port: 0, host: '127.0.0.1' } } : {}),
    ...fastReporting,
    ...run.venOptions,
  });
  try {
    const registered = ven.next('registered');
    await ven.start();
    await registered;
    const results = await runCases(run.cases, { vtn, operator: venOperatorOf(ven) }, { timeoutMs: 5_000, ...(run.select === undefined ? {} : { select: run.select }) });
    return results.filter((r) => r.outcome !== 'passed' && r.reason !== 'not selected').map((r) => `${r.id}: ${r.reason}`);
  } finally {
    await ven.stop();
    await proxy.close();
    await vtn.close();
  }
}
