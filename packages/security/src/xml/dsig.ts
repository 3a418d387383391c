/** XMLDSig names used by the 2.0b signature profile. */
export const DS_NS = 'http://www.w3.org/2000/09/xmldsig#';
export const DSP_NS = 'http://openadr.org/oadr-2.0b/2012/07/xmldsig-properties';
export const OADR_NS = 'http://openadr.org/oadr-2.0b/2012/07';

export const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
export const ECDSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256';
export const SHA256 = 'http://www.w3.org/2001/04/xmlenc#sha256';
export const ENVELOPED_SIGNATURE = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';
export const SIGNATURE_PROPERTIES_TYPE = 'http://www.w3.org/2000/09/xmldsig#SignatureProperties';
