import { NAMESPACES, type NamespacePrefix } from '../namespaces.js';
import type { Field, LeafNode, Node, ObjectNode } from '../schema/dsl.js';
import { MESSAGE_NODES, type OadrMessage } from '../schema/model.js';
import { validateOutbound } from './validate.js';

export interface EncodeOptions {
  /** Sets `oadr:Id` on oadrSignedObject: the reference target of an XML signature. */
  signedObjectId?: string;
}

// The declarations every payload carries on its root, so any element below can use its prefix.
const USED_PREFIXES: readonly NamespacePrefix[] = ['oadr', 'pyld', 'ei', 'emix', 'power', 'scale', 'strm', 'xcal'];
const ROOT_OPEN = `<oadr:oadrPayload ${USED_PREFIXES.map((p) => `xmlns:${p}="${NAMESPACES[p]}"`).join(' ')}>`;

/**
 * Encodes one message as an oadrPayload document. The body is validated against the 2.0b schema first
 * (an invalid body throws OadrInvalidArgumentError naming the field); elements are written in the
 * official schema's order with its conventional prefixes, and `ei:schemaVersion="2.0b"` is set.
 */
export function encodePayload(message: OadrMessage, options: EncodeOptions = {}): string {
  validateOutbound(message.type, message.body);
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>', ROOT_OPEN];
  out.push(options.signedObjectId === undefined ? '<oadr:oadrSignedObject>' : `<oadr:oadrSignedObject oadr:Id="${escapeAttribute(options.signedObjectId)}">`);
  out.push(`<oadr:${message.type} ei:schemaVersion="2.0b">`);
  writeObject(MESSAGE_NODES[message.type], message.body as Record<string, unknown>, out);
  out.push(`</oadr:${message.type}>`, '</oadr:oadrSignedObject>', '</oadr:oadrPayload>');
  return out.join('');
}

/** Checks a message exactly as encodePayload does before writing, for callers that only need to know it would encode. */
export function checkPayload(message: OadrMessage): void {
  validateOutbound(message.type, message.body);
}

function writeObject(node: ObjectNode, value: Record<string, unknown>, out: string[]): void {
  for (const field of node.fields) {
    if (field.fixedEmpty) {
      out.push(`<${field.path[0]!.tag}/>`);
      continue;
    }
    const fieldValue = value[field.key];
    if (fieldValue === undefined) continue;
    if (field.inline) writeObject(field.node as ObjectNode, fieldValue as Record<string, unknown>, out);
    else writePath(field, 0, fieldValue, out);
  }
}

function writePath(field: Field, level: number, value: unknown, out: string[]): void {
  if (level === field.path.length) {
    writeValue(field.node, value, out);
    return;
  }
  const tag = field.path[level]!.tag;
  if (level === field.repeatAt) {
    for (const item of value as unknown[]) {
      out.push(`<${tag}>`);
      writePath(field, level + 1, item, out);
      out.push(`</${tag}>`);
    }
    return;
  }
  out.push(`<${tag}>`);
  writePath(field, level + 1, value, out);
  out.push(`</${tag}>`);
}

function writeValue(node: Node, value: unknown, out: string[]): void {
  if (node.kind === 'object') writeObject(node, value as Record<string, unknown>, out);
  else out.push(leafText(node, value));
}

function leafText(node: LeafNode, value: unknown): string {
  switch (node.kind) {
    case 'float':
      // String(-0) is "0"; xs:float has a negative zero and a round trip should keep it.
      return Object.is(value, -0) ? '-0' : String(value);
    case 'decimal':
      return decimalText(value as number);
    case 'uint':
    case 'boolean':
      return String(value);
    default:
      return escapeText(value as string);
  }
}

/** Writes a number in positional notation (xs:decimal has no exponent), exactly as JavaScript reads it. */
function decimalText(value: number): string {
  const shortest = Object.is(value, -0) ? '-0' : String(value);
  const match = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(shortest);
  if (match === null) return shortest;
  const [, sign, lead, rest = '', exp] = match;
  const digits = lead! + rest;
  const point = 1 + Number(exp);
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  return `${sign}${digits.padEnd(point, '0')}`;
}

function escapeText(text: string): string {
  return /[&<>]/.test(text) ? text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;') : text;
}

function escapeAttribute(text: string): string {
  return escapeText(text).replace(/"/g, '&quot;');
}
