import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initDevPki, issueVenCertificate, issueVtnCertificate } from '@oadr-kit/security';
import { startVtn, type NegotiationOutcome, type NegotiationRoundData, type RoundProgress, type RunningVtn } from '@oadr-kit/vtn';
import type { VenProcessMessage } from './commands/ven.js';
import type { NegotiationScenario } from './scenario.js';
import { allRegistered, startScenarioVens, stopScenarioVens } from './scenarioVens.js';

export interface OpenAdrNegotiationOptions {
  readonly tolerance: number;
  readonly maxRounds: number;
  readonly roundDeadlineMs: number;
  /** VENs take pushes (default) or poll. */
  readonly transport: 'push' | 'pull';
  /**
   * Where the dev PKI (pki/), the VTN's database (vtn.db) and the scenario the VEN process reads go;
   * default a temporary directory, removed afterwards.
   */
  readonly workDir?: string;
  /** Run the VENs in this many child `oadr ven` processes (the built CLI), or in this one (0, the default). */
  readonly venProcesses?: number;
  /** First slot, epoch ms (default the next midnight UTC: a day-ahead schedule). */
  readonly startMs?: number;
  readonly onRound?: (progress: RoundProgress) => void;
  readonly onStatus?: (text: string) => void;
  /**
   * Called once the negotiation ended, before anything is torn down: e.g. to keep the VTN (and its
   * dashboard) up until the operator is done looking. The result is complete by then.
   */
  readonly beforeTeardown?: (vtn: RunningVtn, result: OpenAdrNegotiationResult) => Promise<void>;
}

/** One VEN's view after the negotiation: what it answered and what it will run (private, never sent). */
export interface VenResult {
  readonly name: string;
  readonly venID: string;
  readonly rounds: number;
  readonly missed: number;
  readonly status: string;
  readonly costEur: number | undefined;
  readonly schedules: ReadonlyMap<string, Float64Array> | undefined;
  readonly messages: number;
  readonly bytes: number;
}

export interface OpenAdrNegotiationResult {
  readonly sessionID: string;
  readonly status: string;
  readonly reason: string | undefined;
  readonly startMs: number;
  readonly outcome: NegotiationOutcome | undefined;
  readonly rounds: readonly NegotiationRoundData[];
  readonly vens: readonly VenResult[];
  /** OpenADR payloads exchanged (both directions, counted at the VENs), and their bytes. */
  readonly messages: number;
  readonly bytes: number;
  /** Wall time of the negotiation proper (session start to every VEN holding the agreed schedule). */
  readonly seconds: number;
}

const PROGRAM_ID = 'community-day-ahead';
const MARKET_CONTEXT = 'http://oadr-kit.example/programs/community-day-ahead';

/** The start of tomorrow in UTC: where a day-ahead schedule begins. */
export function nextMidnightUtc(now: number): number {
  const day = 86_400_000;
  return Math.floor(now / day) * day + day;
}

/** A dev PKI on P-256 in `dir`: a CA bundle, the VTN's certificate and one per VEN (oadr ven reads the same files). */
function devPki(dir: string, venNames: readonly string[]) {
  initDevPki(dir, { keyAlgorithms: ['ec-p256'], overwrite: true });
  const vtn = issueVtnCertificate(dir, { keyAlgorithm: 'ec-p256', name: 'vtn', overwrite: true });
  for (const name of venNames) issueVenCertificate(dir, { keyAlgorithm: 'ec-p256', name, overwrite: true });
  const read = (file: string) => readFileSync(join(dir, file), 'utf8');
  return {
    caPem: read('ca-bundle.pem'),
    vtn: { keyPem: readFileSync(vtn.keyPath, 'utf8'), certificatePem: readFileSync(vtn.chainPath, 'utf8') },
    ven: (name: string) => ({ certPem: read(`${name}.chain.pem`), keyPem: read(`${name}.key.pem`) }),
  };
}

/** What the negotiation needs of the VENs, wherever they run. */
interface VenFleet {
  /** venID by VEN name, once all registered. */
  readonly venIDs: Map<string, string>;
  readonly agreed: Map<string, { costEur: number; rounds: number; messages: number; bytes: number; schedules: Map<string, Float64Array> }>;
  stop(): Promise<void>;
}

