import { PayloadSigner, PayloadVerifier, type NonceStore } from '@oadr-kit/security';
import type { SignatureHooks } from './OadrServices.js';

export interface XmlSignatureOptions {
  /** The VTN's signing key and certificate (the certificate may be followed by its intermediate). */
  readonly keyPem: string;
  readonly certificatePem: string;
  /** CA bundle the VENs' signing certificates must chain to. */
  readonly ca: string;
  /** How far a ReplayProtect timestamp may be from the VTN's clock, either way (default 5 minutes). */
  readonly windowMs?: number;
  /** Where seen nonces are kept; share one store between VTN processes behind one address. */
  readonly nonces?: NonceStore;
  readonly now?: () => number;
}

/**
 * XML signatures with the security package: requests of VENs that registered with oadrXmlSignature
 * (and any signed request) must carry a valid signature by the VEN's own certificate (the one whose
 * fingerprint it registered with), fresh and not replayed; replies are signed with the VTN's key.
 */
export function xmlSignatureHooks(options: XmlSignatureOptions): SignatureHooks {
  const now = options.now;
  const signer = new PayloadSigner({ keyPem: options.keyPem, certificatePem: options.certificatePem, ...(now === undefined ? {} : { now: () => new Date(now()) }) });
  const verifier = new PayloadVerifier({
    trusted: options.ca,
    ...(options.windowMs === undefined ? {} : { windowMs: options.windowMs }),
    ...(options.nonces === undefined ? {} : { nonces: options.nonces }),
    ...(now === undefined ? {} : { now }),
  });
  return {
    verify(decoded, ven) {
      verifier.verify(decoded.xml, ven.fingerprint === undefined ? {} : { expectedFingerprint: ven.fingerprint });
    },
    sign: (xml) => signer.sign(xml),
  };
}
