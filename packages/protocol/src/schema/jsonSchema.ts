import type { Field, LeafNode, Node } from './dsl.js';
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

function fieldSchema(field: Field): JsonSchema {
  const value = nodeSchema(field.node);
  return field.repeatAt >= 0 ? { type: 'array', items: value, minItems: field.minItems } : value;
}

/** The JSON Schema of a decoded structure: every object closed, required elements required. */
export function nodeSchema(node: Node): JsonSchema {
  if (node.kind !== 'object') return leafSchema(node);
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const field of node.fields) {
    if (field.fixedEmpty) continue;
    properties[field.key] = fieldSchema(field);
    if (field.required) required.push(field.key);
  }
  const schema: JsonSchema = { type: 'object', properties, additionalProperties: false };
  if (required.length > 0) schema['required'] = required;
  if (node.choice) Object.assign(schema, { minProperties: 1, maxProperties: 1 });
  return schema;
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
