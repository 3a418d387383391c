import { X509Certificate } from 'node:crypto';
import type { KeyUsage } from './issueCertificate.js';
import { readCertificateDetails } from './readCertificateDetails.js';
import { SecurityError, SecurityErrorCode } from './SecurityError.js';

/** A certificate as PEM text, DER bytes, or already parsed. */
export type CertificateInput = string | Uint8Array | X509Certificate;

export interface VerifyCertificateOptions {
  /** Trust anchors: root and/or intermediate CA certificates (a PEM bundle or a list). */
  readonly trusted: string | readonly CertificateInput[];
  /** Intermediates the peer sent along with its certificate (not trusted by themselves). */
  readonly intermediates?: readonly CertificateInput[];
  /** The moment to check validity at; default now. */
  readonly at?: Date;
  /** A keyUsage bit the leaf must have, e.g. `digitalSignature` for a signing certificate. */
  readonly requiredKeyUsage?: KeyUsage;
}

const MAX_CHAIN_LENGTH = 8;

/** Parses a certificate; anything unparseable is an `OADR_ERR_SEC_CERT_INVALID` error. */
export function parseCertificate(input: CertificateInput): X509Certificate {
  if (input instanceof X509Certificate) return input;
  try {
    return new X509Certificate(typeof input === 'string' ? input : Buffer.from(input));
  } catch (cause) {
    throw new SecurityError(SecurityErrorCode.CERT_INVALID, 'the certificate cannot be parsed as X.509', { cause });
  }
}

/** Splits a PEM bundle into certificates. */
export function parseCertificateBundle(pem: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw new SecurityError(SecurityErrorCode.CERT_INVALID, 'the CA bundle holds no PEM certificate');
  return blocks.map((block) => parseCertificate(block));
}

/**
 * Checks a peer's certificate the way the TLS layer would, for certificates that arrive outside TLS
 * (the X509Certificate of an XML signature): a chain to a trust anchor, every link inside its
 * validity period, CAs marked as CAs, and the leaf's key usage. Returns the parsed leaf.
 */
export function verifyCertificate(certificate: CertificateInput, options: VerifyCertificateOptions): X509Certificate {
  return verifyCertificateChain(certificate, options)[0] ?? parseCertificate(certificate);
}

/** verifyCertificate, returning the chain it found: the leaf first, the trust anchor last. */
export function verifyCertificateChain(certificate: CertificateInput, options: VerifyCertificateOptions): X509Certificate[] {
  const leaf = parseCertificate(certificate);
  const at = options.at ?? new Date();
  const trusted = typeof options.trusted === 'string' ? parseCertificateBundle(options.trusted) : options.trusted.map(parseCertificate);
  const intermediates = (options.intermediates ?? []).map(parseCertificate);

  if (options.requiredKeyUsage !== undefined) {
    const usage = readCertificateDetails(leaf).keyUsage;
    if (usage !== undefined && !usage.has(options.requiredKeyUsage)) {
      throw new SecurityError(
        SecurityErrorCode.CERT_KEY_USAGE,
        `certificate ${leaf.subject.replace(/\n/g, ', ')} lacks the ${options.requiredKeyUsage} key usage`,
      );
    }
  }

  const chain = [leaf];
  let current = leaf;
  for (let depth = 0; depth < MAX_CHAIN_LENGTH; depth++) {
    checkValidity(current, at);
    if (trusted.some((anchor) => anchor.raw.equals(current.raw))) return chain;
    const anchor = trusted.find((candidate) => issues(candidate, current));
    if (anchor !== undefined) {
      checkValidity(anchor, at);
      chain.push(anchor);
      return chain;
    }
    const next = intermediates.find((candidate) => issues(candidate, current));
    if (next === undefined) break;
    chain.push(next);
    current = next;
  }
  throw new SecurityError(
    SecurityErrorCode.CERT_UNTRUSTED,
    `certificate ${leaf.subject.replace(/\n/g, ', ')} does not chain to a trusted CA`,
  );
}

function issues(issuer: X509Certificate, subject: X509Certificate): boolean {
  return issuer.ca && subject.checkIssued(issuer) && subject.verify(issuer.publicKey);
}

function checkValidity(certificate: X509Certificate, at: Date): void {
  const from = new Date(certificate.validFrom);
  const to = new Date(certificate.validTo);
  if (at < from || at > to) {
    throw new SecurityError(
      SecurityErrorCode.CERT_EXPIRED,
      `certificate ${certificate.subject.replace(/\n/g, ', ')} is valid from ${from.toISOString()} to ${to.toISOString()}, not at ${at.toISOString()}`,
    );
  }
}
