import * as fs from 'node:fs';
import * as path from 'node:path';
import { deviceParameterSchemas } from '../src/index.js';

// schemas/devices/ holds the device parameter schemas as files for other tools; they are generated
// from the code and kept from drifting here. Regenerate with: npm run schemas
const dir = path.resolve(__dirname, '../../../schemas/devices');
const kinds = Object.keys(deviceParameterSchemas);

if (process.env['UPDATE_SCHEMAS'] === '1') {
  fs.mkdirSync(dir, { recursive: true });
  for (const kind of kinds) fs.writeFileSync(path.join(dir, `${kind}.schema.json`), `${JSON.stringify(deviceParameterSchemas[kind], null, 2)}\n`);
}

test.each(kinds)('schemas/devices/%s.schema.json matches the code', (kind) => {
  expect(JSON.parse(fs.readFileSync(path.join(dir, `${kind}.schema.json`), 'utf8'))).toEqual(deviceParameterSchemas[kind]);
});

test('no stale schema files', () => {
  expect(fs.readdirSync(dir).sort()).toEqual(kinds.map((k) => `${k}.schema.json`).sort());
});
