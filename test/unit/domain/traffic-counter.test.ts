import { describe, expect, it } from 'vitest';
import { capacityFor, ROUTED, TrafficCounter } from '../../../src/domain/traffic-counter.js';

describe('TrafficCounter (report v2)', () => {
  it('counts routed tenants exactly, unrouted ones in their partition summary with totals, and resets', () => {
    const c = new TrafficCounter('p1', 0, 0.1);
    c.count('t', 'routed', 10, ROUTED);
    c.count('t', 'routed', 5, ROUTED);
    for (let i = 0; i < 50; i++) c.count('t', 'whale', 100, 3);
    for (let i = 0; i < 200; i++) c.count('t', `small-${i}`, 1, 3);
    const r = c.cut(1000, 7);
    expect(r).toMatchObject({
      producerId: 'p1',
      seq: 0,
      intervalStart: 0,
      intervalEnd: 1000,
      routesApplied: 7,
    });
    const t = r.topics[0]!;
    expect(t.exact).toEqual([{ tenant: 'routed', records: 2, bytes: 15 }]);
    const p = t.partitions[0]!;
    expect(p).toMatchObject({ partition: 3, records: 250, bytes: 5200 });
    // k = 20 counters for f = 0.1: the error bound is below N/(k+1) = 11.9 records.
    expect(p.errorBound).toBeLessThan(250 / (capacityFor(0.1) + 1));
    const whale = p.named.find((n) => n.tenant === 'whale')!;
    expect(whale.records).toBeLessThanOrEqual(50);
    expect(whale.records + p.errorBound).toBeGreaterThanOrEqual(50);
    // Only tenants whose upper bound reaches f x N are named: the 1-record tenants are not.
    expect(p.named.map((n) => n.tenant)).toEqual(['whale']);
    expect(c.cut(2000)).toMatchObject({ seq: 1, intervalStart: 1000, topics: [] });
  });

  it('refuses a fraction whose capacity is out of range', () => {
    expect(() => new TrafficCounter('p', 0, 0)).toThrow(/capacity/);
  });
});
