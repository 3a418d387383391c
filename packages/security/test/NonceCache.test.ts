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
});
