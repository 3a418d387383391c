import forge from 'node-forge';

// node-forge functions that @types/node-forge does not declare (or declares without options).

/** Parses DER; BIT STRING contents stay raw bytes so re-encoding reproduces them exactly. */
export function fromDerRaw(bytes: string): forge.asn1.Asn1 {
  const fromDer = forge.asn1.fromDer as unknown as (bytes: string, options: { decodeBitStrings: boolean }) => forge.asn1.Asn1;
  return fromDer(bytes, { decodeBitStrings: false });
}

/** An extension as node-forge decodes it: its name plus one property per decoded field. */
export interface ForgeExtension {
  readonly name?: string;
  readonly subjectKeyIdentifier?: string;
  readonly [field: string]: unknown;
}

export function extensionsFromAsn1(wrapper: forge.asn1.Asn1): ForgeExtension[] {
  const pki = forge.pki as unknown as { certificateExtensionsFromAsn1(exts: forge.asn1.Asn1): ForgeExtension[] };
  return pki.certificateExtensionsFromAsn1(wrapper);
}

export function extensionsToAsn1(extensions: readonly object[]): forge.asn1.Asn1 {
  const pki = forge.pki as unknown as { certificateExtensionsToAsn1(exts: readonly object[]): forge.asn1.Asn1 };
  return pki.certificateExtensionsToAsn1(extensions);
}

/** The children of a constructed node (empty for primitives). */
export function childrenOf(node: forge.asn1.Asn1 | undefined): forge.asn1.Asn1[] {
  return node !== undefined && Array.isArray(node.value) ? node.value : [];
}
