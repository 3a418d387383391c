import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OadrInvalidArgumentError } from '@oadr-kit/protocol';
import { venFingerprint } from './venFingerprint.js';
import { issueCertificate, type KeyAlgorithm, type KeyAndCertificate } from './issueCertificate.js';

/** A root CA and the intermediate that issues end-entity certificates, for one key algorithm. */
export interface DevCa {
  readonly keyAlgorithm: KeyAlgorithm;
  readonly root: KeyAndCertificate;
  readonly intermediate: KeyAndCertificate;
}

export interface DevCaOptions {
  /** Subject organisation of every certificate; default `oadr-kit dev PKI`. */
  readonly organization?: string;
  readonly validityDays?: number;
}

export interface InitDevPkiOptions extends DevCaOptions {
  /** Default both: a VTN must hold an RSA and an ECC certificate (CHECKLIST §6). */
  readonly keyAlgorithms?: readonly KeyAlgorithm[];
  /** Replace an existing CA in `dir`; default false, which refuses to. */
  readonly overwrite?: boolean;
}

/** Where initDevPki put things. */
export interface DevPkiFiles {
  readonly dir: string;
  /** Roots and intermediates of every algorithm: the bundle peers verify each other against. */
  readonly caBundlePath: string;
  readonly keyAlgorithms: readonly KeyAlgorithm[];
}

export interface IssueEndEntityOptions {
  /** Default `rsa-2048`. */
  readonly keyAlgorithm?: KeyAlgorithm;
  /** File base name; default `vtn-rsa`, `ven-ecc`, … */
  readonly name?: string;
  /** Subject CN; default the file base name. */
  readonly commonName?: string;
  /** Extra subjectAltName DNS names (a VTN always has `localhost`). */
  readonly dnsNames?: readonly string[];
  /** Extra subjectAltName IP addresses (a VTN always has 127.0.0.1 and ::1). */
  readonly ipAddresses?: readonly string[];
  readonly validityDays?: number;
  readonly overwrite?: boolean;
}

/** Where an issued certificate was written, with the 2.0b fingerprint of the certificate. */
export interface IssuedFiles {
  readonly keyPath: string;
  readonly certificatePath: string;
  /** The certificate followed by its intermediate: what a TLS peer presents. */
  readonly chainPath: string;
  readonly fingerprint: string;
}

const SHORT: Record<KeyAlgorithm, string> = { 'rsa-2048': 'rsa', 'ec-p256': 'ecc' };
const ALL_ALGORITHMS: readonly KeyAlgorithm[] = ['rsa-2048', 'ec-p256'];

/** Makes a root and an intermediate CA in memory (tests use this directly, without files). */
export function createDevCa(keyAlgorithm: KeyAlgorithm, options: DevCaOptions = {}): DevCa {
  const organization = options.organization ?? 'oadr-kit dev PKI';
  const root = issueCertificate({
    profile: 'root-ca',
    keyAlgorithm,
    organization,
    commonName: `oadr-kit dev root CA (${SHORT[keyAlgorithm]})`,
    ...(options.validityDays === undefined ? {} : { validityDays: options.validityDays }),
  });
  const intermediate = issueCertificate({
    profile: 'intermediate-ca',
    keyAlgorithm,
    organization,
    commonName: `oadr-kit dev intermediate CA (${SHORT[keyAlgorithm]})`,
    issuer: root,
    ...(options.validityDays === undefined ? {} : { validityDays: options.validityDays }),
  });
  return { keyAlgorithm, root, intermediate };
}

/**
 * Creates a dev PKI in `dir`: per key algorithm a root CA and an intermediate, plus `ca-bundle.pem`.
 * Private keys are written with mode 0600 and the directory with 0700. For development and tests
 * only: production certificates come from the OpenADR Alliance's PKI.
 */
