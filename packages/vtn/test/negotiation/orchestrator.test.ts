import { AdmmEngine, negotiationNetwork } from '@oadr-kit/aggregator';
import type { NegotiationOutcome, NegotiationRecord } from '../../src/index.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { horizon, houseSpecs, ScriptedVen, SLOTS, START } from '../helpers/scriptedVen.js';

const grid = { importPrice: Array.from({ length: SLOTS }, (_, t) => (t >= 17 && t < 21 ? 0.35 : 0.22)), exportPrice: 0.05, quadraticCost: 0.01, importLimitKw: 12, exportLimitKw: 12 };

async function negotiate(h: Harness, vens: ScriptedVen[], body: Record<string, unknown>): Promise<NegotiationRecord> {
  for (const ven of vens) ven.start();
  try {
    const created = await h.admin('POST', '/admin/v1/negotiations', body);
    expect(created.status).toBe(201);
    const { sessionID } = created.json as { sessionID: string };
    const record = await h.vtn.app.negotiations.finished(sessionID);
    // The agreed schedule travels by the next poll.
    for (let i = 0; i < 200 && record.status === 'agreed' && vens.some((v) => v.agreed === undefined); i++) await new Promise((resolve) => setTimeout(resolve, 10));
    return record;
  } finally {
    await Promise.all(vens.map((ven) => ven.stop()));
  }
}

