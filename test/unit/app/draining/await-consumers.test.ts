import { describe, expect, it } from 'vitest';
import { awaitConsumers } from '../../../../src/app/draining/await-consumers.js';
import { ctx, deferred, fakePorts, runStep, sample, stepDeps, waitUntil } from './step-harness.js';

const withFence = (fence: Record<string, number>) =>
  ctx({ epoch: 4, target: [6], from: [4, 5], partitions: [4, 5], drain: { startedAt: 1, fence } });

describe('awaitConsumers step (draining.waiting)', () => {
  it('with no watched group the drain completes at once, with a warning', async () => {
    const fp = fakePorts({ groups: [] });
    const s = stepDeps(fp);
    const r = runStep(awaitConsumers(s.deps), withFence({ 4: 100, 5: 50 }));
    await waitUntil(() => r.events.length === 1, 'the drain');
    expect(r.events).toEqual([{ type: 'drain.completed' }]);
    expect(fp.warnings().map((w) => [w.msg, w.obj])).toEqual([
      [
        'no consumer group is watched; the drain has nothing to wait for',
        { tenant: 'acme', topic: 'orders' },
      ],
    ]);
    expect(s.steps).toEqual([
      { topic: 'orders', tenant: 'acme', epoch: 4, step: 'drain', phase: 'start', detail: { groups: 0 } },
    ]);
    r.stop();
  });

  it('reports progress per sample and completes only once every group reached the fence on every partition', async () => {
    const fp = fakePorts({ groups: ['g1', 'g2'] });
    const s = stepDeps(fp);
    const r = runStep(awaitConsumers(s.deps), withFence({ 4: 100, 5: 50 }));
    await waitUntil(() => fp.samples$.observed, 'the step to watch the samples');
    // g2 has no commit yet: the whole fence remains for it
    fp.samples$.next(sample(1, { g1: { 4: 40, 5: 50 } }));
    // g1 is done on 4 but not on 5; g2 is done on 4 and 5 except 10 records
    fp.samples$.next(sample(2, { g1: { 4: 100, 5: 45 }, g2: { 4: 100, 5: 40 } }));
    // commits past the fence count as reaching it (records of other tenants)
    fp.samples$.next(sample(3, { g1: { 4: 180, 5: 50 }, g2: { 4: 100, 5: 49 } }));
    expect(r.events).toEqual([
      { type: 'drain.progress', remaining: 60 + 150 },
      { type: 'drain.progress', remaining: 5 + 10 },
      { type: 'drain.progress', remaining: 1 },
    ]);
    fp.samples$.next(sample(4, { g1: { 4: 180, 5: 50 }, g2: { 4: 100, 5: 50 } }));
    await waitUntil(() => r.events.length === 5, 'the drain');
    expect(r.events.slice(3)).toEqual([
      { type: 'drain.progress', remaining: 0 },
      { type: 'drain.completed' },
    ]);
    expect(fp.logEnds).toEqual([]); // the fence came from the context
    expect(fp.samples$.observed).toBe(false);
    expect(s.steps.map((e) => [e.phase, e.detail])).toEqual([
      ['start', { groups: 2 }],
      ['progress', { remaining: 210 }],
      ['progress', { remaining: 15 }],
      ['progress', { remaining: 1 }],
      ['progress', { remaining: 0 }],
      ['end', undefined],
    ]);
    r.stop();
  });

  it('without a fence in the context (resumed) it takes the log end of the old partitions as the fence', async () => {
    const fp = fakePorts({ groups: ['g1'], logEnd: async (_t, ps) => new Map(ps.map((p) => [p, 70])) });
    const s = stepDeps(fp);
    const r = runStep(
      awaitConsumers(s.deps),
      ctx({ epoch: 4, target: [6], from: [2], drain: { startedAt: 1 } }),
    );
    await waitUntil(() => fp.samples$.observed, 'the step to watch the samples');
    expect(fp.logEnds).toEqual([{ topic: 'orders', partitions: [2] }]);
    fp.samples$.next(sample(1, { g1: { 2: 69 } }));
    fp.samples$.next(sample(2, { g1: { 2: 70 } }));
    await waitUntil(() => r.events.length === 3, 'the drain');
    expect(r.events).toEqual([
      { type: 'drain.progress', remaining: 1 },
      { type: 'drain.progress', remaining: 0 },
      { type: 'drain.completed' },
    ]);
    r.stop();
  });

  it('stops quietly when aborted: no event, no subscription left, its promise settles', async () => {
    const fp = fakePorts({ groups: ['g1'] });
    const s = stepDeps(fp);
    const r = runStep(awaitConsumers(s.deps), withFence({ 4: 100 }));
    await waitUntil(() => fp.samples$.observed, 'the step to watch the samples');
    fp.samples$.next(sample(1, { g1: { 4: 10 } }));
    r.stop();
    expect(fp.samples$.observed).toBe(false);
    fp.samples$.next(sample(2, { g1: { 4: 100 } }));
    await waitUntil(() => s.allSettled(), 'the step to end');
    expect(r.events).toEqual([{ type: 'drain.progress', remaining: 90 }]);
    expect(s.steps.map((e) => e.phase)).toEqual(['start', 'progress']);
  });

  it('stopped while it reads the log end (resumed, no fence yet): it ends without watching the samples', async () => {
    const end = deferred<Map<number, number>>();
    const fp = fakePorts({ groups: ['g1'], logEnd: () => end.promise });
    const s = stepDeps(fp);
    const r = runStep(awaitConsumers(s.deps), ctx({ epoch: 4, target: [6], from: [2] }));
    await waitUntil(() => fp.logEnds.length === 1, 'the log-end read');
    r.stop();
    end.resolve(new Map([[2, 70]]));
    // it either ends or (wrongly) starts watching the samples with an abort listener that never fires
    await waitUntil(() => s.allSettled() || fp.samples$.observed, 'the stopped step to end or subscribe');
    expect(fp.samples$.observed).toBe(false);
    // stop() of the controller waits for this promise: it must settle without any further sample
    expect(s.allSettled()).toBe(true);
    expect(r.events).toEqual([]);
  });
});
