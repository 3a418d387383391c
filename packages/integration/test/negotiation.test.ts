import { memberDevices, VenModel, type MemberDeviceSpec } from '@oadr-kit/aggregator';
import { formatDateTime, type NegotiationRound } from '@oadr-kit/protocol';
import { silentLogger, VenClient } from '@oadr-kit/ven';
import type { NegotiationRecord, RunningVtn } from '@oadr-kit/vtn';
import { startTestVtn, testPki } from './helpers/testVtn.js';

const SLOTS = 24;
const horizon = { slots: SLOTS, slotHours: 1 };

function house(h: number): MemberDeviceSpec[] {
  return [
    { kind: 'fixed-load', id: 'load', parameters: { powerKw: Array.from({ length: SLOTS }, (_, t) => 0.7 + 0.2 * h + (t >= 17 && t < 21 ? 1.4 : 0) - (t >= 10 && t < 15 ? 2.2 : 0)) } },
    { kind: 'battery', id: 'battery', parameters: { capacityKwh: 6, maxChargeKw: 2.5, maxDischargeKw: 2.5, initialSocKwh: 3, chargeEfficiency: 0.95, dischargeEfficiency: 0.95 } },
  ];
}

/** Three push VENs negotiating with our VTN over mutual TLS; one of them goes away mid-negotiation. */
describe('a negotiation between our VTN and our VENs over mutual TLS', () => {
  const pki = testPki();
  let vtn: RunningVtn;
  const vens: { client: VenClient; seen: { rounds: number; agreed: NegotiationRound | undefined } }[] = [];

  beforeAll(async () => {
    vtn = await startTestVtn(pki);
    for (let h = 0; h < 3; h++) {
      const cert = pki.ven(`house-${h}`);
      const model = new VenModel(memberDevices({ id: `house-${h}`, devices: house(h) }, horizon));
      const seen: (typeof vens)[number]['seen'] = { rounds: 0, agreed: undefined };
      const client = new VenClient({
        vtnUrl: vtn.url,
        venName: `house-${h}`,
        tls: { certPem: cert.certificatePem, keyPem: cert.keyPem, caPem: pki.ca },
        push: { port: 0, host: '127.0.0.1' },
        logger: silentLogger,
        negotiation: {
          respond: (round) => {
            seen.rounds++;
            return model.respond({ rho: round.rho, setpoint: round.targetKw, price: round.price });
          },
          agreed: (round) => {
            seen.agreed = round;
          },
        },
      });
      const registered = client.next('registered');
      await client.start();
      await registered;
      vens.push({ client, seen });
    }
  }, 30_000);

  afterAll(async () => {
    await Promise.all(vens.map((v) => v.client.stop()));
    await vtn.close();
  });

  test('the VENs that stay agree; the one that leaves keeps its last profile and does not stop the negotiation', async () => {
    const venIDs = vens.map((v) => v.client.registration?.venID ?? '');
    const leaver = vens[2]!;
    const stopAfter = 4;
    const unsubscribe = vtn.app.negotiations.onRound((progress) => {
      if (progress.round === stopAfter - 1) void leaver.client.stop();
    });
    const start = Math.floor(Date.now() / 86_400_000 + 1) * 86_400_000;
    const record = await vtn.app.negotiations.start({
      marketContext: 'http://dso.example/community',
      start: formatDateTime(start),
      slots: SLOTS,
      slotMinutes: 60,
      venIDs,
      grid: { importPrice: 0.25, exportPrice: 0.05, quadraticCost: 0.01, importLimitKw: 15, exportLimitKw: 15, transformerKw: 5 },
      tolerance: 1e-3,
      roundDeadlineMs: 400,
      maxMissedRounds: 2,
    });
    const done: NegotiationRecord = await vtn.app.negotiations.finished(record.sessionID);
    unsubscribe();
    expect(done.status).toBe('agreed');
    const members = done.members as { venID: string; status: string; answered: number; missed: number }[];
    expect(members.find((m) => m.venID === venIDs[2])).toMatchObject({ status: 'left', missed: 2 });
    expect(leaver.seen.rounds).toBeGreaterThanOrEqual(stopAfter - 1);
    expect(leaver.seen.rounds).toBeLessThanOrEqual(stopAfter);
    // The VENs still in hold the agreed schedule: their own last projection, delivered by push.
    for (const ven of vens.slice(0, 2)) {
      for (let i = 0; i < 100 && ven.seen.agreed === undefined; i++) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(ven.seen.agreed?.agreed).toBe(true);
      expect(ven.seen.agreed?.targetKw).toHaveLength(SLOTS);
      expect(ven.seen.rounds).toBe(done.rounds);
    }
  }, 60_000);
});
