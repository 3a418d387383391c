import { createHash, createPrivateKey, randomUUID, sign, type KeyObject } from 'node:crypto';
import { OadrInvalidArgumentError } from '@oadr-kit/protocol';
import { parseCertificateBundle } from './verifyCertificate.js';
import { C14N, canonicalize, EXC_C14N } from './xml/canonicalize.js';
import { DS_NS, DSP_NS, ECDSA_SHA256, OADR_NS, RSA_SHA256, SHA256, SIGNATURE_PROPERTIES_TYPE } from './xml/dsig.js';
import { attributeValue, childElements, lookupNamespace, namespacesInScope, parseXml, XmlSyntaxError, type XmlDocument, type XmlElement } from './xml/parseXml.js';

export interface PayloadSignerOptions {
  /** The signing key (PEM; RSA or EC P-256). */
  readonly keyPem: string;
  /** The signing certificate (PEM), optionally followed by intermediates; all go into X509Data. */
  readonly certificatePem: string;
  /** Default `inclusive` (C14N 1.0, what the 2.0b stacks use); `exclusive` for peers that need it. */
  readonly canonicalization?: 'inclusive' | 'exclusive';
  /** Clock for the ReplayProtect timestamp; default the system clock. */
  readonly now?: () => Date;
  /** Nonce source; default a random UUID. */
  readonly nonce?: () => string;
}

/** Id values this signer gives; a payload that already uses them keeps its own for oadrSignedObject. */
const SIGNED_OBJECT_ID = 'oadrSignedObject';
const SIGNATURE_ID = 'oadrSignature';
const PROPERTIES_ID = 'oadrReplayProtect';

/**
 * Signs oadrPayload documents the 2.0b way: `ds:Signature` as the first child of `oadrPayload`,
 * one reference to `#<oadr:Id of oadrSignedObject>` and one to the `ds:SignatureProperties`
 * holding `dsp:ReplayProtect` (timestamp, nonce), SHA-256 digests, rsa-sha256 or ecdsa-sha256,
 * and the certificate in KeyInfo/X509Data. Create one per key and reuse it: the key and
 * certificate are parsed once.
 */
export class PayloadSigner {
  readonly #key: KeyObject;
  readonly #algorithm: typeof RSA_SHA256 | typeof ECDSA_SHA256;
  readonly #certificates: readonly string[];
  readonly #c14n: typeof C14N | typeof EXC_C14N;
  readonly #now: () => Date;
  readonly #nonce: () => string;

