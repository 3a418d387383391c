import { createDevCa, issueCertificate, type KeyAndCertificate } from '@oadr-kit/security';

/** A two-algorithm dev PKI in memory: VTN certificates of both kinds and VEN certificates on demand. */
export function testPki() {
  const rsa = createDevCa('rsa-2048');
  const ecc = createDevCa('ec-p256');
  const ca = [rsa, ecc].map((c) => c.root.certificatePem + c.intermediate.certificatePem).join('');
  const chain = (pair: KeyAndCertificate, issuer: typeof rsa): KeyAndCertificate => ({
    keyPem: pair.keyPem,
    certificatePem: pair.certificatePem + issuer.intermediate.certificatePem,
  });
  const vtn = (ca: typeof rsa, keyAlgorithm: 'rsa-2048' | 'ec-p256'): KeyAndCertificate =>
    chain(issueCertificate({ profile: 'vtn', keyAlgorithm, commonName: 'vtn', issuer: ca.intermediate, dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] }), ca);
  return {
    ca,
    vtnCredentials: [vtn(rsa, 'rsa-2048'), vtn(ecc, 'ec-p256')],
    ven: (name: string): KeyAndCertificate => chain(issueCertificate({ profile: 'ven', keyAlgorithm: 'ec-p256', commonName: name, issuer: ecc.intermediate }), ecc),
  };
}
