import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { shardsFor, assess, isCold, isHot } from '../../../src/policy/tenant-assessment.js';
import { defaultThresholds, parseThresholds } from '../../../src/policy/thresholds.js';

describe('assessment', () => {
  it('computes k = ceil(rate / (capacity x headroom)), capped', () => {
    const t = parseThresholds({ partitionCapacity: 1000, headroom: 0.8, maxShards: 4 });
    expect([shardsFor(100, t), shardsFor(800, t), shardsFor(801, t), shardsFor(99_999, t)]).toEqual([
      1, 1, 2, 4,
    ]);
  });

  it('never yields NaN for a bad rate and says why with the numbers', () => {
    const a = assess(
      {
        topic: 't',
        tenant: 'x',
        at: 0,
        recordsPerSec: Number.NaN,
        bytesPerSec: 0,
        share: 0,
        lag: 0,
        trend: 0,
      },
      defaultThresholds(),
    );
    expect(a).toMatchObject({ hot: false, cold: true, shardsNeeded: 1 });
    expect(a.numbers['rate']).toBe(0);
    expect(a.reason).toMatch(/rate 0\/s < release/);
  });

  it('isHot / isCold (the per-tick shortcuts) agree with assess for any window and thresholds', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.double({ min: -10, max: 1e6 }), fc.constant(Number.NaN), fc.constant(Infinity)),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 1, max: 100_000 }),
        fc.integer({ min: 0, max: 10_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (rate, share, isolateRate, releaseRate, isolateShare) => {
          const t = parseThresholds({
            isolateRate,
            releaseRate: Math.min(releaseRate, isolateRate - 1),
            isolateShare,
          });
          const w = {
            topic: 't',
            tenant: 'x',
            at: 0,
            recordsPerSec: rate,
            bytesPerSec: 0,
            share,
            lag: 0,
            trend: 0,
          };
          const a = assess(w, t);
          expect(isHot(w, t)).toBe(a.hot);
          expect(isCold(w, t)).toBe(a.cold);
        },
      ),
    );
  });
});
