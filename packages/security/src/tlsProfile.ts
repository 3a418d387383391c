import type { ServerOptions } from 'node:https';
import type { ConnectionOptions, TLSSocket } from 'node:tls';
import { OadrInvalidArgumentError } from '@oadr-kit/protocol';
import { SecurityError, SecurityErrorCode } from './SecurityError.js';

/**
 * The 2.0b cipher suites (OpenSSL names): TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256 for ECC
 * certificates and TLS_RSA_WITH_AES_128_CBC_SHA256 for RSA ones (CHECKLIST §6).
 */
export const OADR_20B_CIPHERS = ['ECDHE-ECDSA-AES128-SHA256', 'AES128-SHA256'] as const;

/** TLS 1.3 suites offered only when `allowTls13` is set; 2.0b itself knows TLS 1.2 only. */
export const TLS13_CIPHERS = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'] as const;

/** A private key with the certificate chain that goes with it (leaf first), both PEM. */
export interface TlsCredential {
  readonly keyPem: string;
  readonly certificatePem: string;
}

export interface TlsProfileOptions {
  /**
   * Own keys and certificate chains. A VTN passes an RSA and an ECC pair so it can answer either
   * suite; the handshake picks the certificate that fits the negotiated suite.
   */
  readonly credentials: readonly TlsCredential[];
  /** CA certificates (PEM) the peer's certificate must chain to. */
  readonly ca: string | readonly string[];
  /** Also allow TLS 1.3 (with TLS13_CIPHERS); default false: TLS 1.2 only, as 2.0b requires. */
  readonly allowTls13?: boolean;
  /** Suites to add after the 2.0b ones (OpenSSL names), for deployments that need them. */
  readonly extraCiphers?: readonly string[];
}

export interface TlsServerProfileOptions extends TlsProfileOptions {
  /**
   * Default true: a client without a certificate trusted by `ca` fails the handshake, as 2.0b
   * requires. False lets the handshake finish so the application can answer 403 with the reason
   * `peerCertificateError(socket)` gives; it must then check every connection.
   */
  readonly rejectUnauthorized?: boolean;
}

export interface TlsClientProfileOptions extends TlsProfileOptions {
  /**
   * Default true. The 2.0b test harness switches host-name checks off; set false only where peers
   * are identified by fingerprint and certificates do not carry their host names.
   */
  readonly checkServerHostname?: boolean;
  /** SNI and host-name check target when it differs from the connection host. */
  readonly servername?: string;
}

/** Options for `https.createServer` / `tls.createServer`: mutual TLS with the 2.0b profile. */
export function createTlsServerOptions(options: TlsServerProfileOptions): ServerOptions {
  return {
    ...commonOptions(options),
    requestCert: true,
    rejectUnauthorized: options.rejectUnauthorized ?? true,
    honorCipherOrder: true,
  };
}

/**
 * Options for `https.request`/`tls.connect` (and, field for field, undici's `connect` options):
 * the 2.0b suites, a client certificate, and the server verified against `ca`.
 */
export function createTlsClientOptions(options: TlsClientProfileOptions): ConnectionOptions {
  return {
    ...commonOptions(options),
    rejectUnauthorized: true,
    ...(options.servername === undefined ? {} : { servername: options.servername }),
    ...(options.checkServerHostname === false ? { checkServerIdentity: () => undefined } : {}),
  };
}

function commonOptions(options: TlsProfileOptions): ConnectionOptions & ServerOptions {
  if (options.credentials.length === 0) {
    throw new OadrInvalidArgumentError('OADR_ERR_SEC_INVALID_ARGUMENT', 'credentials is empty: 2.0b needs a certificate on both ends');
  }
  const ciphers = [...OADR_20B_CIPHERS, ...(options.extraCiphers ?? []), ...(options.allowTls13 === true ? TLS13_CIPHERS : [])];
  return {
    key: options.credentials.map((credential) => credential.keyPem),
    cert: options.credentials.map((credential) => credential.certificatePem),
    ca: typeof options.ca === 'string' ? options.ca : [...options.ca],
    minVersion: 'TLSv1.2',
    maxVersion: options.allowTls13 === true ? 'TLSv1.3' : 'TLSv1.2',
    ciphers: ciphers.join(':'),
  };
}

// Node's verification results (X509_V_ERR_* as codes) and the alerts a peer sends back.
const EXPIRED = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED']);
const UNTRUSTED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA',
  'ERR_SSL_CERTIFICATE_VERIFY_FAILED',
]);
const KEY_USAGE = new Set(['INVALID_PURPOSE', 'ERR_SSL_SSLV3_ALERT_UNSUPPORTED_CERTIFICATE']);
const NO_CERT = new Set(['ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE', 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED']);

/**
 * Turns a TLS failure into a SecurityError that says what was wrong with the peer's certificate.
 * Give it a client's `error`, or a server's `tlsClientError` with its socket: a server that rejects
 * a client certificate only hangs up, and the reason is on the socket.
 */
export function tlsSecurityError(error: unknown, socket?: TLSSocket): SecurityError {
  if (error instanceof SecurityError) return error;
  const reason = socket?.authorizationError;
  if (reason !== undefined && reason !== null) return classify(String(reason), String(reason), error);
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
  return classify(code, error instanceof Error ? error.message : String(error), error);
}

/**
 * Why the peer of a finished handshake is not authenticated, or undefined when it is. For servers
 * created with `rejectUnauthorized: false`.
 */
export function peerCertificateError(socket: TLSSocket): SecurityError | undefined {
  if (socket.authorized) return undefined;
  const peer = socket.getPeerCertificate();
  if (peer === null || Object.keys(peer).length === 0) {
    return new SecurityError(SecurityErrorCode.NO_CLIENT_CERT, 'the peer presented no certificate');
  }
  return classify(String(socket.authorizationError), String(socket.authorizationError), undefined);
}

function classify(code: string, detail: string, cause: unknown): SecurityError {
  const options = cause === undefined ? {} : { cause };
  if (NO_CERT.has(code)) return new SecurityError(SecurityErrorCode.NO_CLIENT_CERT, `the peer presented no certificate (${detail})`, options);
  if (EXPIRED.has(code)) return new SecurityError(SecurityErrorCode.CERT_EXPIRED, `the peer certificate is expired or not yet valid (${detail})`, options);
  if (UNTRUSTED.has(code)) return new SecurityError(SecurityErrorCode.CERT_UNTRUSTED, `the peer certificate does not chain to a trusted CA (${detail})`, options);
  if (KEY_USAGE.has(code)) return new SecurityError(SecurityErrorCode.CERT_KEY_USAGE, `the peer certificate is not allowed for this purpose (${detail})`, options);
  return new SecurityError(SecurityErrorCode.TLS_HANDSHAKE, `TLS handshake failed (${detail})`, options);
}
