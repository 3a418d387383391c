import { createDevCa, issueCertificate, type DevCa, type KeyAndCertificate } from '@oadr-kit/security';

export interface TestPki {
  readonly ca: DevCa;
  /** Root and intermediate, the trust anchors of both sides. */
  readonly caPem: string;
  readonly vtn: KeyAndCertificate;
  readonly ven: KeyAndCertificate;
}

let cached: TestPki | undefined;

/** A P-256 dev PKI (fast to make) with a VTN certificate for 127.0.0.1 and a VEN certificate; one per test file. */
export function testPki(): TestPki {
  if (cached !== undefined) return cached;
  const ca = createDevCa('ec-p256');
  const chain = (pair: KeyAndCertificate): KeyAndCertificate => ({ keyPem: pair.keyPem, certificatePem: pair.certificatePem + ca.intermediate.certificatePem });
  cached = {
    ca,
    caPem: ca.root.certificatePem + ca.intermediate.certificatePem,
    vtn: chain(issueCertificate({ profile: 'vtn', keyAlgorithm: 'ec-p256', commonName: 'vtn.test', issuer: ca.intermediate, ipAddresses: ['127.0.0.1'], dnsNames: ['localhost'] })),
    ven: chain(issueCertificate({ profile: 'ven', keyAlgorithm: 'ec-p256', commonName: 'ven.test', issuer: ca.intermediate, ipAddresses: ['127.0.0.1'], dnsNames: ['localhost'] })),
  };
  return cached;
}

/** A second, unrelated CA: certificates the VEN must not trust. */
export function strangerCertificate(): KeyAndCertificate {
  const ca = createDevCa('ec-p256');
  const pair = issueCertificate({ profile: 'vtn', keyAlgorithm: 'ec-p256', commonName: 'impostor.test', issuer: ca.intermediate, ipAddresses: ['127.0.0.1'] });
  return { keyPem: pair.keyPem, certificatePem: pair.certificatePem + ca.intermediate.certificatePem };
}
