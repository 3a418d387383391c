import { createDevCa, issueCertificate, type KeyAndCertificate } from '@oadr-kit/security';
import { startVtn, type RunningVtn, type VtnOptions } from '@oadr-kit/vtn';
import pino from 'pino';

export interface TestPki {
  /** The CA bundle both sides trust. */
  readonly ca: string;
  /** A VTN certificate for 127.0.0.1 and localhost, with its chain. */
  readonly vtn: KeyAndCertificate;
  /** A VEN client certificate with its chain. */
  ven(name: string): KeyAndCertificate;
}

/** A dev PKI in memory on P-256, as the 2.0b profile allows. */
export function testPki(): TestPki {
  const ecc = createDevCa('ec-p256');
  const chain = (pair: KeyAndCertificate): KeyAndCertificate => ({ keyPem: pair.keyPem, certificatePem: pair.certificatePem + ecc.intermediate.certificatePem });
  return {
    ca: ecc.root.certificatePem + ecc.intermediate.certificatePem,
    vtn: chain(issueCertificate({ profile: 'vtn', keyAlgorithm: 'ec-p256', commonName: 'vtn', issuer: ecc.intermediate, dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] })),
    ven: (name) => chain(issueCertificate({ profile: 'ven', keyAlgorithm: 'ec-p256', commonName: name, issuer: ecc.intermediate })),
  };
}

/** Our VTN on 127.0.0.1 (ports the OS assigns) with mutual TLS, SQLite in memory and no logs. */
export function startTestVtn(pki: TestPki, options: VtnOptions = {}): Promise<RunningVtn> {
  return startVtn({
    listen: { host: '127.0.0.1', port: 0 },
    admin: { host: '127.0.0.1', port: 0, token: 'integration-token-0123456789' },
    storage: { type: 'sqlite', path: ':memory:' },
    tlsMaterial: { credentials: [pki.vtn], ca: pki.ca },
    logger: pino({ level: 'silent' }),
    processMetrics: false,
    ...options,
  });
}
