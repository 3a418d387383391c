import * as fs from 'node:fs';
import * as path from 'node:path';
import { MESSAGE_TYPES, messageJsonSchema } from '../src/index.js';

// The JSON Schemas in schemas/oadr20b/ are generated from the model; this keeps them from drifting.
// Regenerate with: npm run schemas
const dir = path.resolve(__dirname, '../../../schemas/oadr20b');

if (process.env['UPDATE_SCHEMAS'] === '1') {
  fs.mkdirSync(dir, { recursive: true });
  for (const type of MESSAGE_TYPES) {
    fs.writeFileSync(path.join(dir, `${type}.schema.json`), `${JSON.stringify(messageJsonSchema(type), null, 2)}\n`);
  }
}

test.each(MESSAGE_TYPES)('schemas/oadr20b/%s.schema.json matches the model', (type) => {
  const file = path.join(dir, `${type}.schema.json`);
  expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual(messageJsonSchema(type));
});

test('no stale schema files', () => {
  const expected = MESSAGE_TYPES.map((t) => `${t}.schema.json`).sort();
  expect(fs.readdirSync(dir).sort()).toEqual(expected);
});
