import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { OadrProtocolError, ProtocolErrorCode } from '../errors.js';
import { NAMESPACES } from '../namespaces.js';
import type { Field, LeafNode, Node, ObjectNode } from '../schema/dsl.js';
import { MESSAGE_NODES, type MessageType, type OadrMessage } from '../schema/model.js';
import { validateInbound } from './validate.js';

/** What fast-xml-parser makes of an element: text, or an object of attributes (`@_…`), `#text` and children. */
type XmlValue = string | XmlObject;
interface XmlObject {
  [key: string]: XmlValue | XmlValue[];
}
/** prefix → namespace URI in scope ('' is the default namespace). */
type Scope = Readonly<Record<string, string>>;

export interface DecodeOptions {
  /** Largest body accepted, in bytes (default 1 MiB). Larger bodies fail before any parsing. */
  maxBytes?: number;
}

export interface DecodedPayload {
  message: OadrMessage;
  /** The `oadr:Id` of oadrSignedObject, which an XML signature references. */
  signedObjectId: string | undefined;
  /** True when the payload carries a ds:Signature (verifying it is the security package's job). */
  signed: boolean;
  /** The document as received, kept because users need to see what was on the wire. */
  xml: string;
}

export const DEFAULT_MAX_BYTES = 1024 * 1024;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
  htmlEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  removeNSPrefix: false,
});

// Entity declarations are how XXE and "billion laughs" attacks arrive; 2.0b never needs a DTD.
const DTD_RE = /<!\s*(DOCTYPE|ENTITY)/i;
const OADR = NAMESPACES.oadr;
const DS = NAMESPACES.ds;

/**
 * Decodes an oadrPayload document: size limit, no DTD, well-formedness, namespaces resolved by URI
 * (peers use any prefixes), then the body is validated against the 2.0b JSON Schema. Every failure is
 * an OadrProtocolError naming the element and carrying the answer a server should send.
 */
