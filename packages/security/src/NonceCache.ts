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
  /**
   * The nonces in insertion order, oldest at `#head`. Dropping the oldest through a Map iterator
   * would walk every entry deleted before it (V8 keeps them until the table is rebuilt): with the
   * cache full, each new nonce then cost a scan, and 200,000 of them took about 50 s instead of 0.2 s.
   */
  #order: string[] = [];
  #head = 0;
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
    if (this.#expiries.size >= this.#maxEntries) this.#dropOldest();
    this.#expiries.set(nonce, expiresAtMs);
    this.#order.push(nonce);
    return true;
  }

  #evict(nowMs: number): void {
    // Expiries grow with insertion order when callers use now + a fixed window, so only the oldest
    // nonces need looking at.
    while (this.#head < this.#order.length && (this.#expiries.get(this.#order[this.#head]!) ?? nowMs) <= nowMs) this.#dropOldest();
  }

  #dropOldest(): void {
    const nonce = this.#order[this.#head++];
    if (nonce !== undefined) this.#expiries.delete(nonce);
    // Dropped nonces are cut off the front once they are half the array: amortised O(1) per nonce.
    if (this.#head > 1024 && this.#head * 2 > this.#order.length) {
      this.#order = this.#order.slice(this.#head);
      this.#head = 0;
    }
  }
}
