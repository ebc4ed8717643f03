import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SmartProducer } from '../../../src/adapters/kafka/smart-producer/index.js';
import { startControllerService, type RunningController } from '../../../src/compose/controller-service.js';
import { CheckingConsumer } from '../../../src/demo/checking-consumer.js';
import { capturingLogger, testControllerConfig } from '../helpers/controller.js';
import {
  processedAll,
  startCheckedGroup,
  startKeyedSenders,
  type CheckedGroup,
} from '../helpers/gated-groups.js';
import { uniqueName, waitFor } from '../helpers/kafka.js';
import { createTopology, type Topology } from '../helpers/topology.js';

const TENANTS = ['mover', 'other-1', 'other-2'];

/**
 * A plain kafkajs group beside a gated one (gating auto): the move still stop-and-waits for the plain
 * group (it cannot hold a tenant itself), and not for the gated one.
 */
describe('a plain consumer group beside a gated one gets stop-and-wait', () => {
  let t: Topology;
  let svc: RunningController;
  let producer: SmartProducer;
  let senders: ReturnType<typeof startKeyedSenders>;
  let gated: CheckedGroup;
  let plain: CheckingConsumer;
  const gatedId = uniqueName('gated');
  const plainId = uniqueName('plain');

  beforeAll(async () => {
    t = await createTopology('mixed', 2, 2);
    svc = await startControllerService(
      testControllerConfig(t, {
        groups: [gatedId, plainId],
        routeLeaseMs: 4000,
        thresholds: { isolateRate: 1_000_000, releaseRate: 0, cooldownMs: 0, drainTimeoutMs: 30_000 },
      }),
      { logger: capturingLogger('warn').logger },
    );
    producer = new SmartProducer(t.kafka, {
      ...t.names,
      lingerMs: 5,
      trafficIntervalMs: 100,
      routeLeaseMs: 4000,
    });
    await producer.connect();
    gated = await startCheckedGroup(t.kafka, t, gatedId, 0);
    // the plain group processes in batches of 50 at 2 ms a record: it stays a little behind
    plain = new CheckingConsumer(t.kafka, {
      topic: t.topic,
      groupId: plainId,
      costMicros: 2000,
      concurrency: 1,
    });
    await plain.start();
    senders = startKeyedSenders(producer, t.topic, TENANTS, new Set(), 20);
    await waitFor(
      () => (senders.acked.get('mover')!.length >= 50 ? true : undefined),
      'some traffic',
      20_000,
      50,
    );
  }, 90_000);

  afterAll(async () => {
    await senders?.stop();
    await producer?.disconnect();
    await gated?.consumer.stop();
    await plain?.stop();
    await svc?.stop();
    await t?.close();
  });

  it('the drain waits for the plain group only (a forged announcement for it gates nothing), and both groups keep every tenant in order', async () => {
    // a hostile or mistaken writer announces the plain group as gated, for a member it does not have
    const forger = t.kafka.producer();
    await forger.connect();
    await forger.send({
      topic: t.names.acksTopic,
      messages: [
        {
          key: `gate/${plainId}/forged-member`,
          value: JSON.stringify({
            v: 1,
            kind: 'gate',
            group: plainId,
            memberId: 'forged-member',
            topics: [t.topic],
            at: Date.now(),
          }),
        },
      ],
    });
    await forger.disconnect();
    await waitFor(
      async () => ((await svc.gates.gated(t.topic, [gatedId])).size === 1 ? true : undefined),
      'the gated group announced',
      15_000,
      50,
    );
    expect([...(await svc.gates.gated(t.topic, [gatedId, plainId]))]).toEqual([gatedId]);
    svc.controller.command({ op: 'pin', topic: t.topic, tenant: 'mover' });
    const seen = await waitFor(
      () => {
        const d = svc.controller.tenants().find((x) => x.tenant === 'mover')?.drain;
        return d !== undefined && d !== null && d.gated.length > 0 ? d : undefined;
      },
      'the drain to split the groups',
      15_000,
      5,
    );
    expect(seen.gated).toEqual([gatedId]);
    expect(Object.keys(seen.waitingFor).filter((g) => g !== plainId)).toEqual([]);
    await waitFor(
      () =>
        svc.controller.tenants().find((x) => x.tenant === 'mover')?.state === 'dedicated' ? true : undefined,
      'mover dedicated',
      30_000,
      20,
    );
    await senders.stop();
    await waitFor(
      () => (processedAll(gated, senders.acked) ? true : undefined),
      'the gated group to finish',
      30_000,
      100,
    );
    await waitFor(
      () =>
        plain.checker.report().records >= [...senders.acked.values()].reduce((n, a) => n + a.length, 0)
          ? true
          : undefined,
      'the plain group to finish',
      30_000,
      100,
    );
    for (const r of [gated.checker.report(), plain.checker.report()])
      expect({ violations: r.violations, gaps: r.gaps }).toEqual({ violations: 0, gaps: 0 });
    expect(senders.failed()).toBe(0);
  }, 90_000);

  it('a forged route record that drops or invents a fence is refused by every reader; the fence history stands', async () => {
    const settled = await waitFor(
      () => {
        const r = svc.reader.table.route(t.topic, 'mover');
        return r?.state === 'dedicated' && (r.fences?.length ?? 0) === 1 ? r : undefined;
      },
      'the settled route with its fence',
      15_000,
      20,
    );
    const rejectedBefore = svc.reader.rejected;
    const { machine: _m, ...base } = settled;
    await t.writer.write({ ...base, fences: [] });
    await t.writer.write({
      ...base,
      fences: [{ epoch: 0, offsets: { 0: Number.MAX_SAFE_INTEGER } }, ...settled.fences!],
    });
    await waitFor(
      () => (svc.reader.rejected >= rejectedBefore + 2 ? true : undefined),
      'both forged records refused',
      15_000,
      20,
    );
    expect(svc.reader.table.route(t.topic, 'mover')!.fences).toEqual(settled.fences);
    expect(producer.routes.table.route(t.topic, 'mover')!.fences).toEqual(settled.fences);
  }, 30_000);
});