export function decodePayload(input: string | Uint8Array, options: DecodeOptions = {}): DecodedPayload {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const size = typeof input === 'string' ? Buffer.byteLength(input, 'utf8') : input.byteLength;
  if (size > maxBytes) {
    throw new OadrProtocolError(ProtocolErrorCode.XML_TOO_LARGE, `payload of ${size} bytes exceeds the limit of ${maxBytes} bytes`);
  }
  const xml = typeof input === 'string' ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength).toString('utf8');
  if (DTD_RE.test(xml)) {
    throw new OadrProtocolError(ProtocolErrorCode.XML_DTD_FORBIDDEN, 'DOCTYPE and ENTITY declarations are not allowed in OpenADR payloads');
  }
  const wellFormed = XMLValidator.validate(xml);
  if (wellFormed !== true) {
    const { msg, line, col } = wellFormed.err;
    throw new OadrProtocolError(ProtocolErrorCode.XML_MALFORMED, `malformed XML at line ${line}, column ${col}: ${msg}`);
  }
  const doc = parser.parse(xml) as XmlObject;
  const rootKeys = Object.keys(doc);
  if (rootKeys.length !== 1) {
    throw new OadrProtocolError(ProtocolErrorCode.XML_MALFORMED, `expected one root element, found ${rootKeys.length}`);
  }
  const rootKey = rootKeys[0]!;
  const root = asObject(doc[rootKey]!, rootKey);
  const rootScope = extendScope({}, root);
  const rootName = resolve(rootKey, rootScope);
  if (rootName.local !== 'oadrPayload') {
    throw new OadrProtocolError(ProtocolErrorCode.XML_UNKNOWN_ROOT, `root element ${rootKey} is not oadr:oadrPayload`, { element: rootKey });
  }
  if (rootName.uri !== OADR) {
    throw new OadrProtocolError(
      ProtocolErrorCode.XML_WRONG_NAMESPACE,
      `oadrPayload is in namespace "${rootName.uri}", expected "${OADR}"`,
      { element: rootKey },
    );
  }

  let signed = false;
  let signedObject: { value: XmlObject; key: string } | undefined;
  for (const key of elementKeys(root)) {
    const name = resolve(key, rootScope);
    if (name.uri === DS && name.local === 'Signature') signed = true;
    else if (name.uri === OADR && name.local === 'oadrSignedObject') signedObject = { value: asObject(single(root[key]!, key), key), key };
    else throw unexpected(`oadr:oadrPayload/${key}`, name.uri);
  }
  if (signedObject === undefined) {
    throw new OadrProtocolError(ProtocolErrorCode.ELEMENT_MISSING, 'oadr:oadrPayload: required element oadr:oadrSignedObject is missing', {
      element: 'oadr:oadrPayload/oadr:oadrSignedObject',
    });
  }
  const soScope = extendScope(rootScope, signedObject.value);
  const messageKeys = elementKeys(signedObject.value);
  if (messageKeys.length !== 1) {
    throw new OadrProtocolError(
      messageKeys.length === 0 ? ProtocolErrorCode.ELEMENT_MISSING : ProtocolErrorCode.ELEMENT_UNEXPECTED,
      `oadr:oadrSignedObject must hold exactly one message, found ${messageKeys.length}`,
      { element: 'oadr:oadrPayload/oadr:oadrSignedObject' },
    );
  }
  const messageKey = messageKeys[0]!;
  const messageName = resolve(messageKey, soScope);
  const type = messageName.local as MessageType;
  if (!Object.hasOwn(MESSAGE_NODES, type)) {
    throw new OadrProtocolError(ProtocolErrorCode.MESSAGE_UNKNOWN, `${messageKey} is not an OpenADR 2.0b message`, { element: messageKey });
  }
  if (messageName.uri !== OADR) {
    throw new OadrProtocolError(
      ProtocolErrorCode.XML_WRONG_NAMESPACE,
      `${type} is in namespace "${messageName.uri}", expected "${OADR}"`,
      { element: `oadr:${type}` },
    );
  }
  const messageValue = single(signedObject.value[messageKey]!, messageKey);
  const messageObject = typeof messageValue === 'string' ? {} : messageValue;
  const schemaVersion = attribute(messageObject, 'schemaVersion');
  if (schemaVersion !== undefined && schemaVersion !== '2.0b') {
    throw new OadrProtocolError(ProtocolErrorCode.SCHEMA_VERSION_UNSUPPORTED, `schemaVersion "${schemaVersion}" is not supported; expected 2.0b`, {
      element: `oadr:${type}`,
    });
  }
  const body = decodeObject(MESSAGE_NODES[type], messageObject, soScope, `oadr:${type}`);
  validateInbound(type, body);
  return {
    message: { type, body } as OadrMessage,
    signedObjectId: attribute(signedObject.value, 'Id'),
    signed,
    xml,
  };
}

function decodeObject(node: ObjectNode, value: XmlObject, parentScope: Scope, where: string): Record<string, unknown> {
  const scope = extendScope(parentScope, value);
  const result: Record<string, unknown> = {};
  for (const key of elementKeys(value)) {
    const name = resolve(key, scope);
    const route = node.byElement.get(`${name.uri} ${name.local}`);
    if (route === undefined) throw unexpected(`${where}/${key}`, name.uri);
    const { field, via } = route;
    if (field.fixedEmpty) continue;
    const decoded = decodeField(field, value[key]!, scope, `${where}/${key}`);
    if (via === undefined) {
      result[field.key] = decoded;
    } else {
      const group = (result[via.key] ??= {}) as Record<string, unknown>;
      group[field.key] = decoded;
    }
  }
  return result;
}

function decodeField(field: Field, raw: XmlValue | XmlValue[], scope: Scope, where: string): unknown {
  if (field.repeatAt === 0) {
    const items = Array.isArray(raw) ? raw : [raw];
    return items.map((item, i) => descend(field, 1, item, scope, `${where}[${i}]`));
  }
  return descend(field, 1, single(raw, where), scope, where);
}

/** Walks down the field's path below `level`, then converts what is there. */
function descend(field: Field, level: number, value: XmlValue, parentScope: Scope, where: string): unknown {
  if (level === field.path.length) return convert(field.node, value, parentScope, where);
  const container = typeof value === 'string' ? {} : value;
  const scope = extendScope(parentScope, container);
  const expected = field.path[level]!;
  let found: XmlValue | XmlValue[] | undefined;
  let foundKey = expected.tag;
  for (const key of elementKeys(container)) {
    const name = resolve(key, scope);
    if (`${name.uri} ${name.local}` !== expected.key) throw unexpected(`${where}/${key}`, name.uri);
    found = container[key];
    foundKey = key;
  }
  const inner = `${where}/${foundKey}`;
  if (level === field.repeatAt) {
    const items = found === undefined ? [] : Array.isArray(found) ? found : [found];
    return items.map((item, i) => descend(field, level + 1, item, scope, `${inner}[${i}]`));
  }
  // A missing inner element leaves the value undefined; validation then names what is missing.
  return found === undefined ? undefined : descend(field, level + 1, single(found, inner), scope, inner);
}

