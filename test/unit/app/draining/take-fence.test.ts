import { describe, expect, it } from 'vitest';
import { takeFence } from '../../../../src/app/draining/take-fence.js';
import { ctx, fakePorts, runStep, stepDeps, waitUntil } from './step-harness.js';

describe('takeFence step (draining.fencing)', () => {
  it('fence.taken carries the log-end offsets of the partitions the tenant leaves', async () => {
    const ends = new Map([
      [4, 1234],
      [5, 77],
      [6, 999],
    ]);
    const fp = fakePorts({ logEnd: async (_t, ps) => new Map(ps.map((p) => [p, ends.get(p)!])) });
    const s = stepDeps(fp);
    const r = runStep(takeFence(s.deps), ctx({ epoch: 2, partitions: [4, 5], target: [6], from: [4, 5] }));
    await waitUntil(() => r.events.length === 1, 'the fence');
    expect(r.events).toEqual([{ type: 'fence.taken', fence: { 4: 1234, 5: 77 } }]);
    expect(fp.logEnds).toEqual([{ topic: 'orders', partitions: [4, 5] }]);
    expect(s.steps).toEqual([
      { topic: 'orders', tenant: 'acme', epoch: 2, step: 'fence', phase: 'start' },
      {
        topic: 'orders',
        tenant: 'acme',
        epoch: 2,
        step: 'fence',
        phase: 'end',
        detail: { p4: 1234, p5: 77 },
      },
    ]);
    r.stop();
  });

  it("a shared tenant's fence is its hash partition's log end", async () => {
    const fp = fakePorts({ logEnd: async (_t, ps) => new Map(ps.map((p) => [p, 500 + p])) });
    const s = stepDeps(fp);
    const r = runStep(takeFence(s.deps), ctx({ epoch: 1, target: [6], from: [2] }));
    await waitUntil(() => r.events.length === 1, 'the fence');
    expect(r.events).toEqual([{ type: 'fence.taken', fence: { 2: 502 } }]);
    r.stop();
  });

  it('holds after the fence (fault hold after-fence) and sends nothing', async () => {
    const fp = fakePorts();
    const s = stepDeps(fp, { faultHold: 'after-fence' });
    const r = runStep(takeFence(s.deps), ctx({ epoch: 1, target: [6], from: [2] }));
    await waitUntil(() => fp.warnings('fault hold reached: after-fence').length === 1, 'the hold');
    expect(r.events).toEqual([]);
    expect(s.allSettled()).toBe(false);
    r.stop();
    await waitUntil(() => s.allSettled(), 'the step to end');
    expect(r.events).toEqual([]);
    expect(s.steps.map((e) => e.phase)).toEqual(['start']);
  });
});
