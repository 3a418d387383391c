import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';
import * as ven from '../src/index.js';
import { FakeVtn } from './helpers/FakeVtn.js';
import { makeEvent } from './helpers/events.js';
import { testPki } from './helpers/pki.js';
import { fakeVtnTls } from './helpers/ven.js';

/** The first ```ts block of the README, compiled as it stands. */
async function readmeExample(): Promise<string> {
  const readme = await readFile(join(__dirname, '..', 'README.md'), 'utf8');
  const match = /```ts\n([\s\S]*?)```/.exec(readme);
  if (match?.[1] === undefined) throw new Error('README.md has no ts example');
  return ts.transpileModule(match[1], { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true } }).outputText;
}

it('runs the README example as written against the fake VTN', async () => {
  const home = await mkdtemp(join(tmpdir(), 'oadr-ven-readme-'));
  const pki = testPki();
  await writeFile(join(home, 'ven.crt'), pki.ven.certificatePem);
  await writeFile(join(home, 'ven.key'), pki.ven.keyPem);
  await writeFile(join(home, 'ca.crt'), pki.caPem);
  const vtn = await FakeVtn.start(fakeVtnTls());
  const startMs = Math.ceil((Date.now() + 1200) / 1000) * 1000;
  vtn.events = [makeEvent({ startMs, duration: 'PT1S', intervals: ['PT1S'] })];
  const saved = { VEN_HOME: process.env['VEN_HOME'], VTN_URL: process.env['VTN_URL'] };
  process.env['VEN_HOME'] = home;
  process.env['VTN_URL'] = vtn.url;
  const clients: ven.VenClient[] = [];
  // The example's import of '@oadr-kit/ven' gets this package, with each client kept for clean-up.
  const tracked = {
    ...ven,
    VenClient: class extends ven.VenClient {
      constructor(options: ven.VenClientOptions) {
        super(options);
        clients.push(this);
      }
    },
  };
  const lines: string[] = [];
  const log = jest.spyOn(console, 'log').mockImplementation((line: string) => lines.push(line));
  const sigterm = process.listeners('SIGTERM');
  try {
    const module = { exports: {} };
    const nodeRequire = createRequire(__filename);
    const load = (id: string): unknown => (id === '@oadr-kit/ven' ? tracked : nodeRequire(id));
    new Function('require', 'module', 'exports', await readmeExample())(load, module, module.exports);
    const client = clients[0] as ven.VenClient;
    await new Promise<void>((resolve) => {
      client.on('eventEnded', () => resolve());
    });
    // Registration and the event's start may come in either order on a loaded machine.
    expect([...lines].sort()).toEqual(['event event-1 ended', 'event event-1 started at level 0', 'registered as ven-assigned-1, polling every 10000 ms']);
    expect(lines.indexOf('event event-1 started at level 0')).toBeLessThan(lines.indexOf('event event-1 ended'));
    const created = await vtn.waitFor('oadrCreatedEvent');
    expect(created.message.type).toBe('oadrCreatedEvent');
    expect(JSON.parse(await readFile(join(home, 'ven-state.json'), 'utf8'))).toMatchObject({ vtnID: 'vtn-test' });
  } finally {
    log.mockRestore();
    for (const listener of process.listeners('SIGTERM')) if (!sigterm.includes(listener)) process.off('SIGTERM', listener);
    for (const client of clients) await client.stop();
    await vtn.close();
    process.env['VEN_HOME'] = saved.VEN_HOME;
    process.env['VTN_URL'] = saved.VTN_URL;
    if (saved.VEN_HOME === undefined) delete process.env['VEN_HOME'];
    if (saved.VTN_URL === undefined) delete process.env['VTN_URL'];
    await rm(home, { recursive: true, force: true });
  }
});
