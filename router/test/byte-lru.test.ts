import { ByteLru } from '../src/subscriptions/byte-lru';

describe('ByteLru', () => {
  it('never holds more bytes than its bound, evicting the least recently used first', () => {
    const sizes: number[] = [];
    const cache = new ByteLru<string>(100, (bytes) => sizes.push(bytes));
    cache.set('a', 'A', 40);
    cache.set('b', 'B', 40);
    expect(cache.get('a')).toBe('A'); // a is now the most recently used
    cache.set('c', 'C', 40);
    expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual(['A', undefined, 'C']);
    expect(cache.bytes).toBe(80);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(100);
  });

  it('keeps nothing larger than the whole bound, and a bound of 0 keeps nothing', () => {
    const cache = new ByteLru<string>(100);
    cache.set('small', 's', 10);
    cache.set('huge', 'h', 101);
    expect([cache.get('huge'), cache.get('small'), cache.bytes, cache.size]).toEqual([undefined, 's', 10, 1]);
    const off = new ByteLru<string>(0);
    off.set('x', 'x', 1);
    expect([off.get('x'), off.bytes]).toEqual([undefined, 0]);
  });

  it('replaces an entry under the same key, counting only its new size', () => {
    const cache = new ByteLru<string>(100);
    cache.set('a', 'one', 30);
    cache.set('a', 'two', 60);
    expect([cache.get('a'), cache.bytes, cache.size]).toEqual(['two', 60, 1]);
    cache.set('b', 'B', 50); // 110 > 100: a goes
    expect([cache.get('a'), cache.get('b'), cache.bytes]).toEqual([undefined, 'B', 50]);
  });

  it('stays within the bound over many random insertions', () => {
    const cache = new ByteLru<number>(10_000);
    let seed = 7;
    for (let i = 0; i < 5_000; i += 1) {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      cache.set(`k${seed % 700}`, i, seed % 3_000);
      expect(cache.bytes).toBeLessThanOrEqual(10_000);
    }
  });
});
