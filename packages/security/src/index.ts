export { SecurityError, SecurityErrorCode, SECURITY_ERROR_ANSWERS } from './SecurityError.js';
export {
  issueCertificate,
  toPem,
  type CertificateProfile,
  type IssueCertificateOptions,
  type KeyAlgorithm,
  type KeyAndCertificate,
  type KeyUsage,
} from './issueCertificate.js';
export { readCertificateDetails, type CertificateDetails } from './readCertificateDetails.js';
export {
  createDevCa,
  initDevPki,
  issueVenCertificate,
  issueVtnCertificate,
  type DevCa,
  type DevCaOptions,
  type DevPkiFiles,
  type InitDevPkiOptions,
  type IssuedFiles,
  type IssueEndEntityOptions,
} from './devPki.js';
export {
  parseCertificate,
  parseCertificateBundle,
  verifyCertificate,
  verifyCertificateChain,
  type CertificateInput,
  type VerifyCertificateOptions,
} from './verifyCertificate.js';
export { fingerprintsEqual, normalizeFingerprint, venFingerprint } from './venFingerprint.js';
export {
  createTlsClientOptions,
  createTlsServerOptions,
  OADR_20B_CIPHERS,
  peerCertificateError,
  TLS13_CIPHERS,
  tlsSecurityError,
  type TlsClientProfileOptions,
  type TlsCredential,
  type TlsProfileOptions,
  type TlsServerProfileOptions,
} from './tlsProfile.js';
export { NonceCache, type NonceCacheOptions, type NonceStore } from './NonceCache.js';
export { PayloadSigner, type PayloadSignerOptions } from './PayloadSigner.js';
export { PayloadVerifier, type PayloadVerifierOptions, type VerifiedPayload, type VerifyOptions } from './PayloadVerifier.js';
