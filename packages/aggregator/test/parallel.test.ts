import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import instance from './fixtures/community-39.instance.json';

// Worker threads run compiled JavaScript, so this suite uses the built package.
type Package = typeof import('../src/index.js');
let built: Package;

beforeAll(() => {
  const root = join(__dirname, '..', '..', '..');
  execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-b', join(root, 'packages', 'aggregator')], { stdio: 'inherit' });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  built = require('../dist/index.js') as Package;
}, 120_000);

describe('ParallelAdmmEngine', () => {
  test('gives the same iterates with 1 and 3 threads as the serial engine', async () => {
    const spec = built.communityNetworkSpec(instance);
    const serial = new built.AdmmEngine(built.networkFromSpec(spec));
    const one = await built.ParallelAdmmEngine.create(spec, { threads: 1 });
    const three = await built.ParallelAdmmEngine.create(spec, { threads: 3 });
    try {
      expect(three.threads).toBe(3);
      for (let k = 0; k < 150; k++) {
        const a = serial.step();
        const b = one.step();
        const c = three.step();
        expect(b).toEqual(a);
        expect(c).toEqual(a);
      }
      expect(Array.from(three.power)).toEqual(Array.from(serial.power));
      expect(Array.from(three.prices('community'))).toEqual(Array.from(serial.prices('community')));
    } finally {
      await one.close();
      await three.close();
    }
  });
});
