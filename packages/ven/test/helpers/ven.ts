import type { VenClientOptions } from '../../src/VenOptions.js';
import type { FakeVtn } from './FakeVtn.js';
import { testPki } from './pki.js';

/** Options for a VEN talking mutual TLS to the fake VTN, with short intervals so tests are quick. */
export function venOptions(vtn: FakeVtn, overrides: Partial<VenClientOptions> = {}): VenClientOptions {
  const pki = testPki();
  return {
    vtnUrl: overrides.vtnUrl ?? vtn.url,
    venName: 'test-ven',
    tls: { certPem: pki.ven.certificatePem, keyPem: pki.ven.keyPem, caPem: pki.caPem },
    pollIntervalMs: 40,
    requestTimeoutMs: 1_000,
    handlerTimeoutMs: 1_000,
    backoff: { initialMs: 20, maxMs: 80 },
    random: () => 0.5,
    ...overrides,
  };
}

export function fakeVtnTls(): { credential: { keyPem: string; certificatePem: string }; ca: string } {
  const pki = testPki();
  return { credential: pki.vtn, ca: pki.caPem };
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
