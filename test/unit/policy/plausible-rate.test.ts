import { describe, expect, it } from 'vitest';
import { claimExcess, plausibleRate } from '../../../src/policy/plausible-rate.js';

describe('plausibleRate (traffic claims against partition truth)', () => {
  it('keeps an honest claim and caps one above what the partitions grew by', () => {
    expect(plausibleRate(90, 100, 1.5)).toBe(90);
    expect(plausibleRate(140, 100, 1.5)).toBe(140);
    expect(plausibleRate(500_000, 100, 1.5)).toBe(150);
    expect(plausibleRate(500_000, 0, 1.5)).toBe(0);
  });

  it('measures the excess', () => {
    expect(claimExcess(50, 100)).toBe(0.5);
    expect(claimExcess(300, 100)).toBe(3);
    expect(claimExcess(10, 0)).toBe(Infinity);
    expect(claimExcess(0, 0)).toBe(1);
  });
});