async function inProcessFleet(scenario: NegotiationScenario, vtnUrl: string, pki: ReturnType<typeof devPki>, options: OpenAdrNegotiationOptions): Promise<VenFleet> {
  const fleet: VenFleet = { venIDs: new Map(), agreed: new Map(), stop: async () => undefined };
  const vens = await startScenarioVens(scenario, {
    vtnUrl,
    credentials: pki.ven,
    caPem: pki.caPem,
    push: options.transport === 'push',
    pollIntervalMs: options.transport === 'push' ? 10_000 : 50,
    onRegistered: (ven) => fleet.venIDs.set(ven.ven.name, ven.registration?.venID ?? ''),
    onAgreed: (ven) => {
      if (ven.agreed !== undefined) fleet.agreed.set(ven.ven.name, { costEur: ven.agreed.costEur, rounds: ven.rounds, messages: ven.messages, bytes: ven.bytes, schedules: ven.agreed.schedules });
    },
  });
  try {
    await allRegistered(vens, 60_000);
  } catch (error) {
    await stopScenarioVens(vens);
    throw error;
  }
  return { ...fleet, stop: () => stopScenarioVens(vens) };
}

/** The VENs in child `oadr ven` processes (each its share of the VENs), reporting over their IPC channels. */
async function childProcessFleet(scenarioPath: string, scenario: NegotiationScenario, vtnUrl: string, pkiDir: string, options: OpenAdrNegotiationOptions): Promise<VenFleet> {
  const count = Math.max(1, Math.min(options.venProcesses ?? 1, scenario.vens.length));
  const venIDs = new Map<string, string>();
  const agreed: VenFleet['agreed'] = new Map();
  const children: { stop(): Promise<void> }[] = [];
  const stop = async () => void (await Promise.all(children.map((c) => c.stop())));
  try {
    for (let k = 0; k < count; k++) {
      const names = scenario.vens.filter((_, i) => i % count === k).map((v) => v.name);
      children.push(await childProcess(scenarioPath, names, vtnUrl, pkiDir, options, (message) => {
        if (message.type === 'registered') venIDs.set(message.name, message.venID);
        if (message.type === 'agreed') {
          const schedules = new Map(Object.entries(message.schedules).map(([id, kw]) => [id, Float64Array.from(kw)]));
          agreed.set(message.name, { costEur: message.costEur, rounds: message.rounds, messages: message.messages, bytes: message.bytes, schedules });
        }
      }));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { venIDs, agreed, stop };
}

/** One `oadr ven` process for `names`; resolves once they all registered. */
async function childProcess(
  scenarioPath: string,
  names: readonly string[],
  vtnUrl: string,
  pkiDir: string,
  options: OpenAdrNegotiationOptions,
  onMessage: (message: VenProcessMessage) => void,
): Promise<{ stop(): Promise<void> }> {
  const args = ['ven', '--scenario', scenarioPath, '--vtn', vtnUrl, '--pki', pkiDir, '--only', names.join(','), ...(options.transport === 'pull' ? ['--pull', '--poll-interval', '50'] : [])];
  const child: ChildProcess = fork(join(__dirname, 'bin.js'), args, { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const stop = async () => {
    if (child.exitCode === null && child.connected) child.send({ type: 'stop' });
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  const ready = new Promise<void>((resolve, reject) => {
    child.on('message', (raw) => {
      const message = raw as VenProcessMessage;
      if (message.type === 'ready') resolve();
      else onMessage(message);
    });
    void exited.then((code) => reject(new Error(`the VEN process exited (${String(code)}) before its ${names.length} VENs registered: ${stderr.trim().split('\n').at(-1) ?? ''}`)));
  });
  try {
    await ready;
  } catch (error) {
    await stop();
    throw error;
  }
  return { stop };
}

async function admin(vtn: RunningVtn, method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${vtn.adminUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${vtn.app.adminToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  const json = text === '' ? undefined : (JSON.parse(text) as unknown);
  if (!response.ok) {
    const error = (json as { error?: { message?: string } } | undefined)?.error;
    throw new Error(`admin API ${method} ${path} answered ${response.status}: ${error?.message ?? text}`);
  }
  return json;
}

/**
 * Negotiates a scenario over real OpenADR 2.0b on 127.0.0.1: a dev PKI, a VTN (SQLite) with mutual
 * TLS, one VenClient per VEN (push listener or polling), a session started through the admin API,
 * and the history read back from it. Everything is torn down before it returns.
 */
export async function negotiateOverOpenAdr(scenario: NegotiationScenario, options: OpenAdrNegotiationOptions): Promise<OpenAdrNegotiationResult> {
  const status = options.onStatus ?? (() => undefined);
  const workDir = options.workDir ?? mkdtempSync(join(tmpdir(), 'oadr-negotiation-'));
  mkdirSync(workDir, { recursive: true });
  const pkiDir = join(workDir, 'pki');
  status(`making a dev PKI for the VTN and ${scenario.vens.length} VENs in ${pkiDir}`);
  const pki = devPki(pkiDir, scenario.vens.map((v) => v.name));
  const scenarioPath = join(workDir, 'scenario.json');
  writeFileSync(scenarioPath, `${JSON.stringify(scenario, null, 1)}\n`);
  const dbPath = join(workDir, 'vtn.db');
  rmSync(dbPath, { force: true });
  const vtn = await startVtn({
    listen: { host: '127.0.0.1', port: 0 },
    admin: { host: '127.0.0.1', port: 0, token: randomBytes(24).toString('base64url') },
    storage: { type: 'sqlite', path: dbPath },
    // Pull VENs poll every 50 ms here: a round waits for its slowest VEN's next poll.
    pollFrequency: options.transport === 'pull' ? 'PT0S' : 'PT1S',
    push: { enabled: true },
    tlsMaterial: { credentials: [pki.vtn], ca: pki.caPem },
    logLevel: 'silent',
    processMetrics: false,
  });
  let fleet: VenFleet | undefined;
  try {
    const processes = options.venProcesses ?? 0;
    status(`VTN on ${vtn.url}; starting ${scenario.vens.length} VENs (${options.transport}${processes > 0 ? `, in ${processes} VEN process(es)` : ''})`);
    fleet =
      processes > 0
        ? await childProcessFleet(scenarioPath, scenario, vtn.url, pkiDir, options)
        : await inProcessFleet(scenario, vtn.url, pki, options);
    const vens = fleet;
    await admin(vtn, 'POST', '/admin/v1/programs', { programID: PROGRAM_ID, name: 'Community day-ahead', marketContext: MARKET_CONTEXT });
    const startMs = options.startMs ?? nextMidnightUtc(Date.now());
    const unsubscribe = options.onRound === undefined ? () => false : vtn.app.negotiations.onRound(options.onRound);
    const started = process.hrtime.bigint();
    const created = (await admin(vtn, 'POST', '/admin/v1/negotiations', {
      programID: PROGRAM_ID,
      start: new Date(startMs).toISOString().replace('.000Z', 'Z'),
      slots: scenario.horizon.slots,
      slotMinutes: scenario.horizon.slotMinutes,
      currency: scenario.currency ?? 'EUR',
      venIDs: scenario.vens.map((v) => vens.venIDs.get(v.name) ?? ''),
      grid: scenario.grid,
      tolerance: options.tolerance,
      ...(scenario.negotiation?.rho === undefined ? {} : { rho: scenario.negotiation.rho }),
      maxRounds: options.maxRounds,
      roundDeadlineMs: options.roundDeadlineMs,
    })) as { sessionID: string };
    const record = await vtn.app.negotiations.finished(created.sessionID);
    unsubscribe();
    if (record.status === 'agreed') {
      // The agreed schedule is one more delivery; wait until every VEN that still answers holds it.
      const until = Date.now() + Math.max(options.roundDeadlineMs, 10_000);
      const answering = (record.members as { status: string }[]).filter((m) => m.status === 'active').length;
      while (vens.agreed.size < answering && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const rounds: NegotiationRoundData[] = [];
    for (let from = 0; from < record.rounds; from += 1000) {
      rounds.push(...((await admin(vtn, 'GET', `/admin/v1/negotiations/${encodeURIComponent(created.sessionID)}/rounds?from=${from}&limit=1000`)) as NegotiationRoundData[]));
    }
    const members = record.members as { venID: string; status: string; missed: number }[];
    const results: VenResult[] = scenario.vens.map((v) => {
      const venID = vens.venIDs.get(v.name) ?? '';
      const member = members.find((m) => m.venID === venID);
      const agreed = vens.agreed.get(v.name);
      return {
        name: v.name,
        venID,
        rounds: agreed?.rounds ?? 0,
        missed: member?.missed ?? 0,
        status: member?.status ?? 'unknown',
        costEur: agreed?.costEur,
        schedules: agreed?.schedules,
        messages: agreed?.messages ?? 0,
        bytes: agreed?.bytes ?? 0,
      };
    });
    const result: OpenAdrNegotiationResult = {
      sessionID: record.sessionID,
      status: record.status,
      reason: record.reason,
      startMs,
      outcome: record.outcome as NegotiationOutcome | undefined,
      rounds,
      vens: results,
      messages: results.reduce((sum, v) => sum + v.messages, 0),
      bytes: results.reduce((sum, v) => sum + v.bytes, 0),
      seconds,
    };
    await options.beforeTeardown?.(vtn, result);
    return result;
  } finally {
    await fleet?.stop();
    await vtn.close();
    if (options.workDir === undefined) rmSync(workDir, { recursive: true, force: true });
  }
}
