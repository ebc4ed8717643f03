import { describe, expect, it } from 'vitest';
import { FigureThrottle } from '../../../../src/app/dashboard/figure-throttle.js';
import type { DashboardSnapshot, TenantRow } from '../../../../src/app/dashboard/view-model.js';

const row = (rate: number, over: Partial<TenantRow> = {}): TenantRow => ({
  key: 't/a',
  topic: 't',
  tenant: 'a',
  state: 'shared',
  partitions: [0],
  epoch: 0,
  ordering: 'strict',
  manual: false,
  rate,
  share: 0.1,
  lag: 0,
  decision: null,
  stuck: false,
  ...over,
});
const snap = (r: TenantRow): DashboardSnapshot => ({
  at: 0,
  role: { role: 'leader', mode: 'act' },
  topics: [],
  tenants: [r],
  moves: [],
});
const opts = { refreshMs: 5000, jump: 0.25, floor: 5 };

describe('FigureThrottle', () => {
  it('holds back jitter until the refresh period is over, then sends the figures', () => {
    const th = new FigureThrottle(opts);
    const first = th.apply(snap(row(100)), snap(row(100)), 0);
    expect(first.tenants[0]!.rate).toBe(100);
    const held = th.apply(first, snap(row(110)), 1000);
    expect(held.tenants[0]).toBe(first.tenants[0]);
    // the row's refresh falls somewhere in the period (phase by key), never later than refreshMs after the last send
    let at = 1000;
    let out = held;
    while (out.tenants[0]!.rate === 100 && at <= 10_000) out = th.apply(out, snap(row(110)), (at += 500));
    expect(out.tenants[0]!.rate).toBe(110);
    expect(at).toBeLessThanOrEqual(5500);
    expect(th.apply(out, snap(row(104)), at + 500).tenants[0]!.rate).toBe(110);
    expect(th.apply(out, snap(row(104)), at + 5000).tenants[0]!.rate).toBe(104);
  });

  it('sends a jump at once (a tenant turning hot, a growing lag)', () => {
    const th = new FigureThrottle(opts);
    const a = th.apply(snap(row(100)), snap(row(100)), 0);
    expect(th.apply(a, snap(row(200)), 100).tenants[0]!.rate).toBe(200);
    expect(th.apply(a, snap(row(100, { lag: 900 })), 100).tenants[0]!.lag).toBe(900);
    // small rates: a change below the floor is jitter
    const b = th.apply(snap(row(2)), snap(row(2)), 0);
    expect(th.apply(b, snap(row(4)), 100).tenants[0]!.rate).toBe(2);
  });

  it('never holds back a state, route or decision change, and sends the figures with it', () => {
    const th = new FigureThrottle(opts);
    const a = th.apply(snap(row(100)), snap(row(100)), 0);
    const b = th.apply(a, snap(row(103, { state: 'isolating', partitions: [4] })), 100);
    expect(b.tenants[0]).toMatchObject({ state: 'isolating', partitions: [4], rate: 103 });
  });
});
