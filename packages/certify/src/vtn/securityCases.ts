/**
 * The general security case against a VTN (G1_4010; push G0_9010, the same check): the VTN's TLS at
 * PICS level, each probe in a fresh connection to its service URL with the harness VEN's client
 * certificate(s). TLS is the same whichever way the VTN hands over its messages.
 */
import { connect, type ConnectionOptions } from 'node:tls';
import { OADR_20B_CIPHERS, tlsSecurityError } from '@oadr-kit/security';
import { CaseFailure, type CertificationCase } from '../CertificationCase.js';
import { expectCode, HarnessVen } from '../HarnessVen.js';
import type { VtnUnderTest } from './VtnUnderTest.js';

type VtnCase = CertificationCase<VtnUnderTest>;
const pull = { role: 'vtn', model: 'pull' } as const;

/** The 2.0b suites, each offered alone: serving it proves the suite and a certificate of its key type (rule 68). */
const SUITES = [
  { keyType: 'RSA', name: 'AES128-SHA256' },
  { keyType: 'ECC', name: 'ECDHE-ECDSA-AES128-SHA256' },
] as const;

/**
 * What 2.0a spoke: TLS 1.0 (and 1.1) with the `…_SHA` suites. Node's OpenSSL 3 offers them only at
 * security level 0.
 */
const LEGACY = { minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'ECDHE-ECDSA-AES128-SHA:AES128-SHA:@SECLEVEL=0' } as const;

export const G1_4010: VtnCase = {
  id: 'G1_4010_TH_VEN',
  title: 'TLS at PICS level: each 2.0b suite alone is served over TLS 1.2; TLS 1.0/1.1 and a client without certificate are refused at the handshake',
  ...pull,
  checks: ['CHECKLIST 6 (TLS 1.2 only, both suites, RSA and ECC certificates, client certificates required)', 'rule 68', 'TH G1_4010'],
  async run({ ven }) {
    for (const suite of SUITES) await expectServed(ven, suite);
    const { credentials, servername, timeoutMs = 10_000 } = ven.options;
    const url = new URL(ven.options.baseUrl);
    // Plain node:tls: createTlsClientOptions offers TLS 1.2 only and always a certificate. The VTN's
    // certificate goes unchecked (the suites above checked it): a failure on our side cannot pass for a refusal.
    const probe: ConnectionOptions = { host: url.hostname, port: Number(url.port || 443), rejectUnauthorized: false, ...(servername === undefined ? {} : { servername }) };
    const legacy = await handshake(
      { ...probe, ...LEGACY, key: credentials.map((c) => c.keyPem), cert: credentials.map((c) => c.certificatePem) },
      timeoutMs,
    );
    if ('completed' in legacy) throw new CaseFailure(`the VTN accepted a client offering only TLS 1.0/1.1 (${legacy.completed}); 2.0b is TLS 1.2 only`);
    const anonymous = await handshake({ ...probe, minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', ciphers: OADR_20B_CIPHERS.join(':') }, timeoutMs);
    if ('completed' in anonymous) {
      throw new CaseFailure(`the VTN completed a handshake with a client presenting no certificate (${anonymous.completed}); it must refuse it at the handshake`);
    }
  },
};

/** Offering only `suite` over TLS 1.2, oadrQueryRegistration is answered by oadrCreatedPartyRegistration 200. */
async function expectServed(ven: HarnessVen, suite: (typeof SUITES)[number]): Promise<void> {
  const offering = new HarnessVen({ ...ven.options, push: undefined, ciphers: suite.name });
  try {
    const reply = await offering.exchange('EiRegisterParty', { type: 'oadrQueryRegistration', body: { requestID: HarnessVen.requestID() } }, 'oadrCreatedPartyRegistration');
    expectCode(`oadrCreatedPartyRegistration over ${suite.name}`, reply.eiResponse.responseCode, '200');
  } catch (error) {
    if (error instanceof CaseFailure) throw error;
    const refused = refusal(error);
    throw new CaseFailure(
      refused === undefined ? `over the ${suite.keyType} suite ${suite.name}: ${tlsSecurityError(error).message}` : `the VTN refused the ${suite.keyType} suite ${suite.name}: ${refused}`,
    );
  } finally {
    await offering.close();
  }
}

type Handshake = { readonly completed: string } | { readonly refused: string };

/** One TLS connection, closed as soon as its handshake ends either way; a failure on the harness's side is thrown. */
function handshake(options: ConnectionOptions, timeoutMs: number): Promise<Handshake> {
  return new Promise((resolve, reject) => {
    const socket = connect(options, () => {
      resolve({ completed: `${socket.getProtocol() ?? 'unknown protocol'} ${socket.getCipher().name}` });
      socket.destroy();
    });
    socket.setTimeout(timeoutMs, () => {
      reject(new CaseFailure(`the VTN neither completed nor refused a handshake within ${timeoutMs} ms`));
      socket.destroy();
    });
    socket.on('error', (error) => {
      const refused = refusal(error);
      if (refused === undefined) reject(error);
      else resolve({ refused });
    });
  });
}

/** How the peer broke off a handshake (its alert, or hanging up), or undefined when the failure was not the peer's doing. */
function refusal(error: unknown): string | undefined {
  // Duck-typed: node's errors need not be this realm's Error (under jest they are not).
  if (typeof error !== 'object' || error === null || !('code' in error) || typeof error.code !== 'string') return undefined;
  if (error.code === 'ECONNRESET') return 'the connection was closed';
  if (!error.code.includes('_ALERT_')) return undefined;
  // OpenSSL's text: "...:SSL routines:ssl3_read_bytes:sslv3 alert handshake failure:<file>:<line>:SSL alert number 40".
  const alert = 'message' in error ? /SSL routines:[^:]*:([^:]+):.*?(?:SSL alert number (\d+))?\s*$/s.exec(String(error.message)) : null;
  return alert === null ? error.code : `${alert[1]!}${alert[2] === undefined ? '' : ` (alert ${alert[2]})`}`;
}