describe('the negotiation orchestrator', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
    await h.admin('POST', '/admin/v1/programs', { programID: 'community', name: 'Community', marketContext: 'http://market.example.com/community' });
  });
  afterEach(async () => h.close());

  test('negotiates over OpenADR to the optimum of the same houses solved in-process, and stores the history', async () => {
    const vens = [0, 1, 2].map((i) => new ScriptedVen(h, i));
    const outsider = new ScriptedVen(h, 3, { projection: false });
    for (const ven of [...vens, outsider]) await ven.register();
    const record = await negotiate(h, vens, {
      programID: 'community',
      start: START,
      slots: SLOTS,
      slotMinutes: 60,
      venIDs: [...vens.map((v) => v.venID), outsider.venID],
      grid,
      tolerance: 1e-4,
      roundDeadlineMs: 5000,
    });
    expect(record.status).toBe('agreed');
    const members = record.members as { venID: string; status: string; reason?: string; missed: number }[];
    expect(members.find((m) => m.venID === outsider.venID)).toMatchObject({ status: 'excluded', reason: expect.stringMatching(/x-PROJECTED_USAGE/) as unknown });
    expect(members.filter((m) => m.status === 'active').every((m) => m.missed === 0)).toBe(true);

    // The same instance in-process: devices on the net instead of remote terminals.
    const reference = new AdmmEngine(
      negotiationNetwork(
        horizon,
        { connection: grid },
        [0, 1, 2].map((i) => ({ id: `h${i}`, devices: houseSpecs(i) })),
      ).network,
    );
    expect(reference.run({ tolerance: 1e-5 }).converged).toBe(true);
    const outcome = record.outcome as NegotiationOutcome;
    const expectedPrices = reference.prices('community');
    outcome.prices.forEach((p, t) => expect(Math.abs(p - expectedPrices[t]!)).toBeLessThan(5e-3));
    const expectedGrid = reference.profile('grid');
    outcome.gridImportKw.forEach((kw, t) => expect(Math.abs(kw + expectedGrid[t]!)).toBeLessThan(0.05));

    // Each VEN got the agreed schedule: its own last projection, in the event's last modification.
    for (const ven of vens) {
      expect(ven.agreed).toBeDefined();
      ven.agreed!.forEach((kw, t) => expect(kw).toBeCloseTo(outcome.profiles[ven.venID]![t]!, 9));
      const event = await h.admin('GET', `/admin/v1/events/${encodeURIComponent(`${record.sessionID}.${ven.venID}`)}`);
      expect(event.json).toMatchObject({ modificationNumber: record.rounds, modificationReason: 'agreed' });
    }

    const rounds = await h.admin('GET', `/admin/v1/negotiations/${record.sessionID}/rounds?from=0&limit=1000`);
    const history = rounds.json as { round: number; relativePrimal: number; silent: string[]; profiles: Record<string, number[]> }[];
    expect(history).toHaveLength(record.rounds);
    expect(history.map((r) => r.round)).toEqual(Array.from({ length: record.rounds }, (_, k) => k));
    expect(Object.keys(history[0]!.profiles).sort()).toEqual(vens.map((v) => v.venID).sort());
    expect(history.at(-1)!.relativePrimal).toBeLessThanOrEqual(1e-4);
    const listed = await h.admin('GET', '/admin/v1/negotiations');
    expect(listed.json).toEqual([expect.objectContaining({ sessionID: record.sessionID, status: 'agreed', rounds: record.rounds })]);
  });

  test('a VEN that falls silent, or sends broken projections (454), keeps its last profile, is counted and leaves; the others still agree', async () => {
    const vens = [new ScriptedVen(h, 0), new ScriptedVen(h, 1), new ScriptedVen(h, 2, { silentFrom: 3 }), new ScriptedVen(h, 3, { shortFrom: 3 })];
    for (const ven of vens) await ven.register();
    const record = await negotiate(h, vens, {
      programID: 'community',
      start: START,
      slots: SLOTS,
      slotMinutes: 60,
      venIDs: vens.map((v) => v.venID),
      grid,
      roundDeadlineMs: 150,
      maxMissedRounds: 2,
    });
    expect(record.status).toBe('agreed');
    const quiet = (record.members as { venID: string; status: string; missed: number; answered: number }[]).find((m) => m.venID === vens[2]!.venID);
    expect(quiet).toMatchObject({ status: 'left', missed: 2, answered: 3 });
    const rounds = (await h.admin('GET', `/admin/v1/negotiations/${record.sessionID}/rounds?from=3&limit=2`)).json as { round: number; silent: string[] }[];
    // A broken projection counts as no answer.
    const quietOnes = [vens[2]!.venID, vens[3]!.venID].sort();
    expect(rounds.map((r) => [r.round, [...r.silent].sort()])).toEqual([
      [3, quietOnes],
      [4, quietOnes],
    ]);
    // Its last profile stands in the agreement.
    expect((record.outcome as NegotiationOutcome).profiles[vens[2]!.venID]).toHaveLength(SLOTS);
    const broken = (record.members as { venID: string; status: string; answered: number }[]).find((m) => m.venID === vens[3]!.venID);
    expect(broken).toMatchObject({ status: 'left', answered: 3 });
    expect(vens[3]!.answers.slice(2, 4)).toEqual(['200 OK', expect.stringMatching(/^454 report 0 .*23 slots, the session has 24/)]);
    expect(vens[0]!.answers.every((a) => a === '200 OK')).toBe(true);
  });

  test('bad sessions are refused with the field named, and a cancelled session cancels its events', async () => {
    const base = { programID: 'community', start: START, slots: SLOTS, slotMinutes: 60, grid };
    const missing = await h.admin('POST', '/admin/v1/negotiations', { ...base, grid: undefined, venIDs: ['x'] });
    expect(missing.status).toBe(400);
    expect(JSON.stringify(missing.json)).toMatch(/grid/);
    const shortPrices = await h.admin('POST', '/admin/v1/negotiations', { ...base, venIDs: ['x'], grid: { ...grid, importPrice: [0.2, 0.3] } });
    expect(shortPrices.status).toBe(400);
    expect(JSON.stringify(shortPrices.json)).toMatch(/importPrice/);
    const badStart = await h.admin('POST', '/admin/v1/negotiations', { ...base, venIDs: ['x'], start: '2026-13-40T00:00:00Z' });
    expect(badStart.status).toBe(400);
    const noProgram = await h.admin('POST', '/admin/v1/negotiations', { ...base, programID: 'none', venIDs: ['x'] });
    expect(noProgram.status).toBe(404);
    expect(JSON.stringify(noProgram.json)).toMatch(/no program none/);
    const nobody = await h.admin('POST', '/admin/v1/negotiations', { ...base, venIDs: ['nobody'] });
    expect(nobody.status).toBe(409);
    expect(JSON.stringify(nobody.json)).toMatch(/nobody: unknown VEN/);
    expect((await h.admin('GET', '/admin/v1/negotiations/none')).status).toBe(404);
    expect((await h.admin('GET', '/admin/v1/negotiations/none/rounds')).status).toBe(404);

    const ven = new ScriptedVen(h, 0, { silentFrom: 0 });
    await ven.register();
    ven.start();
    const created = await h.admin('POST', '/admin/v1/negotiations', { ...base, venIDs: [ven.venID], roundDeadlineMs: 60_000 });
    const { sessionID } = created.json as { sessionID: string };
    expect((await h.admin('GET', `/admin/v1/negotiations/${sessionID}/rounds?limit=0`)).status).toBe(400);
    const cancelled = await h.admin('POST', `/admin/v1/negotiations/${sessionID}/cancel`, { reason: 'test over' });
    await ven.stop();
    expect(cancelled.json).toMatchObject({ status: 'cancelled', reason: 'test over' });
    const event = await h.admin('GET', `/admin/v1/events/${encodeURIComponent(`${sessionID}.${ven.venID}`)}`);
    expect(event.json).toMatchObject({ status: 'cancelled' });
    expect((await h.admin('POST', `/admin/v1/negotiations/${sessionID}/cancel`)).status).toBe(409);
  });
});