function convert(node: Node, value: XmlValue, scope: Scope, where: string): unknown {
  if (node.kind === 'object') return decodeObject(node, typeof value === 'string' ? {} : value, scope, where);
  return leaf(node, text(value, where));
}

const UINT_RE = /^\+?\d+$/;
const FLOAT_RE = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** Converts text to the leaf's type; text that does not convert stays a string so validation names it. */
function leaf(node: LeafNode, content: string): unknown {
  switch (node.kind) {
    case 'uint':
      return UINT_RE.test(content) ? Number(content) : content;
    case 'float':
    case 'decimal':
      return FLOAT_RE.test(content) ? Number(content) : content;
    case 'boolean':
      if (content === 'true' || content === '1') return true;
      if (content === 'false' || content === '0') return false;
      return content;
    default:
      return content;
  }
}

function text(value: XmlValue, where: string): string {
  let content: string;
  if (typeof value === 'string') {
    content = value;
  } else {
    const children = elementKeys(value);
    if (children.length > 0) throw unexpected(`${where}/${children[0]}`, undefined);
    const t = value['#text'];
    content = typeof t === 'string' ? t : '';
  }
  return content.includes('&#') ? decodeCharacterReferences(content) : content;
}

// fast-xml-parser leaves numeric character references alone when HTML entities are off.
function decodeCharacterReferences(content: string): string {
  return content.replace(/&#(x[0-9a-fA-F]+|\d+);/g, (whole, ref: string) => {
    const code = ref.startsWith('x') ? parseInt(ref.slice(1), 16) : parseInt(ref, 10);
    return code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}

function elementKeys(value: XmlObject): string[] {
  return Object.keys(value).filter((k) => !k.startsWith('@_') && k !== '#text');
}

function single(value: XmlValue | XmlValue[], where: string): XmlValue {
  if (!Array.isArray(value)) return value;
  if (value.length === 1) return value[0]!;
  throw new OadrProtocolError(ProtocolErrorCode.ELEMENT_UNEXPECTED, `${where} appears ${value.length} times; the schema allows one`, { element: where });
}

function asObject(value: XmlValue | XmlValue[], where: string): XmlObject {
  const one = single(value, where);
  return typeof one === 'string' ? {} : one;
}

function extendScope(scope: Scope, value: XmlObject): Scope {
  let extended: Record<string, string> | undefined;
  for (const key in value) {
    if (!key.startsWith('@_xmlns')) continue;
    extended ??= { ...scope };
    const prefix = key === '@_xmlns' ? '' : key.slice('@_xmlns:'.length);
    extended[prefix] = value[key] as string;
  }
  return extended ?? scope;
}

function resolve(key: string, scope: Scope): { uri: string; local: string } {
  const colon = key.indexOf(':');
  const prefix = colon < 0 ? '' : key.slice(0, colon);
  const local = colon < 0 ? key : key.slice(colon + 1);
  const uri = scope[prefix];
  if (uri === undefined && prefix !== '') {
    throw new OadrProtocolError(ProtocolErrorCode.XML_MALFORMED, `namespace prefix "${prefix}" of element ${key} is not declared`, { element: key });
  }
  return { uri: uri ?? '', local };
}

function attribute(value: XmlObject, local: string): string | undefined {
  for (const key in value) {
    if (!key.startsWith('@_') || key.startsWith('@_xmlns')) continue;
    const name = key.slice(2);
    if (name === local || name.endsWith(`:${local}`)) return value[key] as string;
  }
  return undefined;
}

function unexpected(where: string, uri: string | undefined): OadrProtocolError {
  const ns = uri === undefined ? '' : ` (namespace "${uri}")`;
  return new OadrProtocolError(ProtocolErrorCode.ELEMENT_UNEXPECTED, `unexpected element ${where}${ns}`, { element: where });
}
