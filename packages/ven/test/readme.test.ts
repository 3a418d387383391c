import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as aggregator from '@oadr-kit/aggregator';
import { NEGOTIATION_REPORT_NAME, negotiationEvent, readProjectionReport, type NegotiationRound, type OadrMessage, type OadrReport } from '@oadr-kit/protocol';
import ts from 'typescript';
import * as ven from '../src/index.js';
import { FakeVtn } from './helpers/FakeVtn.js';
import { makeEvent } from './helpers/events.js';
import { testPki } from './helpers/pki.js';
import { fakeVtnTls } from './helpers/ven.js';

/** The README's ```ts block number `index`, compiled as it stands. */
async function readmeExample(index: number): Promise<string> {
  const readme = await readFile(join(__dirname, '..', 'README.md'), 'utf8');
  const source = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)][index]?.[1];
  if (source === undefined) throw new Error(`README.md has no ts example number ${index}`);
  return ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true } }).outputText;
}

interface Run {
  readonly vtn: FakeVtn;
  readonly home: string;
  readonly client: ven.VenClient;
  /** What the example printed with console.log. */
  readonly lines: string[];
}

/**
 * Runs README example `index` against the fake VTN, with VEN_HOME holding the test PKI and VTN_URL
 * pointing at the VTN; `prepare` sets the VTN up first, `check` inspects the run before clean-up.
 */
async function runExample(index: number, prepare: (vtn: FakeVtn) => void, check: (run: Run) => Promise<void>): Promise<void> {
  const home = await mkdtemp(join(tmpdir(), 'oadr-ven-readme-'));
  const pki = testPki();
  await writeFile(join(home, 'ven.crt'), pki.ven.certificatePem);
  await writeFile(join(home, 'ven.key'), pki.ven.keyPem);
  await writeFile(join(home, 'ca.crt'), pki.caPem);
  const vtn = await FakeVtn.start(fakeVtnTls());
  prepare(vtn);
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
    const load = (id: string): unknown => (id === '@oadr-kit/ven' ? tracked : id === '@oadr-kit/aggregator' ? aggregator : nodeRequire(id));
    new Function('require', 'module', 'exports', await readmeExample(index))(load, module, module.exports);
    await check({ vtn, home, client: clients[0] as ven.VenClient, lines });
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
}

it('runs the README example as written against the fake VTN', async () => {
  await runExample(
    0,
    (vtn) => {
      const startMs = Math.ceil((Date.now() + 1200) / 1000) * 1000;
      vtn.events = [makeEvent({ startMs, duration: 'PT1S', intervals: ['PT1S'] })];
    },
    async ({ vtn, home, client, lines }) => {
      await new Promise<void>((resolve) => {
        client.on('eventEnded', () => resolve());
      });
      // Registration and the event's start may come in either order on a loaded machine.
      expect([...lines].sort()).toEqual(['event event-1 ended', 'event event-1 started at level 0', 'registered as ven-assigned-1, polling every 10000 ms']);
      expect(lines.indexOf('event event-1 started at level 0')).toBeLessThan(lines.indexOf('event event-1 ended'));
      const created = await vtn.waitFor('oadrCreatedEvent');
      expect(created.message.type).toBe('oadrCreatedEvent');
      expect(JSON.parse(await readFile(join(home, 'ven-state.json'), 'utf8'))).toMatchObject({ vtnID: 'vtn-test' });
    },
  );
});

it('runs the README negotiation example as written against the fake VTN', async () => {
  const slotMs = 15 * 60_000;
  const startMs = Math.ceil((Date.now() + 3_600_000) / slotMs) * slotMs;
  const round = (iteration: number, agreed: boolean): NegotiationRound => ({
    sessionId: 'day-ahead-1',
    venID: 'ven-assigned-1',
    iteration,
    marketContext: 'http://market.example.com/negotiation',
    startMs,
    slotMs,
    // Dear in the evening, cheap at night: the battery should shift energy into the cheap slots.
    price: Array.from({ length: 96 }, (_, t) => (t >= 68 && t < 84 ? 0.4 : 0.1)),
    targetKw: new Array<number>(96).fill(0),
    rho: 0.05,
    createdMs: Math.floor(Date.now() / 1000) * 1000,
    agreed,
  });
  await runExample(
    1,
    (vtn) => {
      // The projection request rides on the registration, round 0 comes with the first event list.
      vtn.reportRequestsOnRegister = [
        { reportRequestID: 'projection', reportSpecifier: { reportSpecifierID: NEGOTIATION_REPORT_NAME, granularity: 'PT15M', reportBackDuration: 'PT15M', specifierPayload: [{ rID: 'projection', readingType: 'Projected' }] } },
      ];
      vtn.events = [negotiationEvent(round(0, false))];
    },
    async ({ vtn, client, lines }) => {
      const update = await vtn.waitFor('oadrUpdateReport');
      const projection = readProjectionReport((update.message as Extract<OadrMessage, { type: 'oadrUpdateReport' }>).body.oadrReport?.[0] as OadrReport);
      expect(projection?.iteration).toBe(0);
      expect(projection?.profileKw).toHaveLength(96);
      expect(Math.max(...(projection?.profileKw ?? []).map(Math.abs))).toBeLessThanOrEqual(5 + 1e-6);
      // It discharges into the dear slots.
      expect(projection?.profileKw.slice(68, 84).some((kw) => kw < -0.1)).toBe(true);
      vtn.events = [negotiationEvent(round(1, true))];
      const agreed = client.next('negotiationAgreed');
      await client.requestEvents();
      await agreed;
      expect(lines).toEqual(['answered round 0 with 96 slots', `agreed on day-ahead-1: 96 slots from ${new Date(startMs).toISOString()}`]);
    },
  );
});
