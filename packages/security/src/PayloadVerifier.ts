import { createHash, verify, type KeyObject, type X509Certificate } from 'node:crypto';
import { DEFAULT_MAX_BYTES } from '@oadr-kit/protocol';
import { fingerprintsEqual, venFingerprint } from './venFingerprint.js';
import { NonceCache, type NonceStore } from './NonceCache.js';
import { readCertificateDetails } from './readCertificateDetails.js';
import { SecurityError, SecurityErrorCode } from './SecurityError.js';
import { parseCertificate, parseCertificateBundle, verifyCertificateChain, type CertificateInput } from './verifyCertificate.js';
import { C14N, canonicalize, EXC_C14N } from './xml/canonicalize.js';
import { DS_NS, DSP_NS, ECDSA_SHA256, ENVELOPED_SIGNATURE, OADR_NS, RSA_SHA256, SHA256 } from './xml/dsig.js';
import { attributeValue, childElements, parseXml, textOf, XmlSyntaxError, type XmlDocument, type XmlElement } from './xml/parseXml.js';

export interface PayloadVerifierOptions {
  /** Default true: an unsigned payload is refused with OADR_ERR_SEC_SIGNATURE_MISSING. */
  readonly requireSignature?: boolean;
  /**
   * CA certificates the signing certificate must chain to (PEM bundle or list). Without them only
   * the certificate's validity and key usage are checked, and the caller must tie the signer to
   * the peer, e.g. with `expectedFingerprint`.
   */
  readonly trusted?: string | readonly CertificateInput[];
  /** How far the ReplayProtect timestamp may be from now, either way; default 300,000 ms. */
  readonly windowMs?: number;
  /** Where seen nonces are kept; default a NonceCache of this verifier. */
  readonly nonces?: NonceStore;
  /** Clock in epoch milliseconds; default Date.now. */
  readonly now?: () => number;
  /** Largest payload accepted (bytes, or UTF-16 code units for a string); default protocol's DEFAULT_MAX_BYTES. */
  readonly maxBytes?: number;
}

export interface VerifyOptions {
  /** The fingerprint the signing certificate must have (the TLS peer's, or the registered VEN's). */
  readonly expectedFingerprint?: string;
}

/** What a verified payload was signed with; `signed: false` only when signatures are optional. */
export type VerifiedPayload =
  | { readonly signed: false }
  | {
      readonly signed: true;
      readonly certificate: X509Certificate;
      /** The 2.0b fingerprint of the signing certificate. */
      readonly fingerprint: string;
      readonly signatureAlgorithm: typeof RSA_SHA256 | typeof ECDSA_SHA256;
      readonly timestamp: Date;
      readonly nonce: string;
    };

interface Signer {
  readonly certificate: X509Certificate;
  readonly publicKey: KeyObject;
  readonly fingerprint: string;
  readonly validFrom: number;
  readonly validTo: number;
}

const SIGNER_CACHE_LIMIT = 1024;
const UTF8 = new TextDecoder('utf-8', { fatal: true });
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;

/**
 * Verifies signed oadrPayload documents: placement (`ds:Signature` first in `oadrPayload`), that
 * the references cover exactly the oadrSignedObject and the ReplayProtect, their SHA-256 digests,
 * the signature, the signing certificate, the timestamp window and nonce reuse. Create one per
 * trust configuration and reuse it: certificates seen before are not parsed or chained again, and
 * the nonce cache lives here.
 */
export class PayloadVerifier {
  readonly #requireSignature: boolean;
  readonly #trusted: readonly X509Certificate[] | undefined;
  readonly #windowMs: number;
  readonly #nonces: NonceStore;
  readonly #now: () => number;
  readonly #maxBytes: number;
  readonly #signers = new Map<string, Signer>();

