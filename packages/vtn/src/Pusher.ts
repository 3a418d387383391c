import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ConnectionOptions } from 'node:tls';
import { decodePayload, encodePayload, pushServiceOf, serviceOf, SERVICE_PATH_PREFIX, type MessageType, type ServiceName } from '@oadr-kit/protocol';
import { Agent, request } from 'undici';
import type { VtnConfig } from './config.js';
import type { VtnMetrics } from './metrics.js';
import type { OadrServices, SignatureHooks } from './OadrServices.js';
import type { VenRecord, VtnRepository } from './store/VtnStore.js';
import type { Outgoing, VtnCore } from './VtnCore.js';

/** The replies to a push that the VTN takes, as if the VEN had posted them. */
const PUSH_REPLIES: ReadonlySet<MessageType> = new Set<MessageType>([
  'oadrCreatedReport',
  'oadrRegisteredReport',
  'oadrCanceledReport',
  'oadrUpdatedReport',
  'oadrCanceledPartyRegistration',
]);

export interface PusherOptions {
  core: VtnCore;
  services: OadrServices;
  config: Readonly<VtnConfig>;
  metrics: VtnMetrics;
  /** TLS client options (the VTN's own certificate) for https transport addresses. */
  tls: ConnectionOptions | undefined;
  signatures: SignatureHooks | undefined;
}

/** The URL of a VEN's service: its transport address (with or without a trailing slash) plus the path. */
export function pushUrl(transportAddress: string, service: ServiceName): string {
  return `${transportAddress.replace(/\/+$/, '')}${SERVICE_PATH_PREFIX}/${service}`;
}

/** Backoff before attempt `attempt` (2, 3, …): exponential, capped, with jitter so VENs do not retry in step. */
export function backoffMs(attempt: number, initialMs: number, maxMs: number, random: () => number = Math.random): number {
  const base = Math.min(maxMs, initialMs * 2 ** (attempt - 2));
  return Math.round(base * (0.5 + random() / 2));
}

class PushFailure extends Error {}

/** Time a lease leaves, beyond one attempt, to record what the attempt delivered. */
const LEASE_MARGIN_MS = 10_000;
/** When another process held a VEN's lease, how soon to look once more for work its drain may have missed. */
const LEASE_RETRY_MS = 1_000;

/**
 * Pushes to VENs registered for push: whatever a poll would answer, in the same order, POSTed to the
 * VEN with undici. A message counts as delivered only when the VEN answered HTTP 200, and is then
 * recorded like a polled one, so each modification of an event reaches a VEN once. Failed pushes are
 * retried with backoff, then again by the periodic sweep. Several VTN processes sharing one database
 * each push, but to a given VEN only the one holding its lease (table push_leases) does.
 */
export class Pusher {
  private readonly agent: Agent;
  private readonly pending = new Set<string>();
  private readonly active = new Set<string>();
  private readonly controller = new AbortController();
  private sweepTimer: NodeJS.Timeout | undefined;
  private idleWaiters: Array<() => void> = [];
  private closed = false;
  private readonly commits: Array<{ run: (tx: VtnRepository) => Promise<boolean>; resolve: (recorded: boolean) => void; reject: (error: unknown) => void }> = [];
  private committing = false;
  private flushScheduled = false;
  private readonly holder = randomUUID();
  /** Leases this process holds: VEN → when the lease ends (VTN clock). */
  private readonly leases = new Map<string, number>();
  /** VENs to look at again shortly, their lease having been taken; and those whose drain is that look. */
  private readonly leaseRetries = new Map<string, NodeJS.Timeout>();
  private readonly lastLooks = new Set<string>();
  /** Lease releases not yet committed; the VEN's slot is free meanwhile, and close() waits for them. */
  private readonly releases = new Set<Promise<void>>();
  /** What one attempt may take: connect, headers and body each within the push timeout. */
  private readonly attemptMs: number;

  constructor(private readonly options: PusherOptions) {
    const push = options.config.push;
    // Every push in flight listens on the one shutdown signal, undici once for the request and once
    // more for its body while it is read, so a full pipeline holds two listeners per push.
    setMaxListeners(2 * push.concurrency + 16, this.controller.signal);
    this.attemptMs = 3 * push.timeoutMs;
    this.agent = new Agent({
      connections: push.connectionsPerOrigin,
      headersTimeout: push.timeoutMs,
      bodyTimeout: push.timeoutMs,
      connectTimeout: push.timeoutMs,
      ...(options.tls === undefined ? {} : { connect: options.tls }),
    });
  }

