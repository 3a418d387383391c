import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, sign, X509Certificate, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';
import { OadrInvalidArgumentError } from '@oadr-kit/protocol';
import forge from 'node-forge';
import { childrenOf, extensionsToAsn1, fromDerRaw } from './forgeAsn1.js';
import { readCertificateDetails } from './readCertificateDetails.js';

/** The key types of the 2.0b profile: RSA-2048 and ECC P-256 (CHECKLIST §6). */
export type KeyAlgorithm = 'rsa-2048' | 'ec-p256';

/** What a certificate is for; fixes its basic constraints, key usage and extended key usage. */
export type CertificateProfile = 'root-ca' | 'intermediate-ca' | 'vtn' | 'ven';

/** Key-usage bits of RFC 5280 §4.2.1.3, named as node-forge and OpenSSL name them. */
export type KeyUsage =
  | 'digitalSignature'
  | 'nonRepudiation'
  | 'keyEncipherment'
  | 'dataEncipherment'
  | 'keyAgreement'
  | 'keyCertSign'
  | 'cRLSign';

/** A private key (PKCS#8 PEM) with its certificate (PEM). */
export interface KeyAndCertificate {
  readonly keyPem: string;
  readonly certificatePem: string;
}

export interface IssueCertificateOptions {
  readonly profile: CertificateProfile;
  readonly keyAlgorithm: KeyAlgorithm;
  readonly commonName: string;
  /** Subject organisation (O); default `oadr-kit dev PKI`. */
  readonly organization?: string;
  /** The issuing CA; omit only for a self-signed `root-ca`. */
  readonly issuer?: KeyAndCertificate;
  /** DNS names for subjectAltName; `vtn` certificates always get `localhost`. */
  readonly dnsNames?: readonly string[];
  /** IP addresses for subjectAltName; `vtn` certificates always get 127.0.0.1 and ::1. */
  readonly ipAddresses?: readonly string[];
  /** Start of validity; default one hour ago, so small clock differences do not matter. */
  readonly notBefore?: Date;
  /** End of validity; default notBefore + validityDays. */
  readonly notAfter?: Date;
  /** Default 3650 for CAs and 825 for end-entity certificates. */
  readonly validityDays?: number;
  /** Replaces the profile's key usage (tests use it to make certificates that must be refused). */
  readonly keyUsage?: readonly KeyUsage[];
  /** An existing private key (PEM) to certify instead of generating one; its type wins over keyAlgorithm. */
  readonly keyPem?: string;
}

const OID = {
  rsaWithSha256: '1.2.840.113549.1.1.11',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
} as const;

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const asn1 = forge.asn1;

/**
 * Issues an X.509v3 certificate for one of the dev-PKI profiles. Keys come from node's crypto (fast,
 * and it handles P-256, which node-forge cannot); node-forge encodes names and extensions; the
 * to-be-signed part is signed with node's crypto, so an RSA CA can certify an ECC key and vice versa.
 */
export function issueCertificate(options: IssueCertificateOptions): KeyAndCertificate {
  const privateKey = options.keyPem === undefined ? generateKey(options.keyAlgorithm) : createPrivateKey(options.keyPem);
  const publicKey = createPublicKey(privateKey);
  const isCa = options.profile === 'root-ca' || options.profile === 'intermediate-ca';
  if (options.issuer === undefined && options.profile !== 'root-ca') {
    throw new OadrInvalidArgumentError('OADR_ERR_SEC_INVALID_ARGUMENT', `a ${options.profile} certificate needs an issuer`);
  }
  const issuerKey = options.issuer === undefined ? privateKey : createPrivateKey(options.issuer.keyPem);
  const issuerCert = options.issuer === undefined ? undefined : new X509Certificate(options.issuer.certificatePem);

  const notBefore = options.notBefore ?? new Date(Date.now() - HOUR_MS);
  const notAfter = options.notAfter ?? new Date(notBefore.getTime() + (options.validityDays ?? (isCa ? 3650 : 825)) * DAY_MS);
  const subject = [
    { shortName: 'CN', value: options.commonName },
    { shortName: 'O', value: options.organization ?? 'oadr-kit dev PKI' },
  ];
  const skid = subjectKeyId(publicKey);
  const akid = issuerCert === undefined ? skid : (readCertificateDetails(issuerCert).subjectKeyId ?? subjectKeyId(issuerCert.publicKey));

  // node-forge fills extension values from these descriptions; the key identifiers are given as
  // ready ASN.1 because forge would derive them from an RSA key only.
  const holder = forge.pki.createCertificate();
  holder.setSubject(subject);
  holder.setExtensions(extensionsFor(options, privateKey.asymmetricKeyType === 'rsa', isCa, skid, akid));

  const signatureAlgorithm = algorithmIdentifier(issuerKey);
  const tbs = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, asn1.integerToDer(2).getBytes()),
    ]),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, serialNumber()),
    signatureAlgorithm,
    issuerCert === undefined ? forge.pki.distinguishedNameToAsn1(holder.subject) : nameOf(issuerCert),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [asn1Time(notBefore), asn1Time(notAfter)]),
    forge.pki.distinguishedNameToAsn1(holder.subject),
    fromDerRaw(binary(publicKey.export({ type: 'spki', format: 'der' }))),
    extensionsToAsn1(holder.extensions as object[]),
  ]);
  const tbsDer = Buffer.from(asn1.toDer(tbs).getBytes(), 'binary');
  const signature = sign('sha256', tbsDer, issuerKey);
  const certificate = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    tbs,
    algorithmIdentifier(issuerKey),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BITSTRING, false, `\u0000${binary(signature)}`),
  ]);
  const der = Buffer.from(asn1.toDer(certificate).getBytes(), 'binary');
  return {
    keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    certificatePem: toPem(der),
  };
}

