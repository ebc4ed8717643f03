import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HeavyHitters } from '../../../src/domain/heavy-hitters.js';

type Stream = { key: string; weight: number }[];

/** Exact weights of a stream, for checking the summary against the truth. */
const truth = (s: Stream): Map<string, number> => {
  const m = new Map<string, number>();
  for (const { key, weight } of s) m.set(key, (m.get(key) ?? 0) + weight);
  return m;
};

/** Zipf(s) over n keys, with `whales` planted keys given a heavy share. */
const zipfStream = fc
  .record({
    n: fc.integer({ min: 10, max: 3000 }),
    s: fc.double({ min: 0.5, max: 1.5, noNaN: true }),
    length: fc.integer({ min: 100, max: 4000 }),
    seed: fc.integer({ min: 1, max: 2 ** 30 }),
  })
  .map(({ n, s, length, seed }) => {
    let x = seed;
    const rand = () => (x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const weights = Array.from({ length: n }, (_, i) => 1 / (i + 1) ** s);
    const sum = weights.reduce((a, b) => a + b, 0);
    const cdf: number[] = [];
    weights.reduce((acc, w, i) => (cdf[i] = acc + w / sum), 0);
    const pick = () => {
      const r = rand();
      let lo = 0;
      let hi = n - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (cdf[mid]! < r) lo = mid + 1;
        else hi = mid;
      }
      return `t${lo}`;
    };
    return Array.from({ length }, () => ({ key: pick(), weight: 1 + Math.floor(rand() * 5) }));
  });

const randomStream = fc.array(
  fc.record({ key: fc.string({ minLength: 1, maxLength: 3 }), weight: fc.integer({ min: 1, max: 50 }) }),
  { minLength: 1, maxLength: 2000 },
);

/** Checks the stated guarantee of one summary against the exact weights. */
function expectGuarantee(h: HeavyHitters, exact: Map<string, number>): void {
  const total = [...exact.values()].reduce((a, b) => a + b, 0);
  expect(h.total).toBeCloseTo(total, 6);
  const top = h.top(); // compacts to k counters first: the bound is read after that
  const bound = h.errorBound();
  expect(bound).toBeLessThanOrEqual(total / (h.capacity + 1) + 1e-9);
  expect(top.length).toBeLessThanOrEqual(h.capacity);
  const inTop = new Set(top.map((t) => t.key));
  for (const [key, w] of exact) {
    const est = h.estimate(key);
    expect(est).toBeLessThanOrEqual(w + 1e-9);
    expect(w).toBeLessThanOrEqual(est + bound + 1e-9);
    // never missed: anything above N / (k + 1) has a counter
    if (w > total / (h.capacity + 1)) expect(inTop.has(key), `${key} (${w} of ${total})`).toBe(true);
  }
}

describe('HeavyHitters (weighted Misra-Gries, mergeable)', () => {
  it('keeps every key of a stream with at most k distinct keys exactly', () => {
    const h = new HeavyHitters(4);
    for (const k of ['a', 'b', 'a', 'c', 'd', 'a']) h.add(k, 2);
    expect(h.errorBound()).toBe(0);
    expect(h.top()).toEqual([
      { key: 'a', estimate: 6 },
      { key: 'b', estimate: 2 },
      { key: 'c', estimate: 2 },
      { key: 'd', estimate: 2 },
    ]);
  });

  it('trims by the (k+1)-th largest counter and says by how much', () => {
    const h = new HeavyHitters(2);
    h.add('a', 10);
    h.add('b', 5);
    h.add('c', 3);
    h.add('d', 1);
    h.add('e', 1); // 5 counters > 2k: cut at the 3rd largest (3)
    expect(h.errorBound()).toBe(3);
    expect(h.top()).toEqual([
      { key: 'a', estimate: 7 },
      { key: 'b', estimate: 2 },
    ]);
  });

  it('ignores weights that are not positive finite numbers', () => {
    const h = new HeavyHitters(2);
    for (const w of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) h.add('x', w);
    expect(h.total).toBe(0);
    expect(h.size).toBe(0);
  });

  it('refuses a capacity that is not a positive integer', () => {
    expect(() => new HeavyHitters(0)).toThrow(/capacity must be an integer in 1\.\.1000000 \(got 0\)/);
  });

  it('holds its guarantee on random streams, for any k', () => {
    fc.assert(
      fc.property(randomStream, fc.integer({ min: 1, max: 40 }), (s, k) => {
        const h = new HeavyHitters(k);
        for (const { key, weight } of s) h.add(key, weight);
        expectGuarantee(h, truth(s));
      }),
      { numRuns: 150 },
    );
  });

  it('holds it on Zipf traffic split over many producers and merged (the controller merges reports)', () => {
    fc.assert(
      fc.property(
        zipfStream,
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 4, max: 64 }),
        (s, producers, k) => {
          const parts = Array.from({ length: producers }, () => new HeavyHitters(k));
          s.forEach(({ key, weight }, i) => parts[(i * 7919) % producers]!.add(key, weight));
          const merged = new HeavyHitters(k);
          for (const p of parts) merged.merge(p);
          expectGuarantee(merged, truth(s));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('finds a planted whale among 50,000 one-record tenants with 64 counters', () => {
    const h = new HeavyHitters(64);
    for (let i = 0; i < 50_000; i++) {
      h.add(`tenant-${i}`, 1);
      if (i % 10 === 0) h.add('whale', 1);
    }
    const top = h.top();
    expect(top[0]!.key).toBe('whale');
    expect(5000 - top[0]!.estimate).toBeLessThanOrEqual(h.errorBound());
    expect(h.errorBound()).toBeLessThanOrEqual(55_000 / 65);
  });
});