  /** Starts the periodic sweep and schedules every push VEN with pending work. */
  start(): void {
    const sweep = (): void => {
      void this.sweep().catch((error: unknown) => this.options.core.log.error({ err: error }, 'push sweep failed'));
    };
    this.sweepTimer = setInterval(sweep, this.options.config.push.sweepIntervalMs);
    this.sweepTimer.unref();
    sweep();
  }

  async sweep(): Promise<void> {
    this.schedule(await this.options.core.store.listPushVensWithPendingWork(this.options.core.clock()));
  }

  /** Marks VENs as having work; pull VENs are skipped when their turn comes. */
  schedule(venIDs: readonly string[]): void {
    if (this.closed) return;
    for (const venID of venIDs) this.pending.add(venID);
    this.pump();
  }

  /** Resolves when nothing is pending or in flight. */
  idle(): Promise<void> {
    if (this.pending.size === 0 && this.active.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private pump(): void {
    const limit = this.options.config.push.concurrency;
    for (const venID of this.pending) {
      if (this.active.size >= limit) break;
      if (this.active.has(venID)) continue;
      this.pending.delete(venID);
      this.active.add(venID);
      void this.drain(venID)
        .catch((error: unknown) => this.options.core.log.warn({ err: error, venID }, 'push failed'))
        .finally(() => {
          this.active.delete(venID);
          this.options.metrics.pushQueue.set(this.pending.size + this.active.size);
          if (!this.closed) this.pump();
          if (this.pending.size === 0 && this.active.size === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
        });
    }
    this.options.metrics.pushQueue.set(this.pending.size + this.active.size);
  }

  private async drain(venID: string): Promise<void> {
    try {
      await this.drainHeld(venID);
    } finally {
      this.lastLooks.delete(venID);
      this.release(venID);
    }
  }

  /** Sends a VEN everything due, one message after the other, until nothing is left or a push fails. */
  private async drainHeld(venID: string): Promise<void> {
    const { core } = this.options;
    // What is due is read only under the lease: another process may have pushed it just before.
    // A VEN is scheduled because it has work, so taking the lease first is seldom a wasted write.
    if (!(await this.hold(venID))) {
      this.retryLater(venID);
      return;
    }
    for (let sent = 0; sent < 100 && !this.closed; sent++) {
      const ven = await core.store.getVen(venID);
      if (ven === undefined || ven.httpPullModel || ven.registrationID === undefined || ven.transportAddress === undefined) return;
      const next = await core.nextFor(core.store, ven, core.clock());
      if (next === undefined) return;
      const distributed = next.message.type === 'oadrDistributeEvent' ? next.message.body.requestID : undefined;
      if (distributed !== undefined) core.pushing(venID, distributed, true);
      let replyXml: string | undefined;
      let recorded = false;
      try {
        replyXml = await this.send(ven, next);
        if (replyXml === undefined) return;
        recorded = await this.record((tx) => next.commit(tx, core.clock()));
      } finally {
        if (distributed !== undefined) core.pushing(venID, distributed, false);
      }
      if (recorded && replyXml.trim() !== '') await this.handleReply(ven, replyXml);
    }
  }

  /** Takes or renews this process's lease on the VEN, renewing only when what is left would not cover one more attempt. */
  private async hold(venID: string): Promise<boolean> {
    const now = this.options.core.clock();
    const until = this.leases.get(venID);
    if (until !== undefined && until - now >= this.attemptMs) return true;
    const expiresAt = now + this.attemptMs + LEASE_MARGIN_MS;
    const held = await this.record((tx) => tx.claimPushLease(venID, this.holder, now, expiresAt));
    if (held) {
      this.leases.set(venID, expiresAt);
      clearTimeout(this.leaseRetries.get(venID));
      this.leaseRetries.delete(venID);
    } else {
      this.leases.delete(venID);
    }
    return held;
  }

  private release(venID: string): void {
    if (!this.leases.delete(venID)) return;
    const released = this.record(async (tx) => {
      await tx.releasePushLease(venID, this.holder);
      return true;
    })
      .then(() => undefined)
      .catch((error: unknown) => this.options.core.log.warn({ err: error, venID }, 'push lease not released; it ends on its own'))
      .finally(() => this.releases.delete(released));
    this.releases.add(released);
  }

  /**
   * Looks once more, shortly, at a VEN whose lease another process held: its drain may have ended just
   * before our work was committed. Once only; after that the periodic sweep finds what is left.
   */
  private retryLater(venID: string): void {
    if (this.closed || this.leaseRetries.has(venID) || this.lastLooks.has(venID)) return;
    const timer = setTimeout(() => {
      this.leaseRetries.delete(venID);
      this.lastLooks.add(venID);
      this.schedule([venID]);
    }, LEASE_RETRY_MS);
    timer.unref();
    this.leaseRetries.set(venID, timer);
  }

  /**
   * Records a delivered push. Records wait while a transaction is being written and then go together
   * in the next one (group commit): a fan-out to thousands of VENs then costs a few dozen durable
   * commits instead of one per VEN, and each record is still durable before the next message goes out.
   */
  private record(run: (tx: VtnRepository) => Promise<boolean>): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.commits.push({ run, resolve, reject });
      this.scheduleFlush();
    });
  }

