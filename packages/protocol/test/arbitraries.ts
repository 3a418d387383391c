/** fast-check generators for any 2.0b message, derived from the same description the codec uses. */
import fc from 'fast-check';
import type { Field, LeafNode, Node, ObjectNode } from '../src/schema/dsl.js';
import { formatDateTime, formatDuration, MESSAGE_NODES, type MessageType, type OadrMessage } from '../src/index.js';

// Text the XML round trip keeps as it is: characters XML 1.0 allows, including the ones that need
// escaping, and no leading or trailing white space (the parser trims text nodes).
const textChar = fc.constantFrom(...'abcXYZ019-_.:/ &<>"\'é€中'.split(''));
const text = fc
  .array(textChar, { minLength: 0, maxLength: 12 })
  .map((chars) => chars.join('').trim());

const dateTimeText = fc
  .integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2100, 0, 1) })
  .map((ms) => formatDateTime(ms));
const durationText = fc.integer({ min: -86_400, max: 10 * 86_400 }).map((s) => formatDuration(s * 1000));
const floatValue = fc.double({ noNaN: true, noDefaultInfinity: true });

function leafArbitrary(node: LeafNode): fc.Arbitrary<unknown> {
  switch (node.kind) {
    case 'string':
      return text;
    case 'uri':
      return fc.webUrl();
    case 'pattern':
      return fc.stringMatching(new RegExp(node.pattern ?? ''));
    case 'uint':
      return fc.integer({ min: node.minimum ?? 0, max: node.maximum ?? 4294967295 });
    case 'float':
    case 'decimal':
      return floatValue;
    case 'boolean':
      return fc.boolean();
    case 'dateTime':
      return dateTimeText;
    case 'duration':
      return durationText;
    case 'token': {
      const known = fc.constantFrom(...(node.values ?? []));
      return node.extension ? fc.oneof(known, text.filter((t) => /^\S/.test(t)).map((t) => `x-${t}`)) : known;
    }
  }
}

function fieldArbitrary(field: Field): fc.Arbitrary<unknown> {
  const value = nodeArbitrary(field.node);
  if (field.repeatAt < 0) return value;
  // Without a wrapper, an empty list writes nothing and decodes as absent, so optional lists are non-empty.
  const minLength = field.repeatAt === 0 && !field.required ? Math.max(1, field.minItems) : field.minItems;
  return fc.array(value, { minLength, maxLength: Math.max(minLength, 3) });
}

const cache = new Map<Node, fc.Arbitrary<unknown>>();

export function nodeArbitrary(node: Node): fc.Arbitrary<unknown> {
  const cached = cache.get(node);
  if (cached !== undefined) return cached;
  let arbitrary: fc.Arbitrary<unknown>;
  if (node.kind !== 'object') {
    arbitrary = leafArbitrary(node);
  } else {
    const fields = (node as ObjectNode).fields.filter((f) => !f.fixedEmpty);
    if (node.choice) {
      arbitrary = fc.oneof(...fields.map((f) => fieldArbitrary(f).map((v) => ({ [f.key]: v }))));
    } else {
      const model = Object.fromEntries(fields.map((f) => [f.key, fieldArbitrary(f)]));
      arbitrary = fc.record(model, { requiredKeys: fields.filter((f) => f.required).map((f) => f.key) });
    }
  }
  cache.set(node, arbitrary);
  return arbitrary;
}

export const messageArbitrary: fc.Arbitrary<OadrMessage> = fc.oneof(
  ...(Object.keys(MESSAGE_NODES) as MessageType[]).map((type) =>
    nodeArbitrary(MESSAGE_NODES[type]).map((body) => ({ type, body }) as OadrMessage),
  ),
);
