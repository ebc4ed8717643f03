import type { Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { partitionCount } from '../../../src/adapters/kafka/internal-topics.js';
import type { SmartProducer } from '../../../src/adapters/kafka/smart-producer/index.js';
import { silentLogger } from '../../../src/adapters/logger.js';
import { startControllerService, type RunningController } from '../../../src/compose/controller-service.js';
import type { TenantLoad } from '../../../src/demo/tenant-load.js';
import { partitionForKey } from '../../../src/domain/murmur2.js';
import { startLoad, stopScenario, testControllerConfig } from '../helpers/controller.js';
import { waitFor } from '../helpers/kafka.js';
import { createTopology, type Topology } from '../helpers/topology.js';

const SHARED = 2;
const DEDICATED = 1;
const LEASE_MS = 4000;

/**
 * The traffic and acks topics are written by every producer, so anyone who can produce there can
 * claim anything. Claims are checked against offsets (partition truth) and each decision's growth
 * is capped; an ack counts only when the producer's own reports show it saw the drain.
 */
describe('the controller checks what the signal topics claim', () => {
  let t: Topology;
  let raw: Producer;
  let svc: RunningController;
  let producer: SmartProducer;
  let load: TenantLoad;
  let seq = 0;

  const forgeTraffic = async (
    tenant: string | undefined,
    records: number,
    producerId = 'forger',
    routesApplied = 1_000_000,
  ) => {
    const now = Date.now();
    const report = {
      v: 1,
      kind: 'traffic',
      producerId,
      seq: seq++,
      intervalStart: now - 100,
      intervalEnd: now,
      routesApplied,
      tenants: tenant === undefined ? [] : [{ topic: t.topic, tenant, records, bytes: records * 100 }],
    };
    await raw.send({ topic: t.names.trafficTopic, messages: [{ value: JSON.stringify(report) }] });
  };

  beforeAll(async () => {
    t = await createTopology('signals', SHARED, DEDICATED);
    raw = t.kafka.producer();
    await raw.connect();
    svc = await startControllerService(
      testControllerConfig(t, {
        windowMs: 1000,
        routeLeaseMs: LEASE_MS,
        thresholds: {
          isolateRate: 200,
          isolateShare: 0.3,
          hotWindows: 2,
          partitionCapacity: 1000,
          headroom: 0.8,
          cooldownMs: 0,
          actorFloorRate: 5,
          drainTimeoutMs: 60_000,
          drainTimeoutPolicy: 'wait',
        },
      }),
      { logger: silentLogger() },
    );
    ({ producer, load } = await startLoad(t, LEASE_MS));
    load.set('quiet', { rate: 20 });
    load.start();
  }, 60_000);
  afterAll(async () => {
    await raw?.disconnect();
    await stopScenario({ load, producer, svc, t });
  });

  it('a forged traffic claim neither isolates a quiet tenant nor grows the topic', async () => {
    // quiet's real traffic is observed first (an actor with rates), so the claims meet a baseline
    await waitFor(
      () => svc.controller.tenants().find((x) => x.tenant === 'quiet')?.rates ?? undefined,
      'quiet observed at its real rate',
      15_000,
    );
    // 50,000 records per 100 ms claimed for a tenant that really sends 20/s, for 3 s.
    const until = Date.now() + 3000;
    while (Date.now() < until) {
      await forgeTraffic('quiet', 50_000);
      await new Promise((r) => setTimeout(r, 100));
    }
    const forgedUntil = Date.now();
    await waitFor(() => (svc.controller.lastWindowAt ?? 0) > forgedUntil + 300, 'windows after the claims');
    const quiet = svc.controller.tenants().find((x) => x.tenant === 'quiet');
    expect(quiet?.state).toBe('shared');
    expect(quiet!.rates!.recordsPerSec).toBeLessThan(200);
    // Tenants named only by forged claims, on a partition with no traffic, get no actor.
    const idle = 1 - partitionForKey('quiet', SHARED);
    const ghosts = Array.from({ length: 40 }, (_, i) => `ghost-${i}`).filter(
      (g) => partitionForKey(g, SHARED) === idle,
    );
    for (const g of ghosts) await forgeTraffic(g, 50_000);
    const sentAt = Date.now();
    await waitFor(() => (svc.controller.lastWindowAt ?? 0) > sentAt + 500, 'windows after the ghosts');
    expect(ghosts.length).toBeGreaterThan(5);
    expect(svc.controller.tenants().filter((x) => x.tenant.startsWith('ghost-'))).toEqual([]);
    expect(svc.reader.table.route(t.topic, 'quiet')).toBeUndefined();
    expect(await partitionCount(t.admin, t.topic)).toBe(SHARED + DEDICATED);
    expect(svc.controller.implausibleClaims).toBeGreaterThanOrEqual(10);
  }, 30_000);

  it('a forged ack does not end the wait for a producer that never saw the drain', async () => {
    // 'paused' heartbeats (so the drain expects its ack) with a routing view that never reaches the
    // draining record, as a paused producer's last reports would; then someone forges its ack.
    const beat = setInterval(() => void forgeTraffic(undefined, 0, 'paused', 0), 100);
    try {
      await waitFor(() => svc.controller.liveProducers().includes('paused'), 'paused counted alive');
      svc.controller.command({ op: 'pin', topic: t.topic, tenant: 'acked' });
      const draining = await waitFor(() => {
        const r = svc.reader.table.route(t.topic, 'acked');
        return r?.state === 'draining' ? r : undefined;
      }, 'acked draining');
      const announcedAt = Date.now();
      const ack = {
        v: 1,
        kind: 'drain-ack',
        producerId: 'paused',
        topic: t.topic,
        tenant: 'acked',
        epoch: draining.epoch,
        at: announcedAt,
      };
      await raw.send({ topic: t.names.acksTopic, messages: [{ value: JSON.stringify(ack) }] });
      await waitFor(
        () => svc.reader.table.route(t.topic, 'acked')?.state === 'dedicated',
        'acked settled',
        20_000,
      );
      // Settled only once the paused producer's lease ran out, not on the forged ack.
      expect(Date.now() - announcedAt).toBeGreaterThanOrEqual(LEASE_MS - 500);
    } finally {
      clearInterval(beat);
    }
  }, 40_000);

  it('grows the topic by at most maxGrowthPerDecision (default 4) in one decision', async () => {
    // 6 shards wanted, no dedicated partition free ('acked' holds it): growing by 6 is over the cap.
    const before = await partitionCount(t.admin, t.topic);
    expect(before).toBe(SHARED + DEDICATED);
    svc.controller.command({ op: 'pin', topic: t.topic, tenant: 'big', shards: 6 });
    const big = await waitFor(
      () => svc.controller.tenants().find((x) => x.tenant === 'big' && x.state === 'sharded'),
      'big sharded',
      30_000,
    );
    expect(big.partitions).toEqual([before, before + 1, before + 2, before + 3]);
    expect(await partitionCount(t.admin, t.topic)).toBe(before + 4);
  }, 40_000);
});