export function initDevPki(dir: string, options: InitDevPkiOptions = {}): DevPkiFiles {
  const keyAlgorithms = options.keyAlgorithms ?? ALL_ALGORITHMS;
  if (keyAlgorithms.length === 0) throw new OadrInvalidArgumentError('OADR_ERR_SEC_INVALID_ARGUMENT', 'keyAlgorithms is empty');
  makePrivateDir(dir);
  const bundle: string[] = [];
  for (const keyAlgorithm of keyAlgorithms) {
    const ca = createDevCa(keyAlgorithm, options);
    const base = `ca-${SHORT[keyAlgorithm]}`;
    writePair(dir, `${base}-root`, ca.root, options.overwrite ?? false);
    writePair(dir, `${base}-intermediate`, ca.intermediate, options.overwrite ?? false);
    bundle.push(ca.root.certificatePem, ca.intermediate.certificatePem);
  }
  const caBundlePath = join(dir, 'ca-bundle.pem');
  writeFileSync(caBundlePath, bundle.join(''), { mode: 0o644 });
  return { dir, caBundlePath, keyAlgorithms };
}

/** Issues a VTN server certificate (serverAuth and clientAuth, SAN localhost/127.0.0.1/::1 + names). */
export function issueVtnCertificate(dir: string, options: IssueEndEntityOptions = {}): IssuedFiles {
  return issueEndEntity(dir, 'vtn', options);
}

/** Issues a VEN client certificate; register its `fingerprint` with the VTN. */
export function issueVenCertificate(dir: string, options: IssueEndEntityOptions = {}): IssuedFiles {
  return issueEndEntity(dir, 'ven', options);
}

function issueEndEntity(dir: string, profile: 'vtn' | 'ven', options: IssueEndEntityOptions): IssuedFiles {
  const keyAlgorithm = options.keyAlgorithm ?? 'rsa-2048';
  const base = `ca-${SHORT[keyAlgorithm]}-intermediate`;
  const keyFile = join(dir, `${base}.key.pem`);
  if (!existsSync(keyFile)) {
    throw new OadrInvalidArgumentError(
      'OADR_ERR_SEC_INVALID_ARGUMENT',
      `no ${keyAlgorithm} dev CA in ${dir}: run initDevPki (oadr certs init) first`,
    );
  }
  const intermediate: KeyAndCertificate = {
    keyPem: readFileSync(keyFile, 'utf8'),
    certificatePem: readFileSync(join(dir, `${base}.cert.pem`), 'utf8'),
  };
  const name = options.name ?? `${profile}-${SHORT[keyAlgorithm]}`;
  if (!/^[A-Za-z0-9._-]+$/.test(name)) {
    throw new OadrInvalidArgumentError('OADR_ERR_SEC_INVALID_ARGUMENT', `name ${JSON.stringify(name)} is not a plain file name`);
  }
  const issued = issueCertificate({
    profile,
    keyAlgorithm,
    commonName: options.commonName ?? name,
    issuer: intermediate,
    ...(options.dnsNames === undefined ? {} : { dnsNames: options.dnsNames }),
    ...(options.ipAddresses === undefined ? {} : { ipAddresses: options.ipAddresses }),
    ...(options.validityDays === undefined ? {} : { validityDays: options.validityDays }),
  });
  const paths = writePair(dir, name, issued, options.overwrite ?? false);
  const chainPath = join(dir, `${name}.chain.pem`);
  writeFileSync(chainPath, issued.certificatePem + intermediate.certificatePem, { mode: 0o644 });
  return { ...paths, chainPath, fingerprint: venFingerprint(issued.certificatePem) };
}

function makePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
}

function writePair(dir: string, name: string, pair: KeyAndCertificate, overwrite: boolean): { keyPath: string; certificatePath: string } {
  const keyPath = join(dir, `${name}.key.pem`);
  const certificatePath = join(dir, `${name}.cert.pem`);
  // 'wx' refuses to replace an existing key unless asked; chmod covers a replaced file whose old
  // mode writeFileSync would otherwise keep.
  try {
    writeFileSync(keyPath, pair.keyPem, { mode: 0o600, flag: overwrite ? 'w' : 'wx' });
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code !== 'EEXIST') throw cause;
    throw new OadrInvalidArgumentError('OADR_ERR_SEC_INVALID_ARGUMENT', `${keyPath} exists; pass overwrite: true to replace it`, { cause });
  }
  chmodSync(keyPath, 0o600);
  writeFileSync(certificatePath, pair.certificatePem, { mode: 0o644 });
  return { keyPath, certificatePath };
}