  /**
   * Flushes after the current round of I/O callbacks, so that every push answered meanwhile joins
   * the batch (a synchronous SQLite commit blocks the loop: answers pile up while it runs).
   */
  private scheduleFlush(): void {
    if (this.committing || this.flushScheduled || this.commits.length === 0) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.committing = true;
    const batch = this.commits.splice(0, 2000);
    try {
      const results = await this.options.core.store.transaction(async (tx) => {
        const out: boolean[] = [];
        for (const item of batch) out.push(await item.run(tx));
        return out;
      });
      batch.forEach((item, i) => item.resolve(results[i] ?? false));
    } catch (error) {
      for (const item of batch) item.reject(error);
    }
    this.committing = false;
    this.scheduleFlush();
  }

  private async send(ven: VenRecord, next: Outgoing): Promise<string | undefined> {
    const { config, metrics, core } = this.options;
    const type = next.message.type;
    const service = pushServiceOf(type);
    if (service === undefined || ven.transportAddress === undefined) return undefined;
    const url = pushUrl(ven.transportAddress, service);
    let xml = encodePayload(next.message);
    if (this.options.signatures !== undefined) xml = this.options.signatures.sign(xml);
    for (let attempt = 1; attempt <= config.push.maxAttempts; attempt++) {
      if (attempt > 1) {
        try {
          await sleep(backoffMs(attempt, config.push.initialBackoffMs, config.push.maxBackoffMs), undefined, { signal: this.controller.signal });
        } catch {
          return undefined;
        }
      }
      if (!(await this.hold(ven.venID))) {
        core.log.debug({ venID: ven.venID, message: type }, 'push lease taken by another VTN process');
        return undefined;
      }
      const started = process.hrtime.bigint();
      try {
        const response = await request(url, {
          method: 'POST',
          body: xml,
          headers: { 'content-type': 'application/xml' },
          dispatcher: this.agent,
          signal: this.controller.signal,
        });
        const text = await response.body.text();
        metrics.pushSeconds.observe({ message: type }, Number(process.hrtime.bigint() - started) / 1e9);
        if (response.statusCode === 200) {
          metrics.pushes.inc({ message: type, outcome: 'delivered' });
          core.log.debug({ venID: ven.venID, message: type, url, xml }, 'pushed');
          return text;
        }
        throw new PushFailure(`HTTP ${response.statusCode}`);
      } catch (error) {
        if (this.closed) return undefined;
        const last = attempt === config.push.maxAttempts;
        metrics.pushes.inc({ message: type, outcome: last ? 'failed' : 'retried' });
        core.log[last ? 'warn' : 'debug']({ venID: ven.venID, message: type, url, attempt, err: error }, last ? 'push failed, left for the sweep' : 'push attempt failed');
      }
    }
    return undefined;
  }

  /** A synchronous reply (oadrCreatedReport, oadrRegisteredReport, …) is handled as if the VEN had posted it. */
  private async handleReply(ven: VenRecord, xml: string): Promise<void> {
    const { core, services, config } = this.options;
    try {
      const decoded = decodePayload(xml, { maxBytes: config.maxPayloadBytes });
      const service = serviceOf(decoded.message.type);
      if (service === undefined || !PUSH_REPLIES.has(decoded.message.type)) return;
      const reply = await services.handle(service, decoded, { fingerprint: ven.fingerprint });
      if (reply.kind === 'payload' && 'eiResponse' in reply.message.body && reply.message.body.eiResponse?.responseCode !== '200') {
        core.log.warn({ venID: ven.venID, reply: reply.message.body.eiResponse }, 'push reply refused');
      }
    } catch (error) {
      core.log.warn({ venID: ven.venID, err: error }, 'unreadable push reply');
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.sweepTimer !== undefined) clearInterval(this.sweepTimer);
    for (const timer of this.leaseRetries.values()) clearTimeout(timer);
    this.pending.clear();
    this.controller.abort();
    if (this.active.size > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    await Promise.all(this.releases);
    await this.agent.close();
  }
}
