/**
 * A small language for describing 2.0b XML structures once: the same description yields the
 * TypeScript type (inferred), the JSON Schema ajv validates against, and drives the XML encoder and
 * decoder. Matter.js's schema values are the model for this: a codec cannot drift from its types.
 */
import { NAMESPACES, type NamespacePrefix } from '../namespaces.js';

export interface QName {
  readonly prefix: NamespacePrefix;
  readonly local: string;
  /** `prefix:local`, as the encoder writes it. */
  readonly tag: string;
  /** `uri local`, the key the decoder looks elements up by (prefixes on the wire vary). */
  readonly key: string;
}

export type LeafKind = 'string' | 'uri' | 'uint' | 'float' | 'decimal' | 'boolean' | 'dateTime' | 'duration' | 'token' | 'pattern';

interface Typed<T> {
  /** Phantom: carries the TypeScript type of the decoded value; never set at run time. */
  readonly __type?: T;
}

export interface LeafNode<T = unknown> extends Typed<T> {
  readonly kind: LeafKind;
  readonly values?: readonly string[];
  /** Also accept `x-…` extension tokens (the schema's EiExtensionTokenType union). */
  readonly extension?: boolean;
  readonly pattern?: string;
  readonly minimum?: number;
  readonly maximum?: number;
}

export interface ObjectNode<T = unknown> extends Typed<T> {
  readonly kind: 'object';
  readonly fields: readonly Field[];
  /** Exactly one field is present: an XSD choice or substitution group (itemBase, payloadBase). */
  readonly choice: boolean;
  /** First element of each field's path (inline fields expanded) → the field, for the decoder. */
  readonly byElement: ReadonlyMap<string, ElementRoute>;
}

export type Node<T = unknown> = LeafNode<T> | ObjectNode<T>;

export interface ElementRoute {
  readonly field: Field;
  /** Set when the element belongs to an inline field: the decoded value nests under its key. */
  readonly via?: Field;
}

export interface Field<K extends string = string, V = unknown, R extends boolean = boolean> {
  readonly key: K;
  /** Elements from the parent down to the value; `repeatAt` marks the one that repeats (-1: none). */
  readonly path: readonly QName[];
  readonly repeatAt: number;
  readonly node: Node;
  readonly required: R;
  readonly minItems: number;
  /** The value's fields are children of the parent itself (no element of its own). */
  readonly inline: boolean;
  /** An element the schema requires to be present and empty (xcal:components); not in the model. */
  readonly fixedEmpty: boolean;
  readonly __value?: V;
}

type Simplify<T> = { [K in keyof T]: T[K] } & {};
type ValueOf<F> = F extends Field<string, infer V, boolean> ? V : never;
type RequiredKeys<F> = F extends Field<infer K, unknown, true> ? (K extends '' ? never : K) : never;
type OptionalKeys<F> = F extends Field<infer K, unknown, false> ? (K extends '' ? never : K) : never;

/** The TypeScript type of an object described by these fields. */
export type ObjectOf<F extends readonly Field[]> = Simplify<
  { [E in F[number] as RequiredKeys<E>]: ValueOf<E> } & { [E in F[number] as OptionalKeys<E>]?: ValueOf<E> }
>;

/** The TypeScript type a node decodes to. */
export type Infer<N> = N extends Typed<infer T> ? T : never;

export function qname(text: string): QName {
  const [prefix, local] = text.split(':') as [NamespacePrefix, string];
  const uri = NAMESPACES[prefix];
  if (uri === undefined || local === undefined) throw new Error(`bad qualified name in the 2.0b model: ${text}`);
  return { prefix, local, tag: text, key: `${uri} ${local}` };
}

function parsePath(path: string): { path: QName[]; repeatAt: number } {
  const parts = path.split('/');
  const repeatAt = parts.findIndex((p) => p.endsWith('*'));
  return { path: parts.map((p) => qname(p.replace(/\*$/, ''))), repeatAt };
}

function makeField<K extends string, V, R extends boolean>(
  key: K,
  pathText: string,
  node: Node,
  required: R,
  minItems: number,
  expectRepeat: boolean,
): Field<K, V, R> {
  const { path, repeatAt } = parsePath(pathText);
  if ((repeatAt >= 0) !== expectRepeat) throw new Error(`field ${key}: path ${pathText} ${expectRepeat ? 'needs' : 'must not have'} a '*'`);
  return { key, path, repeatAt, node, required, minItems, inline: false, fixedEmpty: false };
}

