import type { LeafNode, Node } from './dsl.js';
import { MESSAGE_NODES, type MessageType } from './model.js';

/** A JSON Schema (draft 2020-12) document, as plain data. */
export type JsonSchema = { [key: string]: unknown };

export const SCHEMA_ID_BASE = 'https://oadr-kit.dev/schemas/oadr20b/';
export const DURATION_FORMAT = 'oadr-duration';
export const DATETIME_FORMAT = 'oadr-date-time';
export const URI_FORMAT = 'oadr-uri';

function leafSchema(node: LeafNode): JsonSchema {
  switch (node.kind) {
    case 'string':
      return { type: 'string' };
    case 'uri':
      return { type: 'string', format: URI_FORMAT };
    case 'pattern':
      return { type: 'string', pattern: node.pattern };
    case 'uint':
      return { type: 'integer', minimum: node.minimum, maximum: node.maximum };
    case 'float':
    case 'decimal':
      return { type: 'number' };
    case 'boolean':
      return { type: 'boolean' };
    case 'dateTime':
      return { type: 'string', format: DATETIME_FORMAT };
    case 'duration':
      return { type: 'string', format: DURATION_FORMAT };
    case 'token': {
      const values = { enum: [...(node.values ?? [])] };
      return node.extension ? { anyOf: [values, { type: 'string', pattern: '^x-\\S' }] } : values;
    }
  }
}

/**
 * Structures used in more than one place (eiTarget, itemBase, eiResponse, ...) become $defs that the
 * message schemas reference: ajv then compiles each once per message instead of once per use, which
 * keeps the validators' code, memory and compile time small. Names come from the first field that
 * holds the structure, in model order, so they are stable.
 */
const sharedNames: ReadonlyMap<Node, string> = (() => {
  const uses = new Map<Node, { count: number; key: string }>();
  const visit = (node: Node, key: string): void => {
    if (node.kind !== 'object') return;
    const seen = uses.get(node);
    if (seen !== undefined) {
      seen.count++;
      return;
    }
    uses.set(node, { count: 1, key });
    for (const field of node.fields) visit(field.node, field.key || key);
  };
  for (const [type, node] of Object.entries(MESSAGE_NODES)) visit(node, type);
  const names = new Map<Node, string>();
  const taken = new Set<string>();
  for (const [node, { count, key }] of uses) {
    if (count < 2) continue;
    let name = key;
    for (let i = 2; taken.has(name); i++) name = `${key}${i}`;
    taken.add(name);
    names.set(node, name);
  }
  return names;
})();

class SchemaWriter {
  readonly defs: Record<string, JsonSchema> = {};

  node(node: Node): JsonSchema {
    const shared = sharedNames.get(node);
    if (shared === undefined) return this.inline(node);
    if (!(shared in this.defs)) {
      this.defs[shared] = {};
      this.defs[shared] = this.inline(node);
    }
    return { $ref: `#/$defs/${shared}` };
  }

  private inline(node: Node): JsonSchema {
    if (node.kind !== 'object') return leafSchema(node);
    const properties: Record<string, JsonSchema> = {};
    const required: string[] = [];
    for (const field of node.fields) {
      if (field.fixedEmpty) continue;
      const value = this.node(field.node);
      properties[field.key] = field.repeatAt >= 0 ? { type: 'array', items: value, minItems: field.minItems } : value;
      if (field.required) required.push(field.key);
    }
    const schema: JsonSchema = { type: 'object', properties, additionalProperties: false };
    if (required.length > 0) schema['required'] = required;
    if (node.choice) Object.assign(schema, { minProperties: 1, maxProperties: 1 });
    return schema;
  }
}

/** The JSON Schema of a decoded structure, every object closed and required elements required. */
export function nodeSchema(node: Node): JsonSchema {
  const writer = new SchemaWriter();
  const root = writer.node(node);
  return Object.keys(writer.defs).length === 0 ? root : { ...root, $defs: writer.defs };
}

/** The published JSON Schema of one 2.0b message body (what `schemas/oadr20b/` holds). */
export function messageJsonSchema(type: MessageType): JsonSchema {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `${SCHEMA_ID_BASE}${type}.schema.json`,
    title: `OpenADR 2.0b ${type} (decoded body)`,
    ...nodeSchema(MESSAGE_NODES[type]),
  };
}
