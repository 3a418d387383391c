import { createHash } from 'node:crypto';
import { parseCertificate, type CertificateInput } from './verifyCertificate.js';

const FINGERPRINT_BYTES = 10;

/**
 * The 2.0b VEN fingerprint: the last 10 bytes of the SHA-256 of the DER certificate, as upper-case
 * colon-separated pairs (`7D:AB:45:15:E2:DE:BB:AB:C7:ED`).
 */
export function venFingerprint(certificate: CertificateInput): string {
  const der = parseCertificate(certificate).raw;
  const digest = createHash('sha256').update(der).digest();
  return formatFingerprint(digest.subarray(digest.length - FINGERPRINT_BYTES));
}

/**
 * Brings a fingerprint as peers write it (`AB:CD:…`, `abcd…`, `ab-cd …`, or the full 64-digit
 * SHA-256 that `openssl x509 -fingerprint -sha256` prints) to 20 lower-case hex digits. Returns
 * undefined for anything that is not such a fingerprint.
 */
export function normalizeFingerprint(fingerprint: string): string | undefined {
  const hex = fingerprint.replace(/^sha256 fingerprint=/i, '').replace(/[\s:-]/g, '').toLowerCase();
  if (!/^[0-9a-f]+$/.test(hex)) return undefined;
  if (hex.length === FINGERPRINT_BYTES * 2) return hex;
  if (hex.length === 64) return hex.slice(64 - FINGERPRINT_BYTES * 2);
  return undefined;
}

/** Whether two fingerprints name the same certificate, whatever their case and separators. */
export function fingerprintsEqual(a: string, b: string): boolean {
  const left = normalizeFingerprint(a);
  return left !== undefined && left === normalizeFingerprint(b);
}

function formatFingerprint(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0').toUpperCase()).join(':');
}