  constructor(options: PayloadVerifierOptions = {}) {
    this.#requireSignature = options.requireSignature ?? true;
    this.#trusted =
      options.trusted === undefined
        ? undefined
        : typeof options.trusted === 'string'
          ? parseCertificateBundle(options.trusted)
          : options.trusted.map(parseCertificate);
    this.#windowMs = options.windowMs ?? 300_000;
    this.#nonces = options.nonces ?? new NonceCache();
    this.#now = options.now ?? Date.now;
    this.#maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  }

  /**
   * Verifies a payload (the XML text, or the request body's bytes as UTF-8), or throws a
   * SecurityError saying what is wrong with it.
   */
  verify(payload: string | Uint8Array, options: VerifyOptions = {}): VerifiedPayload {
    const size = typeof payload === 'string' ? payload.length : payload.byteLength;
    if (size > this.#maxBytes) {
      throw new SecurityError(SecurityErrorCode.XML_MALFORMED, `payload of ${size} ${typeof payload === 'string' ? 'characters' : 'bytes'} exceeds ${this.#maxBytes}`);
    }
    const doc = read(typeof payload === 'string' ? payload : utf8(payload));
    const { signature, signedObject } = envelope(doc);
    if (signature === undefined) {
      if (this.#requireSignature) throw invalid(SecurityErrorCode.SIGNATURE_MISSING, 'the payload carries no ds:Signature');
      return { signed: false };
    }

    const parts = signatureParts(signature);
    const now = this.#now();
    const signer = this.#signer(parts.certificates, now);
    const keyType = signer.publicKey.asymmetricKeyType;
    if ((parts.algorithm === RSA_SHA256) !== (keyType === 'rsa')) {
      throw invalid(SecurityErrorCode.SIGNATURE_INVALID, `${parts.algorithm} does not fit the certificate's ${String(keyType)} key`);
    }

    const ids = idIndex(doc.root);
    let objectCovered = false;
    let replayCovered = false;
    for (const reference of parts.references) {
      const target = reference.uri === '' ? doc.root : reference.uri.startsWith('#') ? ids.get(reference.uri.slice(1)) : undefined;
      if (target === undefined) {
        throw invalid(SecurityErrorCode.SIGNATURE_INVALID, `reference ${reference.uri} points at nothing in the payload`);
      }
      const canonical = canonicalize(target, {
        algorithm: reference.c14n,
        ...(reference.enveloped ? { exclude: signature } : {}),
        ...(reference.inclusivePrefixes === undefined ? {} : { inclusivePrefixes: reference.inclusivePrefixes }),
      });
      if (createHash('sha256').update(canonical, 'utf8').digest('base64') !== reference.digest) {
        throw invalid(SecurityErrorCode.SIGNATURE_INVALID, `the digest of ${reference.uri === '' ? 'the document' : reference.uri} does not match: the signed content was changed`);
      }
      if (target === signedObject || (target === doc.root && reference.enveloped)) objectCovered = true;
      if (isAncestorOrSelf(target, parts.replayProtect) && isAncestorOrSelf(signature, target) && target !== signature) replayCovered = true;
    }
    if (!objectCovered) throw invalid(SecurityErrorCode.SIGNATURE_INVALID, 'no reference covers the oadrSignedObject');
    if (!replayCovered) throw invalid(SecurityErrorCode.SIGNATURE_INVALID, 'no reference covers the ReplayProtect properties');

    const signedInfo = Buffer.from(canonicalize(parts.signedInfo, { algorithm: parts.c14n }), 'utf8');
    if (!checkSignature(signedInfo, signer.publicKey, parts.signatureValue)) {
      throw invalid(SecurityErrorCode.SIGNATURE_INVALID, 'the signature value does not verify with the certificate in KeyInfo');
    }

    const { timestamp, nonce } = replayProtect(parts.replayProtect);
    if (Math.abs(now - timestamp.getTime()) > this.#windowMs) {
      throw invalid(
        SecurityErrorCode.TIMESTAMP_OUT_OF_WINDOW,
        `ReplayProtect timestamp ${timestamp.toISOString()} is more than ${this.#windowMs} ms from now (${new Date(now).toISOString()})`,
      );
    }
    // Remembered only now that the signature holds, so forged messages cannot fill the cache.
    if (!this.#nonces.remember(nonce, now + 2 * this.#windowMs, now)) {
      throw invalid(SecurityErrorCode.REPLAY, `nonce ${JSON.stringify(nonce)} was seen before: the message is a replay`);
    }
    if (options.expectedFingerprint !== undefined && !fingerprintsEqual(options.expectedFingerprint, signer.fingerprint)) {
      throw invalid(
        SecurityErrorCode.FINGERPRINT_MISMATCH,
        `the payload is signed by ${signer.fingerprint}, not by ${options.expectedFingerprint}`,
      );
    }
    return { signed: true, certificate: signer.certificate, fingerprint: signer.fingerprint, signatureAlgorithm: parts.algorithm, timestamp, nonce };
  }

  #signer(certificates: readonly string[], now: number): Signer {
    const key = certificates.join('\n');
    let signer = this.#signers.get(key);
    if (signer === undefined) {
      const parsed = certificates.map((base64) => parseCertificate(Buffer.from(base64, 'base64')));
      // X509Data may list intermediates first; the signer is the one that is not a CA.
      const leaf = parsed.find((certificate) => !certificate.ca) ?? parsed[0];
      if (leaf === undefined) throw invalid(SecurityErrorCode.SIGNATURE_INVALID, 'KeyInfo carries no X509Certificate');
      let chain = [leaf];
      if (this.#trusted !== undefined) {
        const intermediates = parsed.filter((certificate) => certificate !== leaf);
        chain = verifyCertificateChain(leaf, { trusted: this.#trusted, intermediates, at: new Date(now), requiredKeyUsage: 'digitalSignature' });
      } else {
        const usage = readCertificateDetails(leaf).keyUsage;
        if (usage !== undefined && !usage.has('digitalSignature')) {
          throw invalid(SecurityErrorCode.CERT_KEY_USAGE, 'the signing certificate lacks the digitalSignature key usage');
        }
      }
      signer = {
        certificate: leaf,
        publicKey: leaf.publicKey,
        fingerprint: venFingerprint(leaf),
        // The whole chain has to be valid; later messages re-check this window only.
        validFrom: Math.max(...chain.map((certificate) => Date.parse(certificate.validFrom))),
        validTo: Math.min(...chain.map((certificate) => Date.parse(certificate.validTo))),
      };
      if (this.#signers.size >= SIGNER_CACHE_LIMIT) this.#signers.clear();
      this.#signers.set(key, signer);
    }
    // The chain was checked when first seen; its validity is re-checked on every message.
    if (now < signer.validFrom || now > signer.validTo) {
      throw invalid(
        SecurityErrorCode.CERT_EXPIRED,
        `the signing certificate chain is valid from ${new Date(signer.validFrom).toISOString()} to ${new Date(signer.validTo).toISOString()}`,
      );
    }
    return signer;
  }
}

interface Reference {
  readonly uri: string;
  readonly c14n: typeof C14N | typeof EXC_C14N;
  readonly enveloped: boolean;
  readonly inclusivePrefixes: readonly string[] | undefined;
  readonly digest: string;
}

interface SignatureParts {
  readonly signedInfo: XmlElement;
  readonly c14n: typeof C14N | typeof EXC_C14N;
  readonly algorithm: typeof RSA_SHA256 | typeof ECDSA_SHA256;
  readonly references: readonly Reference[];
  readonly signatureValue: Buffer;
  readonly certificates: readonly string[];
  readonly replayProtect: XmlElement;
}

function read(xml: string): XmlDocument {
  try {
    return parseXml(xml);
  } catch (cause) {
    if (cause instanceof XmlSyntaxError) throw new SecurityError(SecurityErrorCode.XML_MALFORMED, `payload is not well-formed XML: ${cause.message}`, { cause });
    throw cause;
  }
}

function utf8(bytes: Uint8Array): string {
  try {
    return UTF8.decode(bytes);
  } catch (cause) {
    throw new SecurityError(SecurityErrorCode.XML_MALFORMED, 'payload is not valid UTF-8', { cause });
  }
}

function invalid(code: SecurityErrorCode, message: string): SecurityError {
  return new SecurityError(code, message);
}

/** The 2.0b envelope: oadrPayload → optional ds:Signature → oadrSignedObject, nothing else. */
function envelope(doc: XmlDocument): { signature: XmlElement | undefined; signedObject: XmlElement } {
  const root = doc.root;
  if (root.ns !== OADR_NS || root.local !== 'oadrPayload') throw invalid(SecurityErrorCode.XML_MALFORMED, 'the document element is not oadr:oadrPayload');
  const children = childElements(root);
  const first = children[0];
  const signature = first !== undefined && first.ns === DS_NS && first.local === 'Signature' ? first : undefined;
  const rest = signature === undefined ? children : children.slice(1);
  const signedObject = rest[0];
  if (rest.some((child) => child.ns === DS_NS && child.local === 'Signature')) {
    throw invalid(SecurityErrorCode.SIGNATURE_INVALID, 'ds:Signature must be the first child of oadrPayload, before oadrSignedObject');
  }
  if (rest.length !== 1 || signedObject === undefined || signedObject.ns !== OADR_NS || signedObject.local !== 'oadrSignedObject') {
    throw invalid(SecurityErrorCode.XML_MALFORMED, 'oadrPayload must hold exactly one oadrSignedObject');
  }
  return { signature, signedObject };
}

function one(parent: XmlElement, ns: string, local: string): XmlElement {
  const found = childElements(parent, ns, local);
  const element = found[0];
  if (found.length !== 1 || element === undefined) throw invalid(SecurityErrorCode.SIGNATURE_INVALID, `expected one ${local} in ${parent.local}`);
  return element;
}

function algorithmOf(element: XmlElement): string {
  return attributeValue(element, '', 'Algorithm') ?? '';
}

function c14nAlgorithm(uri: string): typeof C14N | typeof EXC_C14N {
  if (uri === C14N || uri === EXC_C14N) return uri;
  throw invalid(SecurityErrorCode.SIGNATURE_INVALID, `canonicalisation ${uri} is not supported (C14N 1.0 or exclusive C14N, without comments)`);
}

function signatureParts(signature: XmlElement): SignatureParts {
  const signedInfo = one(signature, DS_NS, 'SignedInfo');
  const c14n = c14nAlgorithm(algorithmOf(one(signedInfo, DS_NS, 'CanonicalizationMethod')));
  const algorithm = algorithmOf(one(signedInfo, DS_NS, 'SignatureMethod'));
  if (algorithm !== RSA_SHA256 && algorithm !== ECDSA_SHA256) {
    throw invalid(SecurityErrorCode.SIGNATURE_INVALID, `signature method ${algorithm} is not rsa-sha256 or ecdsa-sha256`);
  }
  const references = childElements(signedInfo, DS_NS, 'Reference').map(referenceOf);
  if (references.length === 0) throw invalid(SecurityErrorCode.SIGNATURE_INVALID, 'SignedInfo has no Reference');

  const keyInfo = one(signature, DS_NS, 'KeyInfo');
  const certificates = childElements(keyInfo, DS_NS, 'X509Data').flatMap((data) =>
    childElements(data, DS_NS, 'X509Certificate').map((element) => textOf(element).replace(/\s+/g, '')),
  );
  if (certificates.length === 0) throw invalid(SecurityErrorCode.SIGNATURE_INVALID, 'KeyInfo carries no X509Data/X509Certificate');

  const replayProtects = childElements(signature, DS_NS, 'Object')
    .flatMap((object) => childElements(object, DS_NS, 'SignatureProperties'))
    .flatMap((properties) => childElements(properties, DS_NS, 'SignatureProperty'))
    .flatMap((property) => childElements(property, DSP_NS, 'ReplayProtect'));
  const replayProtect = replayProtects[0];
  if (replayProtects.length !== 1 || replayProtect === undefined) {
    throw invalid(SecurityErrorCode.SIGNATURE_INVALID, 'the signature must carry exactly one dsp:ReplayProtect in ds:Object/SignatureProperties');
  }
  return {
    signedInfo,
    c14n,
    algorithm,
    references,
    signatureValue: Buffer.from(textOf(one(signature, DS_NS, 'SignatureValue')).replace(/\s+/g, ''), 'base64'),
    certificates,
    replayProtect,
  };
}

function referenceOf(reference: XmlElement): Reference {
  const uri = attributeValue(reference, '', 'URI');
  if (uri === undefined) throw invalid(SecurityErrorCode.SIGNATURE_INVALID, 'a Reference without URI');
  let c14n: typeof C14N | typeof EXC_C14N = C14N;
  let enveloped = false;
  let inclusivePrefixes: string[] | undefined;
  const transforms = childElements(reference, DS_NS, 'Transforms')[0];
  for (const transform of transforms === undefined ? [] : childElements(transforms, DS_NS, 'Transform')) {
    const algorithm = algorithmOf(transform);
    if (algorithm === ENVELOPED_SIGNATURE) enveloped = true;
    else {
      c14n = c14nAlgorithm(algorithm);
      const prefixList = childElements(transform, EXC_C14N, 'InclusiveNamespaces')[0];
      const list = prefixList === undefined ? undefined : attributeValue(prefixList, '', 'PrefixList');
      inclusivePrefixes = list === undefined ? undefined : list.split(/\s+/).filter((prefix) => prefix !== '');
    }
  }
  const digestMethod = algorithmOf(one(reference, DS_NS, 'DigestMethod'));
  if (digestMethod !== SHA256) throw invalid(SecurityErrorCode.SIGNATURE_INVALID, `digest method ${digestMethod} is not SHA-256`);
  return { uri, c14n, enveloped, inclusivePrefixes, digest: textOf(one(reference, DS_NS, 'DigestValue')).replace(/\s+/g, '') };
}

/** Elements by Id attribute (any namespace: oadr:Id and the unqualified Id of ds elements). */
function idIndex(root: XmlElement): Map<string, XmlElement> {
  const ids = new Map<string, XmlElement>();
  const visit = (element: XmlElement): void => {
    for (const attribute of element.attributes) {
      if (attribute.local !== 'Id') continue;
      // Two elements with one Id is how signature-wrapping attacks smuggle content in.
      if (ids.has(attribute.value) && ids.get(attribute.value) !== element) {
        throw invalid(SecurityErrorCode.SIGNATURE_INVALID, `Id ${JSON.stringify(attribute.value)} is used twice`);
      }
      ids.set(attribute.value, element);
    }
    for (const child of element.children) if (child.kind === 'element' && !child.verbatim) visit(child);
  };
  visit(root);
  return ids;
}

function isAncestorOrSelf(ancestor: XmlElement, element: XmlElement): boolean {
  for (let node: XmlElement | undefined = element; node !== undefined; node = node.parent) if (node === ancestor) return true;
  return false;
}

function checkSignature(data: Buffer, key: KeyObject, value: Buffer): boolean {
  if (key.asymmetricKeyType === 'rsa') return verify('sha256', data, key, value);
  // XMLDSig ECDSA values are r‖s (RFC 4050); some producers send DER, which is the same signature.
  if (verify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, value)) return true;
  return value[0] === 0x30 && verify('sha256', data, { key, dsaEncoding: 'der' }, value);
}

function replayProtect(element: XmlElement): { timestamp: Date; nonce: string } {
  const stamp = textOf(one(element, DSP_NS, 'timestamp')).trim();
  const nonce = textOf(one(element, DSP_NS, 'nonce')).trim();
  const time = DATE_TIME.test(stamp) ? Date.parse(stamp) : NaN;
  if (Number.isNaN(time)) throw invalid(SecurityErrorCode.TIMESTAMP_OUT_OF_WINDOW, `ReplayProtect timestamp ${JSON.stringify(stamp)} is not a date-time with a zone`);
  if (nonce === '' || nonce.length > 256) throw invalid(SecurityErrorCode.SIGNATURE_INVALID, 'ReplayProtect nonce is empty or longer than 256 characters');
  return { timestamp: new Date(time), nonce };
}
