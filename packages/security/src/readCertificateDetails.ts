import type { X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import { childrenOf, extensionsFromAsn1, fromDerRaw } from './forgeAsn1.js';
import type { KeyUsage } from './issueCertificate.js';

/** The parts of a certificate that node's X509Certificate does not expose. */
export interface CertificateDetails {
  /** The keyUsage bits, or undefined when the certificate has no keyUsage extension (any use). */
  readonly keyUsage: ReadonlySet<KeyUsage> | undefined;
  readonly subjectKeyId: Buffer | undefined;
}

const KEY_USAGE_BITS: readonly KeyUsage[] = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
];

/** Reads keyUsage and subjectKeyIdentifier with node-forge's extension decoder (any key type). */
export function readCertificateDetails(certificate: X509Certificate): CertificateDetails {
  const tbs = childrenOf(fromDerRaw(certificate.raw.toString('binary')))[0];
  const wrapper = childrenOf(tbs).find((node) => node.tagClass === forge.asn1.Class.CONTEXT_SPECIFIC && node.type === 3);
  const extensions = wrapper === undefined ? [] : extensionsFromAsn1(wrapper);
  const keyUsage = extensions.find((e) => e.name === 'keyUsage');
  const ski = extensions.find((e) => e.name === 'subjectKeyIdentifier')?.subjectKeyIdentifier;
  return {
    keyUsage: keyUsage === undefined ? undefined : new Set(KEY_USAGE_BITS.filter((bit) => keyUsage[bit] === true)),
    subjectKeyId: ski === undefined ? undefined : Buffer.from(ski, 'hex'),
  };
}
