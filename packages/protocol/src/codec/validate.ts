import Ajv from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { OadrInvalidArgumentError, OadrProtocolError, ProtocolErrorCode } from '../errors.js';
import type { Field, Node } from '../schema/dsl.js';
import { DATETIME_FORMAT, DURATION_FORMAT, URI_FORMAT, messageJsonSchema } from '../schema/jsonSchema.js';
import { MESSAGE_NODES, type MessageType } from '../schema/model.js';
import { isStrictDateTime, tryParseDateTime, tryParseDuration } from '../time.js';

/**
 * Two validators over the same schemas: what we accept from peers allows UTC offsets on date-times
 * (real peers send them), what we send follows the official schema exactly (UTC `Z` or no zone).
 */
function makeAjv(strictDates: boolean): Ajv {
  return new Ajv({
    allErrors: false,
    strict: true,
    formats: {
      [DURATION_FORMAT]: (text: string) => tryParseDuration(text) !== undefined,
      [URI_FORMAT]: isUriReference,
      [DATETIME_FORMAT]: strictDates ? isStrictDateTime : (text: string) => tryParseDateTime(text) !== undefined,
    },
  });
}

// RFC 3986 characters, percent escapes, and a scheme (letter first) whenever a colon comes before any
// slash, query or fragment; this is what XSD validators accept as xs:anyURI in practice.
const URI_CHARS_RE = /^(?:[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*$/;
const SCHEME_RE = /^[A-Za-z][A-Za-z0-9+.-]*$/;

function isUriReference(text: string): boolean {
  if (!URI_CHARS_RE.test(text)) return false;
  const firstSeparator = text.search(/[/?#]/);
  const head = firstSeparator < 0 ? text : text.slice(0, firstSeparator);
  const colon = head.indexOf(':');
  return colon < 0 || SCHEME_RE.test(head.slice(0, colon));
}

const inbound = { ajv: makeAjv(false), compiled: new Map<MessageType, ValidateFunction>() };
const outbound = { ajv: makeAjv(true), compiled: new Map<MessageType, ValidateFunction>() };

function validatorFor(side: typeof inbound, type: MessageType): ValidateFunction {
  let validate = side.compiled.get(type);
  if (validate === undefined) {
    validate = side.ajv.compile(messageJsonSchema(type));
    side.compiled.set(type, validate);
  }
  return validate;
}

/** Validates a decoded body; throws an OadrProtocolError naming the element at fault. */
export function validateInbound(type: MessageType, body: unknown): void {
  const validate = validatorFor(inbound, type);
  if (!validate(body)) {
    const problem = describe(type, body, validate.errors ?? []);
    throw new OadrProtocolError(problem.code, problem.message, { element: problem.element });
  }
}

/** Validates a body before it is encoded; throws an OadrInvalidArgumentError naming the field at fault. */
export function validateOutbound(type: MessageType, body: unknown): void {
  const validate = validatorFor(outbound, type);
  if (!validate(body)) {
    const problem = describe(type, body, validate.errors ?? []);
    throw new OadrInvalidArgumentError(problem.code, `cannot encode ${type}: ${problem.message}`, { element: problem.element });
  }
}

/** Compiles every message validator now instead of on first use (servers call this at start-up). */
export function precompileValidators(): void {
  for (const type of Object.keys(MESSAGE_NODES) as MessageType[]) {
    validatorFor(inbound, type);
    validatorFor(outbound, type);
  }
}

interface Problem {
  code: ProtocolErrorCode;
  message: string;
  element: string;
}

function describe(type: MessageType, body: unknown, errors: readonly ErrorObject[]): Problem {
  // With a token that admits x- extensions, ajv reports each anyOf branch before the anyOf itself.
  const error = errors.find((e) => e.keyword === 'anyOf') ?? errors[0];
  const root = `oadr:${type}`;
  if (error === undefined) return { code: ProtocolErrorCode.VALUE_INVALID, message: 'invalid payload', element: root };
  const { element, node } = elementPath(MESSAGE_NODES[type], error.instancePath, root);
  const value = valueAt(body, error.instancePath);
  switch (error.keyword) {
    case 'required': {
      const missing = (error.params as { missingProperty: string }).missingProperty;
      const child = node?.kind === 'object' ? node.fields.find((f) => f.key === missing) : undefined;
      const name = child === undefined ? missing : child.inline ? `${missing} (${choiceNames(child)})` : pathTag(child);
      return { code: ProtocolErrorCode.ELEMENT_MISSING, message: `${element}: required element ${name} is missing`, element: `${element}/${name}` };
    }
    case 'minItems': {
      const { limit } = error.params as { limit: number };
      return { code: ProtocolErrorCode.ELEMENT_MISSING, message: `${element}: needs at least ${limit} element(s)`, element };
    }
    case 'minProperties':
      return { code: ProtocolErrorCode.ELEMENT_MISSING, message: `${element}: one of its elements must be present`, element };
    case 'maxProperties':
      return { code: ProtocolErrorCode.ELEMENT_UNEXPECTED, message: `${element}: only one of its elements may be present`, element };
    case 'additionalProperties': {
      const extra = (error.params as { additionalProperty: string }).additionalProperty;
      return { code: ProtocolErrorCode.ELEMENT_UNEXPECTED, message: `${element}: unknown field "${extra}"`, element: `${element}/${extra}` };
    }
    case 'format': {
      const format = (error.params as { format: string }).format;
      if (format === URI_FORMAT) {
        return { code: ProtocolErrorCode.VALUE_INVALID, message: `${element}: ${JSON.stringify(value)} is not a URI`, element };
      }
      const isDuration = format === DURATION_FORMAT;
      return {
        code: isDuration ? ProtocolErrorCode.DURATION_INVALID : ProtocolErrorCode.DATETIME_INVALID,
        message: `${element}: ${JSON.stringify(value)} is not ${isDuration ? 'an RFC 5545 duration' : 'a valid xcal date-time (UTC, e.g. 2026-11-26T10:00:00Z)'}`,
        element,
      };
    }
    case 'enum':
    case 'anyOf': {
      const allowed = node?.kind !== 'object' && node?.values !== undefined ? node.values.join(', ') : '';
      return {
        code: ProtocolErrorCode.VALUE_INVALID,
        message: `${element}: ${JSON.stringify(value)} is not one of ${allowed}${node?.kind !== 'object' && node?.extension ? ' or an x- extension' : ''}`,
        element,
      };
    }
    default:
      return { code: ProtocolErrorCode.VALUE_INVALID, message: `${element}: ${JSON.stringify(value)} ${error.message ?? 'is invalid'}`, element };
  }
}

function pathTag(field: Field): string {
  return field.path.map((q) => q.tag).join('/');
}

function choiceNames(field: Field): string {
  return field.node.kind === 'object' ? field.node.fields.map(pathTag).join(' | ') : field.key;
}

/** Turns ajv's JSON pointer into the chain of qualified element names a reader of the XML knows. */
function elementPath(root: Node, pointer: string, rootTag: string): { element: string; node: Node | undefined } {
  const parts = pointer.split('/').slice(1);
  let node: Node | undefined = root;
  let element = rootTag;
  for (let i = 0; i < parts.length && node !== undefined; i++) {
    if (node.kind !== 'object') break;
    const field: Field | undefined = node.fields.find((f) => f.key === parts[i]);
    if (field === undefined) break;
    if (!field.inline) element += `/${pathTag(field)}`;
    if (field.repeatAt >= 0 && i + 1 < parts.length && /^\d+$/.test(parts[i + 1]!)) {
      element += `[${parts[i + 1]}]`;
      i++;
    }
    node = field.node;
  }
  return { element, node };
}

function valueAt(body: unknown, pointer: string): unknown {
  let value: unknown = body;
  for (const part of pointer.split('/').slice(1)) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}
