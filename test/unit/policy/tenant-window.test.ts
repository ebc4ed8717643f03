import { describe, expect, it } from 'vitest';
import { tenantShare, type PartitionFigures } from '../../../src/policy/tenant-window.js';

const figures = (rate: Record<number, number>, lag: Record<number, number> = {}): PartitionFigures => ({
  rate: new Map(Object.entries(rate).map(([p, r]) => [Number(p), r])),
  lag: new Map(Object.entries(lag).map(([p, l]) => [Number(p), l])),
});
const reported = (recordsPerSec: number, bytesPerSec = recordsPerSec * 100) => ({
  recordsPerSec,
  bytesPerSec,
});
const TOL = 1.5;

describe('tenantShare (reported rate joined with partition truth)', () => {
  const f = figures({ 2: 1000, 3: 9000, 5: 400, 6: 300, 7: 500 }, { 2: 50, 3: 7000, 5: 4, 6: 10, 7: 20 });

  it('a shared tenant ([]) is measured on its hash partition only', () => {
    expect(tenantShare([], 2, f, reported(300), TOL)).toEqual({
      recordsPerSec: 300,
      bytesPerSec: 30_000,
      share: 0.3,
      lag: 50,
      partitionRate: 1000,
      capped: false,
    });
  });

  it('a dedicated tenant is measured on its partition, not its hash partition', () => {
    expect(tenantShare([5], 2, f, reported(100), TOL)).toEqual({
      recordsPerSec: 100,
      bytesPerSec: 10_000,
      share: 0.25,
      lag: 4,
      partitionRate: 400,
      capped: false,
    });
  });

  it('a sharded tenant sums rate and lag over its partitions', () => {
    expect(tenantShare([6, 7], 2, f, reported(400), TOL)).toEqual({
      recordsPerSec: 400,
      bytesPerSec: 40_000,
      share: 0.5,
      lag: 30,
      partitionRate: 800,
      capped: false,
    });
  });

  it('caps a claim above partition growth x tolerance, scaling the bytes with it', () => {
    const s = tenantShare([5], 2, f, reported(4000, 80_000), TOL);
    expect(s).toEqual({
      recordsPerSec: 600,
      bytesPerSec: 12_000,
      share: 1,
      lag: 4,
      partitionRate: 400,
      capped: true,
    });
  });

  it('keeps a claim at exactly the tolerance (not capped) and clamps its share to 1', () => {
    expect(tenantShare([5], 2, f, reported(600), TOL)).toMatchObject({
      recordsPerSec: 600,
      share: 1,
      capped: false,
    });
    expect(tenantShare([5], 2, f, reported(601), TOL)).toMatchObject({
      recordsPerSec: 600,
      share: 1,
      capped: true,
    });
    expect(tenantShare([5], 2, f, reported(440), TOL)).toMatchObject({
      recordsPerSec: 440,
      share: 1,
      capped: false,
    });
  });

  it('zero partition rate: any claim is capped to nothing; no claim is no share', () => {
    const idle = figures({ 5: 0 });
    expect(tenantShare([5], 2, idle, reported(50, 5000), TOL)).toEqual({
      recordsPerSec: 0,
      bytesPerSec: 0,
      share: 0,
      lag: 0,
      partitionRate: 0,
      capped: true,
    });
    expect(tenantShare([5], 2, idle, reported(0, 0), TOL)).toEqual({
      recordsPerSec: 0,
      bytesPerSec: 0,
      share: 0,
      lag: 0,
      partitionRate: 0,
      capped: false,
    });
  });

  it('a topic with no figures yet counts as zero rate and lag', () => {
    const none: PartitionFigures = { rate: undefined, lag: undefined };
    expect(tenantShare([], 2, none, reported(10), TOL)).toMatchObject({
      recordsPerSec: 0,
      share: 0,
      lag: 0,
      partitionRate: 0,
      capped: true,
    });
  });
});
