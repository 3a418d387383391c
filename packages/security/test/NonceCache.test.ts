import { NonceCache } from '../src/index.js';

describe('NonceCache', () => {
  test('refuses a nonce it holds, forgets it after its expiry', () => {
    const cache = new NonceCache();
    expect(cache.remember('n1', 1_000, 0)).toBe(true);
    expect(cache.remember('n1', 1_000, 500)).toBe(false);
    expect(cache.remember('n2', 1_500, 500)).toBe(true);
    expect(cache.remember('n1', 2_000, 1_000)).toBe(true);
    expect(cache.size).toBe(2);
    expect(cache.remember('n3', 5_000, 3_000)).toBe(true);
    expect(cache.size).toBe(1);
  });

  test('stays within maxEntries by forgetting the oldest', () => {
    const cache = new NonceCache({ maxEntries: 2 });
    cache.remember('a', 10_000, 0);
    cache.remember('b', 10_000, 0);
    cache.remember('c', 10_000, 0);
    expect(cache.size).toBe(2);
    expect(cache.remember('b', 10_000, 1)).toBe(false);
    expect(cache.remember('a', 10_000, 1)).toBe(true);
  });

  test('keeps the newest maxEntries and forgets expired ones in order, over many nonces', () => {
    const cache = new NonceCache({ maxEntries: 1_500 });
    for (let i = 0; i < 5_000; i++) expect(cache.remember(`n${i}`, 10_000 + i, 0)).toBe(true);
    expect(cache.size).toBe(1_500);
    expect(cache.remember('n4999', 20_000, 0)).toBe(false);
    expect(cache.remember('n3500', 20_000, 0)).toBe(false);
    // n3499 was forgotten to make room, so it is taken again (and n3500 goes instead).
    expect(cache.remember('n3499', 20_000, 0)).toBe(true);
    expect(cache.remember('n3500', 20_000, 0)).toBe(true);
    // At 14,000 every nonce expiring by then is gone: n4001..n4999, the two re-remembered and 'late' remain.
    expect(cache.remember('late', 30_000, 14_000)).toBe(true);
    expect(cache.size).toBe(1_002);
    expect(cache.remember('n4001', 30_000, 14_000)).toBe(false);
    expect(cache.remember('n4000', 30_000, 14_000)).toBe(true);
  });
});