/** Wraps DER certificate bytes as PEM. */
export function toPem(der: Uint8Array): string {
  const base64 = Buffer.from(der).toString('base64');
  const lines = base64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

function generateKey(algorithm: KeyAlgorithm): KeyObject {
  return algorithm === 'rsa-2048'
    ? generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey
    : generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
}

function extensionsFor(options: IssueCertificateOptions, isRsa: boolean, isCa: boolean, skid: Buffer, akid: Buffer): object[] {
  const defaultUsage: KeyUsage[] = isCa ? ['keyCertSign', 'cRLSign'] : isRsa ? ['digitalSignature', 'keyEncipherment'] : ['digitalSignature'];
  const usage = Object.fromEntries((options.keyUsage ?? defaultUsage).map((bit) => [bit, true]));
  const extensions: object[] = [
    { name: 'basicConstraints', critical: true, cA: isCa, ...(options.profile === 'intermediate-ca' ? { pathLenConstraint: 0 } : {}) },
    { name: 'keyUsage', critical: true, ...usage },
    { name: 'subjectKeyIdentifier', value: asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, binary(skid)) },
    {
      name: 'authorityKeyIdentifier',
      value: asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, false, binary(akid))]),
    },
  ];
  if (!isCa) {
    // Both purposes on both ends: a VTN is also a client when it pushes, a push VEN also a server.
    extensions.push({ name: 'extKeyUsage', serverAuth: true, clientAuth: true });
    const dnsNames = [...(options.profile === 'vtn' ? ['localhost'] : []), ...(options.dnsNames ?? [])];
    const ips = [...(options.profile === 'vtn' ? ['127.0.0.1', '::1'] : []), ...(options.ipAddresses ?? [])];
    const altNames = [
      ...[...new Set(dnsNames)].map((value) => ({ type: 2, value })),
      ...[...new Set(ips)].map((ip) => {
        if (isIP(ip) === 0) throw new OadrInvalidArgumentError('OADR_ERR_SEC_INVALID_ARGUMENT', `not an IP address: ${ip}`);
        return { type: 7, ip };
      }),
    ];
    if (altNames.length > 0) extensions.push({ name: 'subjectAltName', altNames });
  }
  return extensions;
}

/** RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey bits. */
function subjectKeyId(publicKey: KeyObject): Buffer {
  let bits: Buffer;
  if (publicKey.asymmetricKeyType === 'rsa') {
    bits = publicKey.export({ type: 'pkcs1', format: 'der' });
  } else {
    const jwk = publicKey.export({ format: 'jwk' });
    bits = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x ?? '', 'base64url'), Buffer.from(jwk.y ?? '', 'base64url')]);
  }
  return createHash('sha1').update(bits).digest();
}

function nameOf(certificate: X509Certificate): forge.asn1.Asn1 {
  const name = childrenOf(childrenOf(fromDerRaw(binary(certificate.raw)))[0])[5];
  if (name === undefined) throw new OadrInvalidArgumentError('OADR_ERR_SEC_INVALID_ARGUMENT', 'the issuer certificate has no subject name');
  return name;
}

function algorithmIdentifier(key: KeyObject): forge.asn1.Asn1 {
  // RFC 5758: ECDSA identifiers carry no parameters; RSA ones carry NULL.
  return key.asymmetricKeyType === 'rsa'
    ? asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
        asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(OID.rsaWithSha256).getBytes()),
        asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, ''),
      ])
    : asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
        asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(OID.ecdsaWithSha256).getBytes()),
      ]);
}

function serialNumber(): string {
  const bytes = randomBytes(16);
  // Positive and without a leading zero octet, as DER INTEGER requires.
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x40;
  return binary(bytes);
}

function asn1Time(date: Date): forge.asn1.Asn1 {
  // RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050.
  return date.getUTCFullYear() < 2050
    ? asn1.create(asn1.Class.UNIVERSAL, asn1.Type.UTCTIME, false, asn1.dateToUtcTime(date))
    : asn1.create(asn1.Class.UNIVERSAL, asn1.Type.GENERALIZEDTIME, false, asn1.dateToGeneralizedTime(date));
}

function binary(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('binary');
}
