/** The XML namespaces of OpenADR 2.0b, keyed by the prefix the official schema uses. */
export const NAMESPACES = {
  oadr: 'http://openadr.org/oadr-2.0b/2012/07',
  pyld: 'http://docs.oasis-open.org/ns/energyinterop/201110/payloads',
  ei: 'http://docs.oasis-open.org/ns/energyinterop/201110',
  emix: 'http://docs.oasis-open.org/ns/emix/2011/06',
  power: 'http://docs.oasis-open.org/ns/emix/2011/06/power',
  scale: 'http://docs.oasis-open.org/ns/emix/2011/06/siscale',
  strm: 'urn:ietf:params:xml:ns:icalendar-2.0:stream',
  xcal: 'urn:ietf:params:xml:ns:icalendar-2.0',
  ds: 'http://www.w3.org/2000/09/xmldsig#',
  dsp: 'http://openadr.org/oadr-2.0b/2012/07/xmldsig-properties',
  xsi: 'http://www.w3.org/2001/XMLSchema-instance',
} as const;

export type NamespacePrefix = keyof typeof NAMESPACES;

/** The service endpoints of simple HTTP, relative to the VTN's (or a push VEN's) base URL. */
export const SERVICE_PATH_PREFIX = '/OpenADR2/Simple/2.0b';
export const SERVICES = ['EiEvent', 'EiOpt', 'EiReport', 'EiRegisterParty', 'OadrPoll'] as const;
export type ServiceName = (typeof SERVICES)[number];