/** A required single element (path may pass through wrapper elements: `xcal:dtstart/xcal:date-time`). */
export function one<K extends string, T>(key: K, path: string, node: Node<T>): Field<K, T, true> {
  return makeField(key, path, node, true, 0, false);
}

/** An optional single element. */
export function opt<K extends string, T>(key: K, path: string, node: Node<T>): Field<K, T, false> {
  return makeField(key, path, node, false, 0, false);
}

/**
 * An optional repeated element; `*` marks which element of the path repeats. `minItems` applies when
 * the element sits in a wrapper that is present (strm:intervals, when there, holds at least one interval).
 */
export function many<K extends string, T>(key: K, path: string, node: Node<T>, minItems = 0): Field<K, T[], false> {
  return makeField(key, path, node, false, minItems, true);
}

/** A required repeated element with at least `minItems` occurrences (the wrapper, if any, is always written). */
export function list<K extends string, T>(key: K, path: string, node: Node<T>, minItems = 1): Field<K, T[], true> {
  return makeField(key, path, node, true, minItems, true);
}

/** A group of fields written directly into the parent (used for XSD choices such as itemBase). */
export function inline<K extends string, T>(key: K, node: ObjectNode<T>): Field<K, T, true> {
  return { key, path: [], repeatAt: -1, node, required: true, minItems: 0, inline: true, fixedEmpty: false };
}

export function inlineOpt<K extends string, T>(key: K, node: ObjectNode<T>): Field<K, T, false> {
  return { key, path: [], repeatAt: -1, node, required: false, minItems: 0, inline: true, fixedEmpty: false };
}

/** An element that must be there and empty; it carries nothing, so it is not part of the type. */
export function emptyElement(path: string): Field<'', never, false> {
  return { key: '', path: parsePath(path).path, repeatAt: -1, node: STRING, required: false, minItems: 0, inline: false, fixedEmpty: true };
}

function buildObject<T>(fields: readonly Field[], choice: boolean): ObjectNode<T> {
  const byElement = new Map<string, ElementRoute>();
  const add = (key: string, route: ElementRoute): void => {
    if (byElement.has(key)) throw new Error(`two fields of one 2.0b element start with ${key}`);
    byElement.set(key, route);
  };
  for (const field of fields) {
    if (field.inline) {
      for (const sub of (field.node as ObjectNode).fields) add(sub.path[0]!.key, { field: sub, via: field });
    } else {
      add(field.path[0]!.key, { field });
    }
  }
  return { kind: 'object', fields, choice, byElement };
}

export function obj<const F extends readonly Field[]>(...fields: F): ObjectNode<ObjectOf<F>> {
  return buildObject(fields, false);
}

/** Exactly one of these (optional) fields is present. */
export function choice<const F extends readonly Field<string, unknown, false>[]>(...fields: F): ObjectNode<ObjectOf<F>> {
  return buildObject(fields, true);
}

const STRING: LeafNode<string> = { kind: 'string' };
export const str: LeafNode<string> = STRING;
/** xs:anyURI (market contexts). */
export const uri: LeafNode<string> = { kind: 'uri' };
export const uint: LeafNode<number> = { kind: 'uint', minimum: 0, maximum: 4294967295 };
export const float: LeafNode<number> = { kind: 'float' };
/** xs:decimal: a number written without an exponent. */
export const decimal: LeafNode<number> = { kind: 'decimal' };
export const bool: LeafNode<boolean> = { kind: 'boolean' };
/** xcal date-time text; see time.ts for parsing and formatting. */
export const dateTime: LeafNode<string> = { kind: 'dateTime' };
/** RFC 5545 duration text; see time.ts for parsing and formatting. */
export const duration: LeafNode<string> = { kind: 'duration' };

export function token<const V extends readonly string[]>(values: V): LeafNode<V[number]> {
  return { kind: 'token', values };
}

/** An enumeration that also admits `x-…` extension values. */
export function tokenExt<const V extends readonly string[]>(values: V): LeafNode<V[number] | `x-${string}`> {
  return { kind: 'token', values, extension: true };
}

export function pattern(regex: string): LeafNode<string> {
  return { kind: 'pattern', pattern: regex };
}

export function bounded(min: number, max: number): LeafNode<number> {
  return { kind: 'uint', minimum: min, maximum: max };
}