  constructor(options: PayloadSignerOptions) {
    try {
      this.#key = createPrivateKey(options.keyPem);
    } catch (cause) {
      throw new OadrInvalidArgumentError('OADR_ERR_SEC_INVALID_ARGUMENT', 'keyPem is not a private key', { cause });
    }
    const type = this.#key.asymmetricKeyType;
    if (type === 'rsa') this.#algorithm = RSA_SHA256;
    else if (type === 'ec' && this.#key.asymmetricKeyDetails?.namedCurve === 'prime256v1') this.#algorithm = ECDSA_SHA256;
    else throw new OadrInvalidArgumentError('OADR_ERR_SEC_INVALID_ARGUMENT', `2.0b signs with RSA or EC P-256 keys, not ${String(type)}`);
    const certificates = parseCertificateBundle(options.certificatePem);
    const leaf = certificates[0];
    if (leaf === undefined || !leaf.checkPrivateKey(this.#key)) {
      throw new OadrInvalidArgumentError('OADR_ERR_SEC_INVALID_ARGUMENT', 'the first certificate does not belong to keyPem');
    }
    this.#certificates = certificates.map((certificate) => certificate.raw.toString('base64'));
    this.#c14n = options.canonicalization === 'exclusive' ? EXC_C14N : C14N;
    this.#now = options.now ?? (() => new Date());
    this.#nonce = options.nonce ?? randomUUID;
  }

  /** Returns the payload with a `ds:Signature` inserted as the first child of `oadrPayload`. */
  sign(payloadXml: string): string {
    let doc = read(payloadXml);
    let signedObject = signedObjectOf(doc);
    let id = attributeValue(signedObject, OADR_NS, 'Id');
    if (id === undefined) {
      id = SIGNED_OBJECT_ID;
      doc = read(withId(doc, signedObject, id));
      signedObject = signedObjectOf(doc);
    }
    const root = doc.root;
    const transform = `<ds:Transforms><ds:Transform Algorithm="${this.#c14n}"/></ds:Transforms>`;
    const objectDigest = digest(canonicalize(signedObject, { algorithm: this.#c14n }));

    const object =
      `<ds:Object><ds:SignatureProperties Id="${PROPERTIES_ID}"><ds:SignatureProperty Target="#${SIGNATURE_ID}">` +
      `<dsp:ReplayProtect xmlns:dsp="${DSP_NS}"><dsp:timestamp>${this.#now().toISOString()}</dsp:timestamp>` +
      `<dsp:nonce>${escapeText(this.#nonce())}</dsp:nonce></dsp:ReplayProtect></ds:SignatureProperty></ds:SignatureProperties></ds:Object>`;
    const open = `<ds:Signature xmlns:ds="${DS_NS}" Id="${SIGNATURE_ID}">`;
    // The referenced parts are canonicalised inside a copy of the oadrPayload start tag, which is
    // all of their context that C14N looks at (namespaces and xml:* attributes in scope).
    const inContext = (inner: string): XmlElement => {
      const signature = childElements(read(`${doc.source.slice(root.start, root.startTagEnd)}${open}${inner}</ds:Signature></${qname(root)}>`).root)[0];
      const first = signature === undefined ? undefined : childElements(signature)[0];
      if (first === undefined) throw new TypeError('signature template lost its content');
      return first;
    };
    const properties = childElements(inContext(object))[0];
    if (properties === undefined) throw new TypeError('signature template lost its properties');
    const propertiesDigest = digest(canonicalize(properties, { algorithm: this.#c14n }));

    const signedInfo =
      `<ds:SignedInfo><ds:CanonicalizationMethod Algorithm="${this.#c14n}"/><ds:SignatureMethod Algorithm="${this.#algorithm}"/>` +
      `<ds:Reference URI="#${escapeAttribute(id)}">${transform}<ds:DigestMethod Algorithm="${SHA256}"/><ds:DigestValue>${objectDigest}</ds:DigestValue></ds:Reference>` +
      `<ds:Reference URI="#${PROPERTIES_ID}" Type="${SIGNATURE_PROPERTIES_TYPE}">${transform}<ds:DigestMethod Algorithm="${SHA256}"/><ds:DigestValue>${propertiesDigest}</ds:DigestValue></ds:Reference>` +
      `</ds:SignedInfo>`;
    const canonicalSignedInfo = canonicalize(inContext(signedInfo), { algorithm: this.#c14n });
    const value = sign('sha256', Buffer.from(canonicalSignedInfo, 'utf8'), { key: this.#key, dsaEncoding: 'ieee-p1363' }).toString('base64');

    const keyInfo = `<ds:KeyInfo><ds:X509Data>${this.#certificates.map((c) => `<ds:X509Certificate>${c}</ds:X509Certificate>`).join('')}</ds:X509Data></ds:KeyInfo>`;
    const signature = `${open}${signedInfo}<ds:SignatureValue>${value}</ds:SignatureValue>${keyInfo}${object}</ds:Signature>`;
    return doc.source.slice(0, root.startTagEnd) + signature + doc.source.slice(root.startTagEnd);
  }
}

function read(xml: string): XmlDocument {
  try {
    return parseXml(xml);
  } catch (cause) {
    if (cause instanceof XmlSyntaxError) throw new OadrInvalidArgumentError('OADR_ERR_SEC_INVALID_ARGUMENT', `payload to sign: ${cause.message}`, { cause });
    throw cause;
  }
}

function signedObjectOf(doc: XmlDocument): XmlElement {
  const root = doc.root;
  if (root.ns !== OADR_NS || root.local !== 'oadrPayload') {
    throw new OadrInvalidArgumentError('OADR_ERR_SEC_INVALID_ARGUMENT', 'only an oadr:oadrPayload document can be signed');
  }
  const children = childElements(root);
  if (children.some((child) => child.ns === DS_NS && child.local === 'Signature')) {
    throw new OadrInvalidArgumentError('OADR_ERR_SEC_INVALID_ARGUMENT', 'the payload is already signed');
  }
  const signedObject = children[0];
  if (children.length !== 1 || signedObject === undefined || signedObject.ns !== OADR_NS || signedObject.local !== 'oadrSignedObject') {
    throw new OadrInvalidArgumentError('OADR_ERR_SEC_INVALID_ARGUMENT', 'oadrPayload must hold exactly one oadrSignedObject');
  }
  return signedObject;
}

/** Adds the qualified `oadr:Id` the 2.0b schema wants (attributeFormDefault="qualified"). */
function withId(doc: XmlDocument, element: XmlElement, id: string): string {
  let prefix = element.prefix !== '' ? element.prefix : [...namespacesInScope(element)].find(([p, uri]) => p !== '' && uri === OADR_NS)?.[0];
  let declaration = '';
  if (prefix === undefined) {
    prefix = lookupNamespace(element, 'oadr') === undefined ? 'oadr' : 'oadrId';
    declaration = ` xmlns:${prefix}="${OADR_NS}"`;
  }
  const at = element.startTagEnd - (doc.source.charCodeAt(element.startTagEnd - 2) === 0x2f /* / */ ? 2 : 1);
  return `${doc.source.slice(0, at)}${declaration} ${prefix}:Id="${id}"${doc.source.slice(at)}`;
}

function qname(element: XmlElement): string {
  return element.prefix === '' ? element.local : `${element.prefix}:${element.local}`;
}

function digest(canonical: string): string {
  return createHash('sha256').update(canonical, 'utf8').digest('base64');
}

function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function escapeAttribute(text: string): string {
  return escapeText(text).replace(/"/g, '&quot;');
}
