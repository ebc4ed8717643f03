import { lastValueFrom, toArray, takeUntil, timer, type Subscription } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OffsetSource } from '../../../src/adapters/kafka/offset-source.js';
import { SignalConsumer } from '../../../src/adapters/kafka/signal-consumer.js';
import { SmartProducer } from '../../../src/adapters/kafka/smart-producer/index.js';
import { silentLogger } from '../../../src/adapters/logger.js';
import { observeWindows } from '../../../src/app/observer.js';
import { TenantLoad } from '../../../src/demo/tenant-load.js';
import type { WindowSnapshot } from '../../../src/domain/window-aggregator.js';
import { partitionForKey } from '../../../src/domain/murmur2.js';
import { drainWatch, type DrainProgress } from '../../../src/streams/drain-watch.js';
import { uniqueName, waitFor } from '../helpers/kafka.js';
import { createTopology, type Topology } from '../helpers/topology.js';

const within = (actual: number, expected: number, tolerance = 0.1) =>
  Math.abs(actual - expected) <= expected * tolerance;

describe('observer on the real broker', () => {
  let t: Topology;
  let producer: SmartProducer;
  let signals: SignalConsumer;
  let offsets: OffsetSource;
  let sub: Subscription | undefined;
  const windows: WindowSnapshot[] = [];
  const groupId = uniqueName('observed');

  beforeAll(async () => {
    t = await createTopology('obs', 4, 0);
    signals = new SignalConsumer(t.kafka, t.names, silentLogger());
    await signals.start();
    offsets = new OffsetSource(t.admin, {
      tickMs: 250,
      topics: () => [t.topic],
      groups: [groupId],
      ignoreGroupPrefix: 'ktb-',
      logger: silentLogger(),
    });
    sub = observeWindows(offsets, signals, {
      windowMs: 2000,
      stepMs: 250,
      ewmaAlpha: 0.5,
      silentIntervals: 4,
    }).subscribe((w) => windows.push(w));
    producer = new SmartProducer(t.kafka, { ...t.names, lingerMs: 5, trafficIntervalMs: 250 });
    await producer.connect();
  });
  afterAll(async () => {
    sub?.unsubscribe();
    await producer?.disconnect();
    await signals?.stop();
    await t?.close();
  });

  it('observes per-tenant and per-partition rates within 10% of what was sent', async () => {
    const load = new TenantLoad(producer, t.topic);
    load.set('alpha', { rate: 400 });
    load.set('beta', { rate: 100 });
    load.start();
    const started = Date.now();
    try {
      // Let the 2 s window fill completely with steady traffic.
      await waitFor(() => Date.now() - started > 4500 && windows.length > 0, 'steady windows', 10_000);
      const w = windows.at(-1)!;
      const rate = (tenant: string) => w.tenants.find((x) => x.tenant === tenant)?.recordsPerSec ?? 0;
      expect(within(rate('alpha'), 400), `alpha ${rate('alpha')}`).toBe(true);
      expect(within(rate('beta'), 100), `beta ${rate('beta')}`).toBe(true);
      const pa = partitionForKey('alpha', 4);
      const pb = partitionForKey('beta', 4);
      const prate = (p: number) => w.partitions.find((x) => x.partition === p)?.recordsPerSec ?? 0;
      const expected = new Map<number, number>();
      expected.set(pa, (expected.get(pa) ?? 0) + 400);
      expected.set(pb, (expected.get(pb) ?? 0) + 100);
      for (const [p, r] of expected)
        expect(within(prate(p), r), `partition ${p}: ${prate(p)} vs ${r}`).toBe(true);
      expect(w.producersAlive).toContain(producer.producerId);
    } finally {
      await load.stop();
    }
  });

  it("reports a paused group's lag exactly as kafkajs admin computes it", async () => {
    const consumer = t.kafka.consumer({ groupId, maxWaitTimeInMs: 50 });
    await consumer.connect();
    await consumer.subscribe({ topic: t.topic, fromBeginning: true });
    let seen = 0;
    await consumer.run({ autoCommitInterval: 100, eachMessage: async () => void seen++ });
    await waitFor(() => seen > 100, 'some records consumed');
    await consumer.disconnect(); // paused: its commits stay where they are
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        producer.send({ topic: t.topic, tenant: 'alpha', value: `more-${i}` }),
      ),
    );
    const ends = await t.admin.fetchTopicOffsets(t.topic);
    const committed = (await t.admin.fetchOffsets({ groupId, topics: [t.topic] }))[0]!.partitions;
    // A partition the group never committed on has no lag yet (null), not its whole length.
    const adminLag = new Map(
      ends.map((e) => {
        const c = Number(committed.find((x) => x.partition === e.partition)?.offset ?? -1);
        return [e.partition, c >= 0 ? Number(e.high) - c : null];
      }),
    );
    // The product's lag: the window the observer publishes, once its offsets reach the current end.
    const since = windows.length;
    const w = await waitFor(
      () =>
        windows.slice(since).find((x) =>
          ends.every((e) => {
            const p = x.partitions.find((q) => q.topic === t.topic && q.partition === e.partition);
            return p !== undefined && p.lag[groupId] === adminLag.get(e.partition);
          }),
        ),
      "a window whose lag matches kafkajs admin's",
    );
    for (const e of ends) {
      const lag = w.partitions.find((q) => q.topic === t.topic && q.partition === e.partition)!.lag[groupId];
      expect(lag).toBe(adminLag.get(e.partition));
    }
    expect([...adminLag.values()].some((l) => l !== null && l > 0)).toBe(true);
  });

  it('completes the drain watch only after the group commits past the fence', async () => {
    const p = partitionForKey('alpha', 4);
    const fence = new Map([
      [p, Number((await t.admin.fetchTopicOffsets(t.topic)).find((e) => e.partition === p)!.high)],
    ]);
    const progress: DrainProgress[] = [];
    const done = lastValueFrom(
      offsets.samples$.pipe(drainWatch(t.topic, fence, [groupId]), takeUntil(timer(20_000)), toArray()),
    );
    void done.then((x) => progress.push(...x));
    // Several polls while the group is behind: the watch must not complete.
    let polls = 0;
    const counting = offsets.samples$.subscribe(() => polls++);
    try {
      await waitFor(() => polls >= 3, 'three polls with the group behind the fence');
    } finally {
      counting.unsubscribe();
    }
    expect(progress).toEqual([]);
    await t.admin.setOffsets({
      groupId,
      topic: t.topic,
      partitions: [{ partition: p, offset: String(fence.get(p)) }],
    });
    const all = await done;
    expect(all.at(-1)).toMatchObject({ remaining: 0, done: true });
    expect(all.slice(0, -1).every((x) => x.remaining > 0)).toBe(true);
    expect(all.length).toBeGreaterThan(1);
  });
});
