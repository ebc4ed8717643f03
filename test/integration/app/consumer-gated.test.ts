import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SmartProducer } from '../../../src/adapters/kafka/smart-producer/index.js';
import { startControllerService, type RunningController } from '../../../src/compose/controller-service.js';
import { capturingLogger, testControllerConfig } from '../helpers/controller.js';
import {
  processedAll,
  startCheckedGroup,
  startKeyedSenders,
  type CheckedGroup,
} from '../helpers/gated-groups.js';
import { uniqueName, waitFor } from '../helpers/kafka.js';
import { createTopology, type Topology } from '../helpers/topology.js';

const TENANTS = ['mover', 'other-1', 'other-2', 'other-3'];
const QUIET = { isolateRate: 1_000_000, releaseRate: 0, cooldownMs: 0, drainTimeoutMs: 30_000 };

/**
 * Consumer-gated moves (docs/protocol.md): two ordered-consumer groups, one fast and one far behind
 * (10 ms a record on each of 3 partitions at once: 100/s per partition against 80/s written to each shared one, >10x slower than the fast group can; it starts ~400 records behind, as if it had been down). Moves of a strict
 * tenant settle without waiting for the slow group; each group keeps the tenant's order itself.
 */
describe('consumer-gated moves: each group at its own pace', () => {
  let t: Topology;
  let svc: RunningController;
  let producer: SmartProducer;
  let senders: ReturnType<typeof startKeyedSenders>;
  let fast: CheckedGroup;
  let slow: CheckedGroup;
  const fastId = uniqueName('fast');
  const slowId = uniqueName('slow');
  let logs: string[] = [];

  beforeAll(async () => {
    t = await createTopology('gated', 2, 4);
    const captured = capturingLogger('warn');
    logs = captured.lines;
    svc = await startControllerService(
      testControllerConfig(t, { groups: [fastId, slowId], routeLeaseMs: 4000, thresholds: QUIET }),
      { logger: captured.logger },
    );
    producer = new SmartProducer(t.kafka, {
      ...t.names,
      lingerMs: 5,
      trafficIntervalMs: 100,
      routeLeaseMs: 4000,
    });
    await producer.connect();
    fast = await startCheckedGroup(t.kafka, t, fastId, 0);
    senders = startKeyedSenders(producer, t.topic, TENANTS, new Set(['mover']), 25);
    // the slow group was down: it starts ~400 records behind
    await waitFor(
      () => (senders.acked.get('mover')!.length >= 100 ? true : undefined),
      '400 records',
      30_000,
      50,
    );
    slow = await startCheckedGroup(t.kafka, t, slowId, 10, { partitionsConsumedConcurrently: 3 });
  }, 90_000);

  afterAll(async () => {
    await senders?.stop();
    await producer?.disconnect();
    await fast?.consumer.stop();
    await slow?.consumer.stop();
    await svc?.stop();
    await t?.close();
  });

  const tenant = (name: string) => svc.controller.tenants().find((x) => x.tenant === name);
  const behind = async (group: string) => {
    const [ends, committed] = await Promise.all([
      t.admin.fetchTopicOffsets(t.topic),
      t.admin.fetchOffsets({ groupId: group, topics: [t.topic] }),
    ]);
    const c = new Map(committed[0]!.partitions.map((p) => [p.partition, Math.max(0, Number(p.offset))]));
    return ends.reduce((n, e) => n + Number(e.high) - (c.get(e.partition) ?? 0), 0);
  };
  /** moves a tenant and waits for its settled state; returns ms from the command to the settled route */
  const move = async (
    cmd: () => void,
    settled: (x: NonNullable<ReturnType<typeof tenant>>) => boolean,
    what: string,
  ) => {
    const at = Date.now();
    cmd();
    await waitFor(
      () => {
        const x = tenant('mover');
        return x !== undefined && settled(x) ? x : undefined;
      },
      what,
      20_000,
      20,
    );
    return Date.now() - at;
  };

  it('both groups announce themselves and are gated; the slow one falls far behind', async () => {
    await waitFor(
      async () => ((await behind(slowId)) > 150 ? true : undefined),
      'the slow group 150 records behind',
      30_000,
      200,
    );
    expect(await behind(fastId)).toBeLessThan(60);
  }, 40_000);

  it('pin, reshard to overlapping partitions, and unpin settle in seconds while the slow group lags; producers hold only for the fence', async () => {
    const lagAtStart = await behind(slowId);
    const pinMs = await move(
      () => svc.controller.command({ op: 'pin', topic: t.topic, tenant: 'mover' }),
      (x) => x.state === 'dedicated',
      'mover dedicated',
    );
    const { machine: _m, ...route } = svc.reader.table.route(t.topic, 'mover')!;
    console.log(`[gated] route after pin ${JSON.stringify(route)} slow behind ${await behind(slowId)}`);
    // the slow group has not reached the fence yet: it holds the mover's new records itself
    const held = await waitFor(
      () => slow.consumer.stats().holds.find((h) => h.tenant === 'mover'),
      'the slow group to hold mover',
      10_000,
      20,
    );
    expect(held.tenant).toBe('mover');
    expect(fast.consumer.stats().holds.filter((h) => h.tenant === 'mover' && h.heldMs > 5000)).toEqual([]);
    // a reshard whose old and new partitions overlap: [p] -> [p, q]
    const [p] = tenant('mover')!.partitions;
    const q = [2, 3, 4, 5].find((x) => x !== p)!;
    const reshardMs = await move(
      () => svc.controller.command({ op: 'move', topic: t.topic, tenant: 'mover', partitions: [p!, q] }),
      (x) => x.state === 'sharded',
      'mover sharded on 2 overlapping partitions',
    );
    expect([...tenant('mover')!.partitions].sort()).toEqual([p, q].sort());
    const unpinMs = await move(
      () => svc.controller.command({ op: 'unpin', topic: t.topic, tenant: 'mover' }),
      (x) => x.state === 'shared',
      'mover shared',
    );
    // One hold per move. The controller reports "shared" once it wrote the settled route; the producer
    // closes its last hold when its own reader applies that record, a moment later.
    const holds = await waitFor(
      () => {
        const h = producer.stats().holdEpisodesMs;
        return h.length >= 3 ? h : undefined;
      },
      'the producer to close a hold for each of the 3 moves',
      5000,
      20,
    );
    console.log(
      `[gated] slow lag at start ${lagAtStart} records; settle ms pin ${pinMs} reshard ${reshardMs} unpin ${unpinMs}; producer holds ms ${holds.join(',')}`,
    );
    expect(Math.max(pinMs, reshardMs, unpinMs)).toBeLessThan(15_000);
    expect(holds).toHaveLength(3);
    // the hold is the ack round trip plus one routing write: it does not grow with the slow group's lag
    expect(Math.max(...holds)).toBeLessThan(2000);
  }, 90_000);

  it("each group processes every record in each tenant's order (0 violations, 0 loss)", async () => {
    await senders.stop();
    slow.costMs = 0;
    for (const g of [fast, slow])
      await waitFor(
        () => (processedAll(g, senders.acked) ? true : undefined),
        `${g === fast ? 'fast' : 'slow'} group to process everything`,
        60_000,
        100,
      );
    expect(senders.failed()).toBe(0);
    for (const g of [fast, slow]) {
      const r = g.checker.report();
      expect({ violations: r.violations, gaps: r.gaps, examples: r.examples }).toEqual({
        violations: 0,
        gaps: 0,
        examples: [],
      });
    }
    const stats = slow.consumer.stats();
    console.log(`[gated] slow group: ${JSON.stringify({ ...stats, holds: stats.holds.length })}`);
    // it held the moved tenant (aside on a shared partition, or paused on the tenant's own one)
    expect(stats.released + stats.pauses).toBeGreaterThan(0);
    expect(stats.heldRecords).toBe(0);
    // our own errors (kafkajs logs a retried CONCURRENT_TRANSACTIONS on a route write at error)
    expect(logs.filter((l) => /"level":50/.test(l) && !l.includes('"logger":"kafkajs"'))).toEqual([]);
  }, 90_000);
});
