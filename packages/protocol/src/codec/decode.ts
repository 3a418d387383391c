import { OadrProtocolError, ProtocolErrorCode } from '../errors.js';
import { NAMESPACES } from '../namespaces.js';
import type { Field, LeafNode, ObjectNode } from '../schema/dsl.js';
import { MESSAGE_NODES, type MessageType, type OadrMessage } from '../schema/model.js';
import { validateInbound } from './validate.js';
import { readXml, type XmlElement } from './xmlReader.js';

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
  const root = readXml(xml);
  if (root.local !== 'oadrPayload') {
    throw new OadrProtocolError(ProtocolErrorCode.XML_UNKNOWN_ROOT, `root element ${root.name} is not oadr:oadrPayload`, { element: root.name });
  }
  if (root.uri !== OADR) {
    throw new OadrProtocolError(ProtocolErrorCode.XML_WRONG_NAMESPACE, `oadrPayload is in namespace "${root.uri}", expected "${OADR}"`, {
      element: root.name,
    });
  }

  let signed = false;
  let signedObject: XmlElement | undefined;
  for (const child of root.children) {
    if (child.uri === DS && child.local === 'Signature') signed = true;
    else if (child.uri === OADR && child.local === 'oadrSignedObject' && signedObject === undefined) signedObject = child;
    else throw unexpected(`oadr:oadrPayload/${child.name}`, child.uri);
  }
  if (signedObject === undefined) {
    throw new OadrProtocolError(ProtocolErrorCode.ELEMENT_MISSING, 'oadr:oadrPayload: required element oadr:oadrSignedObject is missing', {
      element: 'oadr:oadrPayload/oadr:oadrSignedObject',
    });
  }
  if (signedObject.children.length !== 1) {
    throw new OadrProtocolError(
      signedObject.children.length === 0 ? ProtocolErrorCode.ELEMENT_MISSING : ProtocolErrorCode.ELEMENT_UNEXPECTED,
      `oadr:oadrSignedObject must hold exactly one message, found ${signedObject.children.length}`,
      { element: 'oadr:oadrPayload/oadr:oadrSignedObject' },
    );
  }
  const messageElement = signedObject.children[0]!;
  const type = messageElement.local as MessageType;
  if (!Object.hasOwn(MESSAGE_NODES, type)) {
    throw new OadrProtocolError(ProtocolErrorCode.MESSAGE_UNKNOWN, `${messageElement.name} is not an OpenADR 2.0b message`, {
      element: messageElement.name,
    });
  }
  if (messageElement.uri !== OADR) {
    throw new OadrProtocolError(ProtocolErrorCode.XML_WRONG_NAMESPACE, `${type} is in namespace "${messageElement.uri}", expected "${OADR}"`, {
      element: `oadr:${type}`,
    });
  }
  const schemaVersion = attribute(messageElement, 'schemaVersion');
  if (schemaVersion !== undefined && schemaVersion !== '2.0b') {
    throw new OadrProtocolError(ProtocolErrorCode.SCHEMA_VERSION_UNSUPPORTED, `schemaVersion "${schemaVersion}" is not supported; expected 2.0b`, {
      element: `oadr:${type}`,
    });
  }
  const body = decodeObject(MESSAGE_NODES[type], messageElement, at(undefined, `oadr:${type}`));
  validateInbound(type, body);
  return { message: { type, body } as OadrMessage, signedObjectId: attribute(signedObject, 'Id'), signed, xml };
}

/**
 * Where the decoder is, as a chain built only of references; the path text an error names is made
 * only when an error is thrown, because building it for every element costs more than the decoding.
 */
interface Location {
  readonly parent: Location | undefined;
  readonly name: string;
  readonly index: number;
}

function at(parent: Location | undefined, name: string, index = -1): Location {
  return { parent, name, index };
}

function pathOf(location: Location): string {
  const own = location.index >= 0 ? `${location.name}[${location.index}]` : location.name;
  return location.parent === undefined ? own : `${pathOf(location.parent)}/${own}`;
}

function decodeObject(node: ObjectNode, element: XmlElement, where: Location): Record<string, unknown> {
  if (element.text !== '' && element.children.length > 0) {
    throw new OadrProtocolError(ProtocolErrorCode.ELEMENT_UNEXPECTED, `${pathOf(where)} mixes text with elements`, { element: pathOf(where) });
  }
  const result: Record<string, unknown> = {};
  for (const child of element.children) {
    const route = node.byElement.get(child.key);
    if (route === undefined) throw unexpected(at(where, child.name), child.uri);
    const { field, via } = route;
    if (field.fixedEmpty) continue;
    const target = via === undefined ? result : ((result[via.key] ??= {}) as Record<string, unknown>);
    if (field.repeatAt === 0) {
      const items = (target[field.key] ??= []) as unknown[];
      items.push(descend(field, 1, child, at(where, child.name, items.length)));
    } else if (field.key in target) {
      throw appearsTwice(at(where, child.name));
    } else {
      target[field.key] = descend(field, 1, child, at(where, child.name));
    }
  }
  return result;
}

/** Walks down the field's path below `level` (the element at `level - 1` is `element`), then converts. */
function descend(field: Field, level: number, element: XmlElement, where: Location): unknown {
  const { children } = element;
  if (level === field.path.length) {
    if (field.node.kind === 'object') return decodeObject(field.node, element, where);
    if (children.length > 0) throw unexpected(at(where, children[0]!.name), children[0]!.uri);
    return leaf(field.node, element.text);
  }
  const expected = field.path[level]!.key;
  for (const child of children) {
    if (child.key !== expected) throw unexpected(at(where, child.name), child.uri);
  }
  if (level === field.repeatAt) {
    const items = new Array<unknown>(children.length);
    for (let i = 0; i < children.length; i++) items[i] = descend(field, level + 1, children[i]!, at(where, children[i]!.name, i));
    return items;
  }
  if (children.length > 1) throw appearsTwice(at(where, children[1]!.name));
  const only = children[0];
  // A missing inner element leaves the value undefined; validation then names what is missing.
  return only === undefined ? undefined : descend(field, level + 1, only, at(where, only.name));
}

function appearsTwice(where: Location): OadrProtocolError {
  const path = pathOf(where);
  return new OadrProtocolError(ProtocolErrorCode.ELEMENT_UNEXPECTED, `${path} appears more than once; the schema allows one`, { element: path });
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

function attribute(element: XmlElement, local: string): string | undefined {
  if (element.attributes === undefined) return undefined;
  for (const name in element.attributes) {
    if (name === local || name.endsWith(`:${local}`)) return element.attributes[name];
  }
  return undefined;
}

function unexpected(where: Location | string, uri: string): OadrProtocolError {
  const path = typeof where === 'string' ? where : pathOf(where);
  return new OadrProtocolError(ProtocolErrorCode.ELEMENT_UNEXPECTED, `unexpected element ${path}${uri === '' ? '' : ` (namespace "${uri}")`}`, {
    element: path,
  });
}
