import { createDevCa, issueCertificate, type DevCa, type IssueCertificateOptions, type KeyAlgorithm, type KeyAndCertificate } from '../../src/index.js';

/** A dev CA per key algorithm, made once per test file (module registries are per file in jest). */
const cas = new Map<KeyAlgorithm, DevCa>();

export function devCa(keyAlgorithm: KeyAlgorithm): DevCa {
  let ca = cas.get(keyAlgorithm);
  if (ca === undefined) {
    ca = createDevCa(keyAlgorithm);
    cas.set(keyAlgorithm, ca);
  }
  return ca;
}

/** Roots and intermediates of both algorithms, as one PEM bundle. */
export function caBundle(): string {
  return (['rsa-2048', 'ec-p256'] as const)
    .map((algorithm) => devCa(algorithm).root.certificatePem + devCa(algorithm).intermediate.certificatePem)
    .join('');
}

type EndEntityOptions = Partial<Omit<IssueCertificateOptions, 'profile' | 'keyAlgorithm'>>;

export function endEntity(profile: 'vtn' | 'ven', keyAlgorithm: KeyAlgorithm, options: EndEntityOptions = {}): KeyAndCertificate {
  return issueCertificate({
    profile,
    keyAlgorithm,
    commonName: `${profile}-${keyAlgorithm}`,
    issuer: devCa(keyAlgorithm).intermediate,
    ...options,
  });
}

/** The certificate followed by its intermediate, as a TLS peer presents it. */
export function chainOf(pair: KeyAndCertificate, keyAlgorithm: KeyAlgorithm): KeyAndCertificate {
  return { keyPem: pair.keyPem, certificatePem: pair.certificatePem + devCa(keyAlgorithm).intermediate.certificatePem };
}
