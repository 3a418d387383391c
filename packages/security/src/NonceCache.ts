/**
 * Where a verifier remembers the nonces it has seen. `remember` returns false when the nonce is
 * already there (a replay). A VTN that runs several processes plugs in a shared store here.
 */
export interface NonceStore {
  remember(nonce: string, expiresAtMs: number, nowMs: number): boolean;
}

export interface NonceCacheOptions {
  /**
   * Upper bound on remembered nonces; default 1,000,000 (about 100 MB). When full, the oldest
   * nonce is forgotten early: under that load a replay of it inside its window would go unnoticed,
   * which is preferred to refusing every new message.
   */
  readonly maxEntries?: number;
}

/** An in-memory NonceStore: each nonce is kept until its expiry, then forgotten. */
export class NonceCache implements NonceStore {
  readonly #expiries = new Map<string, number>();
  readonly #maxEntries: number;

  constructor(options: NonceCacheOptions = {}) {
    this.#maxEntries = options.maxEntries ?? 1_000_000;
  }

  get size(): number {
    return this.#expiries.size;
  }

  remember(nonce: string, expiresAtMs: number, nowMs: number): boolean {
    this.#evict(nowMs);
    if (this.#expiries.has(nonce)) return false;
    if (this.#expiries.size >= this.#maxEntries) {
      const oldest = this.#expiries.keys().next();
      if (oldest.done !== true) this.#expiries.delete(oldest.value);
    }
    this.#expiries.set(nonce, expiresAtMs);
    return true;
  }

  #evict(nowMs: number): void {
    // Expiries grow with insertion order when callers use now + a fixed window, so only the front
    // of the map needs looking at.
    for (const [nonce, expiresAt] of this.#expiries) {
      if (expiresAt > nowMs) break;
      this.#expiries.delete(nonce);
    }
  }
}
