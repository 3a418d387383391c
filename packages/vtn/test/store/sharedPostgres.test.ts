import { createPostgresStore } from '../../src/index.js';
import { startFakePushVen } from '../helpers/fakePushVen.js';
import { expectType, simpleEvent, startHarness, type Harness } from '../helpers/harness.js';
import { postgresFactory, PG_URL, type StoreFactory } from '../helpers/stores.js';

describe('two VTNs sharing one PostgreSQL database', () => {
  let factory: StoreFactory;
  let a: Harness;
  let b: Harness;

  beforeAll(async () => {
    factory = postgresFactory();
    // The factory's schema name is private to it; both VTNs open the same one through it.
    a = await startHarness({ store: await factory.open() });
    b = await startHarness({ store: await factory.open() });
  });

  afterAll(async () => {
    await a.close();
    await b.close();
    await factory.cleanup();
  });

  it('registers on one, creates the event on the other, and delivers it once whichever VTN the VEN polls', async () => {
    const { venID } = await a.register();
    const fromB = await b.drain(venID);
    expect(fromB.map((m) => m.type)).toEqual(['oadrRegisterReport']);
    expect(await a.drain(venID)).toEqual([]);
    expect((await b.admin('POST', '/admin/v1/events', simpleEvent({ eventID: 'shared', target: { venID: [venID] } }))).status).toBe(201);
    // Concurrent polls on both VTNs: exactly one of them hands the event out.
    const answers = await Promise.all([a, b, a, b].map((h) => h.post('OadrPoll', { type: 'oadrPoll', body: { venID } })));
    const distributes = answers.filter((x) => x.message?.type === 'oadrDistributeEvent');
    expect(distributes).toHaveLength(1);
    expect(expectType(distributes[0]?.message, 'oadrDistributeEvent').oadrEvent?.[0]?.eiEvent.eventDescriptor.eventID).toBe('shared');
  });

  it("shows on one VTN, once flushed, when a VEN last polled the other", async () => {
    const { venID } = await a.register();
    b.clock.now += 7_000;
    await b.drain(venID);
    const lastSeen = async (): Promise<unknown> => ((await a.admin('GET', `/admin/v1/vens/${venID}`)).json as { lastSeenAt?: string }).lastSeenAt;
    expect(await lastSeen()).toBe(new Date(a.clock.now).toISOString());
    await b.vtn.app.core.lastSeen.flush();
    expect(await lastSeen()).toBe(new Date(b.clock.now).toISOString());
  });

  it('pushes each message to a push VEN once while both VTNs push, whichever of them has the work', async () => {
    // The VEN answers slowly, so one VTN's push is still in flight when the other looks for work.
    const ven = await startFakePushVen({ replyDelayMs: 300 });
    const idle = (): Promise<unknown> => Promise.all([a.vtn.app.pusher.idle(), b.vtn.app.pusher.idle()]);
    try {
      const { venID } = await a.register({ oadrHttpPullModel: false, oadrTransportAddress: ven.url });
      await b.vtn.app.pusher.sweep();
      await idle();
      expect((await b.admin('POST', '/admin/v1/events', simpleEvent({ eventID: 'pushed', target: { venID: [venID] } }))).status).toBe(201);
      await a.vtn.app.pusher.sweep();
      await idle();
      // Looking again once both are done finds nothing left to push.
      await Promise.all([a.vtn.app.pusher.sweep(), b.vtn.app.pusher.sweep()]);
      await idle();
      expect(ven.received.map((r) => r.message.type)).toEqual(['oadrRegisterReport', 'oadrDistributeEvent']);
    } finally {
      ven.close();
    }
  });

  it('refuses a schema name that is not a plain identifier', async () => {
    await expect(createPostgresStore({ connectionString: PG_URL, schema: 'x; DROP TABLE vens' })).rejects.toThrow(/identifier/);
  });
});
