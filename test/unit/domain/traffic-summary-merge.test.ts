import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { capacityFor, TrafficCounter } from '../../../src/domain/traffic-counter.js';
import { encodeTrafficReport } from '../../../src/domain/traffic-report-encode.js';
import { WindowAggregator } from '../../../src/domain/window-aggregator.js';
import { decodeTrafficReport } from '../../../src/domain/wire-records.js';

interface Fleet {
  readonly fraction: number;
  readonly producers: number;
  readonly intervals: number;
  readonly partitions: number;
  /** each record: which producer sent it, in which interval, for which tenant */
  readonly records: { producer: number; interval: number; tenant: number }[];
}

const rng = (seed: number) => {
  let x = seed;
  return () => (x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
};

/** Zipf(s) tenants with `whales` planted ones given a share each, spread over producers and intervals. */
const zipfFleet = fc
  .record({
    fraction: fc.constantFrom(0.02, 0.05, 0.1),
    producers: fc.integer({ min: 1, max: 8 }),
    intervals: fc.integer({ min: 1, max: 3 }),
    partitions: fc.integer({ min: 1, max: 4 }),
    tenants: fc.integer({ min: 10, max: 5000 }),
    s: fc.double({ min: 0.3, max: 1.5, noNaN: true }),
    whales: fc.integer({ min: 0, max: 3 }),
    length: fc.integer({ min: 200, max: 6000 }),
    seed: fc.integer({ min: 1, max: 2 ** 30 }),
  })
  .map((c): Fleet => {
    const rand = rng(c.seed);
    const w = Array.from({ length: c.tenants }, (_, i) => 1 / (i + 1) ** c.s);
    const sum = w.reduce((a, b) => a + b, 0);
    const cdf: number[] = [];
    w.reduce((acc, x, i) => (cdf[i] = acc + x / sum), 0);
    const zipf = () => {
      const r = rand();
      let lo = 0;
      let hi = c.tenants - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (cdf[mid]! < r) lo = mid + 1;
        else hi = mid;
      }
      return lo;
    };
    const records = Array.from({ length: c.length }, () => ({
      producer: Math.floor(rand() * c.producers),
      interval: Math.floor(rand() * c.intervals),
      // a planted whale takes ~15% of all records each
      tenant: rand() < 0.15 * c.whales ? c.tenants + Math.floor(rand() * c.whales) : zipf(),
    }));
    return { ...c, records };
  });

const randomFleet = fc
  .record({
    fraction: fc.constantFrom(0.02, 0.05, 0.1),
    producers: fc.integer({ min: 1, max: 5 }),
    intervals: fc.integer({ min: 1, max: 3 }),
    partitions: fc.integer({ min: 1, max: 3 }),
  })
  .chain((c) =>
    fc
      .array(
        fc.record({
          producer: fc.nat({ max: c.producers - 1 }),
          interval: fc.nat({ max: c.intervals - 1 }),
          tenant: fc.nat({ max: 300 }),
        }),
        { minLength: 1, maxLength: 3000 },
      )
      .map((records): Fleet => ({ ...c, records })),
  );

/**
 * Producers summarize, encode (split under a small budget), the controller decodes and merges in
 * one window: every tenant with at least f of its partition's records over the window is in the
 * merged set, and its merged count is within the stated error.
 */
function checkFleet(f: Fleet): void {
  const partitionOf = (tenant: number) => tenant % f.partitions;
  const counters = Array.from({ length: f.producers }, (_, i) => new TrafficCounter(`p${i}`, 0, f.fraction));
  const agg = new WindowAggregator({ windowMs: 1000, stepMs: 1000, ewmaAlpha: 1, silentIntervals: 1000 });
  const truth = new Map<number, number>();
  const partitionTotal = new Map<number, number>();
  for (let interval = 0; interval < f.intervals; interval++) {
    for (const r of f.records) {
      if (r.interval !== interval) continue;
      counters[r.producer]!.count('t', `x${r.tenant}`, 100, partitionOf(r.tenant));
      truth.set(r.tenant, (truth.get(r.tenant) ?? 0) + 1);
      const p = partitionOf(r.tenant);
      partitionTotal.set(p, (partitionTotal.get(p) ?? 0) + 1);
    }
    for (const c of counters)
      for (const b of encodeTrafficReport(c.cut(interval + 1), 2048)) {
        const d = decodeTrafficReport(b);
        if (!d.ok) throw d.error;
        agg.addReport(d.value, 500);
      }
  }
  const w = agg.close(1000); // one 1 s window: rates are record counts
  const merged = new Map(w.tenants.map((t) => [t.tenant, t]));
  const k = capacityFor(f.fraction);
  for (const [tenant, n] of truth) {
    const total = partitionTotal.get(partitionOf(tenant))!;
    const m = merged.get(`x${tenant}`);
    if (n >= f.fraction * total) expect(m, `x${tenant}: ${n} of ${total}`).toBeDefined();
    if (m === undefined) continue;
    expect(m.recordsPerSec).toBeLessThanOrEqual(n + 1e-9);
    // each report's error bound is at most N_i / (k+1); their sum at most N / (k+1)
    expect(m.errorRecordsPerSec).toBeLessThanOrEqual(total / (k + 1) + 1e-9);
    // and a producer-interval that did not name it saw fewer than f of its own records from it
    expect(n).toBeLessThanOrEqual(m.recordsPerSec + m.errorRecordsPerSec + f.fraction * total + 1e-9);
  }
}

describe('heavy-hitter reports merged across producers', () => {
  it('never miss a tenant above f of its partition, and stay within the error (Zipf, planted whales)', () => {
    fc.assert(fc.property(zipfFleet, checkFleet), { numRuns: 60 });
  });

  it('never miss a tenant above f of its partition, and stay within the error (random)', () => {
    fc.assert(fc.property(randomFleet, checkFleet), { numRuns: 60 });
  });
});
