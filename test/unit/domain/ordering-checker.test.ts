import { describe, expect, it } from 'vitest';
import { OrderingChecker } from '../../../src/domain/ordering-checker.js';

describe('OrderingChecker', () => {
  it('accepts increasing sequences per tenant and per shard key', () => {
    const c = new OrderingChecker();
    for (const [t, s, k] of [
      ['a', 1],
      ['b', 1],
      ['a', 2],
      ['w', 1, 'u1'],
      ['w', 1, 'u2'],
      ['w', 2, 'u1'],
    ] as const)
      expect(c.observe(t, s, k)).toBe('ok');
    expect(c.report()).toMatchObject({ records: 6, tenants: 3, violations: 0, duplicates: 0, gaps: 0 });
  });

  it('counts a record overtaken by a later one as a violation, and the hole meanwhile as a gap', () => {
    const c = new OrderingChecker();
    c.observe('a', 1);
    expect(c.observe('a', 3)).toBe('gap');
    expect(c.report().gaps).toBe(1);
    expect(c.observe('a', 2)).toBe('violation');
    expect(c.report()).toMatchObject({ violations: 1, gaps: 0 });
    expect(c.report().examples[0]).toMatch(/a: seq 2 after 3/);
  });

  it('counts a replay after a rebalance as duplicates, not violations', () => {
    const c = new OrderingChecker();
    for (let i = 1; i <= 5; i++) c.observe('a', i);
    for (let i = 3; i <= 7; i++) c.observe('a', i);
    expect(c.report()).toMatchObject({ records: 10, duplicates: 3, violations: 0, gaps: 0 });
    expect(c.unique).toBe(7);
    expect(c.lastSeq('a')).toBe(7);
  });

  it('reports what never arrived as gaps (loss)', () => {
    const c = new OrderingChecker();
    c.observe('a', 1);
    c.observe('a', 5);
    expect(c.report().gaps).toBe(3);
    c.observe('b', 1, 'k');
    c.observe('b', 3, 'k');
    expect(c.missing()).toEqual([
      { stream: 'a', seq: 2 },
      { stream: 'a', seq: 3 },
      { stream: 'a', seq: 4 },
      { stream: 'b[k]', seq: 2 },
    ]);
    expect(c.missing(2)).toHaveLength(2);
    c.observe('a', 3);
    expect(c.missing().map((m) => m.seq)).toEqual([2, 4, 2]);
  });
});
