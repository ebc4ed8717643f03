import { describe, expect, it } from 'vitest';
import { awaitConsumers } from '../../../../src/app/draining/await-consumers.js';
import {
  ctx,
  deferred,
  fakePorts,
  runStep,
  sample,
  stepDeps,
  testConfig,
  waitUntil,
} from './step-harness.js';

const withFence = (fence: Record<string, number>) =>
  ctx({ epoch: 4, target: [6], from: [4, 5], partitions: [4, 5], drain: { startedAt: 1, fence } });

describe('awaitConsumers step (draining.waiting)', () => {
  it('with no watched group the drain completes at once, with a warning', async () => {
    const fp = fakePorts({ groups: [] });
    const s = stepDeps(fp);
    const r = runStep(awaitConsumers(s.deps), withFence({ 4: 100, 5: 50 }));
    await waitUntil(() => r.events.length === 2, 'the drain');
    expect(r.events).toEqual([
      { type: 'drain.progress', remaining: 0, byGroup: {}, gated: [] },
      { type: 'drain.completed' },
    ]);
    expect(fp.warnings().map((w) => [w.msg, w.obj])).toEqual([
      [
        'no consumer group is watched; the drain has nothing to wait for',
        { tenant: 'acme', topic: 'orders' },
      ],
    ]);
    expect(s.steps).toEqual([
      {
        topic: 'orders',
        tenant: 'acme',
        epoch: 4,
        step: 'drain',
        phase: 'start',
        detail: { groups: 0, waitFor: '', gated: '' },
      },
      {
        topic: 'orders',
        tenant: 'acme',
        epoch: 4,
        step: 'drain',
        phase: 'progress',
        detail: { remaining: 0, gated: '' },
      },
      { topic: 'orders', tenant: 'acme', epoch: 4, step: 'drain', phase: 'end' },
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
    const start = { type: 'drain.progress', remaining: 0, byGroup: {}, gated: [] };
    const progress = (remaining: number, byGroup: Record<string, number>) => ({
      type: 'drain.progress',
      remaining,
      byGroup,
      gated: [],
    });
    expect(r.events).toEqual([
      start,
      progress(60 + 150, { g1: 60, g2: 150 }),
      progress(5 + 10, { g1: 5, g2: 10 }),
      progress(1, { g1: 0, g2: 1 }),
    ]);
    fp.samples$.next(sample(4, { g1: { 4: 180, 5: 50 }, g2: { 4: 100, 5: 50 } }));
    await waitUntil(() => r.events.length === 6, 'the drain');
    expect(r.events.slice(4)).toEqual([progress(0, { g1: 0, g2: 0 }), { type: 'drain.completed' }]);
    expect(fp.logEnds).toEqual([]); // the fence came from the context
    expect(fp.samples$.observed).toBe(false);
    expect(s.steps.map((e) => [e.phase, e.detail])).toEqual([
      ['start', { groups: 2, waitFor: 'g1,g2', gated: '' }],
      ['progress', { remaining: 210, g1: 60, g2: 150 }],
      ['progress', { remaining: 15, g1: 5, g2: 10 }],
      ['progress', { remaining: 1, g1: 0, g2: 1 }],
      ['progress', { remaining: 0, g1: 0, g2: 0 }],
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
    await waitUntil(() => r.events.length === 5, 'the drain');
    expect(r.events).toEqual([
      // the fence it took is recorded: the settled route carries it for the ordered consumers
      { type: 'fence.taken', fence: { 2: 70 } },
      { type: 'drain.progress', remaining: 0, byGroup: {}, gated: [] },
      { type: 'drain.progress', remaining: 1, byGroup: { g1: 1 }, gated: [] },
      { type: 'drain.progress', remaining: 0, byGroup: { g1: 0 }, gated: [] },
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
    expect(r.events).toEqual([
      { type: 'drain.progress', remaining: 0, byGroup: {}, gated: [] },
      { type: 'drain.progress', remaining: 90, byGroup: { g1: 90 }, gated: [] },
    ]);
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

  it('auto: a consumer-gated group is not waited for; a plain group beside it still is (stop-and-wait)', async () => {
    const fp = fakePorts({ groups: ['fast', 'slow-gated', 'plain'], gated: ['fast', 'slow-gated'] });
    const s = stepDeps(fp);
    const r = runStep(awaitConsumers(s.deps), withFence({ 4: 100 }));
    await waitUntil(() => fp.samples$.observed, 'the step to watch the samples');
    // the gated groups are far behind: only the plain group's commit matters
    fp.samples$.next(sample(1, { fast: { 4: 0 }, 'slow-gated': { 4: 0 }, plain: { 4: 100 } }));
    await waitUntil(() => r.events.at(-1)?.type === 'drain.completed', 'the drain');
    expect(r.events.slice(0, 2)).toEqual([
      { type: 'drain.progress', remaining: 0, byGroup: {}, gated: ['fast', 'slow-gated'] },
      { type: 'drain.progress', remaining: 0, byGroup: { plain: 0 }, gated: ['fast', 'slow-gated'] },
    ]);
    expect(s.steps[0]!.detail).toEqual({ groups: 3, waitFor: 'plain', gated: 'fast,slow-gated' });
    r.stop();
  });

  it('auto with every group gated: the drain completes at once, whatever their lag (no sample is awaited)', async () => {
    const fp = fakePorts({ groups: ['fast', 'slow'], gated: ['fast', 'slow'] });
    const s = stepDeps(fp);
    const r = runStep(awaitConsumers(s.deps), withFence({ 4: 100, 5: 50 }));
    await waitUntil(() => r.events.at(-1)?.type === 'drain.completed', 'the drain');
    expect(fp.samples$.observed).toBe(false);
    expect(fp.warnings()).toEqual([]);
    r.stop();
  });

  it('gating "producer" (topicGating) waits for gated groups too; "consumer" waits for none', async () => {
    const producerMode = stepDeps(fakePorts({ groups: ['g'], gated: ['g'] }), {
      config: testConfig({ topicGating: { orders: 'producer' } }),
    });
    const waiting = runStep(awaitConsumers(producerMode.deps), withFence({ 4: 100 }));
    await waitUntil(() => producerMode.steps.length > 0, 'the wait to start');
    expect(producerMode.steps[0]!.detail).toEqual({ groups: 1, waitFor: 'g', gated: '' });
    waiting.stop();

    const fp = fakePorts({ groups: ['plain'] });
    const consumerMode = stepDeps(fp, { config: testConfig({ gating: 'consumer' }) });
    const r = runStep(awaitConsumers(consumerMode.deps), withFence({ 4: 100 }));
    await waitUntil(() => r.events.at(-1)?.type === 'drain.completed', 'the drain');
    expect(consumerMode.steps[0]!.detail).toEqual({ groups: 1, waitFor: '', gated: 'plain' });
    r.stop();
  });
});
