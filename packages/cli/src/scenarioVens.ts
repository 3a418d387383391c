import { VenModel } from '@oadr-kit/aggregator';
import type { NegotiationRound } from '@oadr-kit/protocol';
import { silentLogger, VenClient, type Registration, type VenError } from '@oadr-kit/ven';
import { scenarioVenDevices, type NegotiationScenario, type ScenarioVen } from './scenario.js';

/** One simulated VEN: its OpenADR client and the private device model it answers rounds with. */
export interface SimulatedVen {
  readonly ven: ScenarioVen;
  readonly client: VenClient;
  readonly model: VenModel;
  registration: Registration | undefined;
  rounds: number;
  /** The last agreed schedule it received, and its devices' schedules behind it. */
  agreed: { round: NegotiationRound; schedules: Map<string, Float64Array>; costEur: number } | undefined;
  /** Every payload it sent or received, and their bytes. */
  messages: number;
  bytes: number;
  errors: VenError[];
}

export interface ScenarioVensOptions {
  readonly vtnUrl: string;
  /** PEM credentials of each VEN, by its name, and the CA bundle it trusts the VTN by. */
  readonly credentials: (venName: string) => { certPem: string; keyPem: string };
  readonly caPem: string;
  /** Take pushes on a listener of its own (127.0.0.1, a port the OS assigns), else poll. */
  readonly push: boolean;
  readonly pollIntervalMs?: number;
  readonly onError?: (ven: ScenarioVen, error: VenError) => void;
  readonly onRegistered?: (ven: SimulatedVen) => void;
  /** After the VEN took the agreed schedule (`agreed` is set). */
  readonly onAgreed?: (ven: SimulatedVen) => void;
}

/**
 * Starts one VenClient per VEN of the scenario, each answering negotiation rounds with a VenModel of
 * its own devices: private data never leaves the VEN, only the projected profile does.
 */
export async function startScenarioVens(scenario: NegotiationScenario, options: ScenarioVensOptions): Promise<SimulatedVen[]> {
  const simulated: SimulatedVen[] = [];
  try {
    for (const ven of scenario.vens) simulated.push(await startOne(scenario, ven, options));
  } catch (error) {
    await stopScenarioVens(simulated);
    throw error;
  }
  return simulated;
}

async function startOne(scenario: NegotiationScenario, ven: ScenarioVen, options: ScenarioVensOptions): Promise<SimulatedVen> {
  const model = new VenModel(scenarioVenDevices(scenario, ven));
  const credentials = options.credentials(ven.name);
  // The handlers need the handle, which needs the client: the holder breaks the cycle.
  const holder: { self?: SimulatedVen } = {};
  const client = new VenClient({
    vtnUrl: options.vtnUrl,
    venName: ven.name,
    tls: { certPem: credentials.certPem, keyPem: credentials.keyPem, caPem: options.caPem },
    pollIntervalMs: options.pollIntervalMs ?? 1000,
    logger: silentLogger,
    ...(options.push ? { push: { port: 0, host: '127.0.0.1' } } : {}),
    negotiation: {
      respond: (round) => {
        const profile = model.respond({ rho: round.rho, setpoint: round.targetKw, price: round.price });
        if (holder.self !== undefined) holder.self.rounds++;
        return profile;
      },
      agreed: (round) => {
        const self = holder.self;
        if (self === undefined) return;
        self.agreed = { round, schedules: model.schedules(), costEur: model.cost() };
        options.onAgreed?.(self);
      },
    },
  });
  const handle: SimulatedVen = { ven, client, model, registration: undefined, rounds: 0, agreed: undefined, messages: 0, bytes: 0, errors: [] };
  holder.self = handle;
  const count = (_service: unknown, _message: unknown, xml: string) => {
    handle.messages++;
    handle.bytes += Buffer.byteLength(xml);
  };
  client.on('messageSent', count);
  client.on('messageReceived', count);
  client.on('registered', (registration) => {
    handle.registration = registration;
    options.onRegistered?.(handle);
  });
  client.on('error', (error) => {
    handle.errors.push(error);
    options.onError?.(ven, error);
  });
  await client.start();
  return handle;
}

/** Resolves once every VEN has registered (its reports too), or fails after `timeoutMs` naming the missing ones. */
export async function allRegistered(vens: readonly SimulatedVen[], timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (vens.some((v) => v.registration === undefined)) {
    if (Date.now() > until) {
      const missing = vens.filter((v) => v.registration === undefined).map((v) => v.ven.name);
      const cause = vens.flatMap((v) => v.errors).at(-1);
      throw new Error(`${missing.length} VEN(s) did not register within ${timeoutMs} ms (${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', ...' : ''})${cause === undefined ? '' : `: ${cause.message}`}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export async function stopScenarioVens(vens: readonly SimulatedVen[]): Promise<void> {
  await Promise.allSettled(vens.map((v) => v.client.stop()));
}
