import type { Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { createManagedTopic } from '../../src/adapters/kafka/managed-topics.js';
import { SmartProducer } from '../../src/adapters/kafka/smart-producer/index.js';
import * as localKafka from '../../src/adapters/local-kafka/index.js';
import { pino } from 'pino';
import { parseControllerConfig } from '../../src/app/controller-config.js';
import { startControllerService, type RunningController } from '../../src/compose/controller-service.js';
import { CheckingConsumer } from '../../src/demo/checking-consumer.js';
import { TenantLoad } from '../../src/demo/tenant-load.js';
import { uniqueName, waitFor } from '../integration/helpers/kafka.js';
import { coordinatorOf, leadersOf, startCluster } from './cluster.js';

/** `kafka:start --brokers 3`: replication 3, min.insync.replicas 2; one broker dies mid-migration. */
describe('3-broker cluster: a broker is killed during a migration', () => {
  let opts: localKafka.LocalKafkaOptions;
  let kafka: Kafka;
  let svc: RunningController | undefined;
  let producer: SmartProducer | undefined;
  let consumer: CheckingConsumer | undefined;
  let load: TenantLoad | undefined;
  /** the controller's and the producer's log lines at info and above, printed if the test fails */
  const logLines: string[] = [];
  const capture = (name: string) =>
    pino(
      { name, level: 'info' },
      {
        write: (s: string) => {
          logLines.push(s.trimEnd());
          if (logLines.length > 2000) logLines.splice(0, 1000);
        },
      },
    );

  beforeAll(async () => {
    ({ opts, kafka } = await startCluster('three'));
  }, 180_000);
  afterAll(async () => {
    await load?.stop();
    await producer?.disconnect();
    await consumer?.stop();
    await svc?.stop();
    await localKafka.stop(opts, { clean: true });
  }, 120_000);

  it('finishes the migration with nothing lost and every tenant in order', async () => {
    const admin = kafka.admin();
    await admin.connect();
    const names = {
      routingTopic: uniqueName('c3-routes'),
      acksTopic: uniqueName('c3-acks'),
      trafficTopic: uniqueName('c3-traffic'),
    };
    const topic = uniqueName('c3');
    // The broker to kill: the one that will coordinate the controller's election group (asking for
    // the coordinator creates __consumer_offsets). The signal topics lead elsewhere, so the producer
    // stays alive in the controller's windows through the outage and a new leader waits for its ack.
    const electionGroup = `ktb-leader-${names.routingTopic}`;
    await admin.describeGroups([electionGroup]);
    const victim = await coordinatorOf(kafka, electionGroup);
    const nodes = (await admin.describeCluster()).brokers.map((b) => b.nodeId);
    const replicas = [...nodes.filter((n) => n !== victim), victim];
    await admin.createTopics({
      waitForLeaders: true,
      topics: [names.acksTopic, names.trafficTopic].map((t) => ({
        topic: t,
        replicaAssignment: [{ partition: 0, replicas }],
      })),
    });
    await createManagedTopic(kafka, admin, names, { topic, shared: 3, dedicated: 3, replicationFactor: 3 });
    const md = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(md.topics[0]!.partitions.every((p) => p.replicas.length === 3)).toBe(true);
    await admin.disconnect();
    const groupId = uniqueName('c3-consumers');
    // A watched group with no members, committed at 0: the drain waits for it until the test moves
    // its offsets, so the broker is killed while the move stands in draining.waiting.
    const lateGroup = uniqueName('c3-late');
    {
      const a = kafka.admin();
      await a.connect();
      await a.setOffsets({
        groupId: lateGroup,
        topic,
        partitions: [0, 1, 2, 3, 4, 5].map((partition) => ({ partition, offset: '0' })),
      });
      await a.disconnect();
    }
    svc = await startControllerService(
      parseControllerConfig({
        brokers: localKafka.bootstrapServers(opts),
        topics: [topic],
        ...names,
        groups: [groupId, lateGroup],
        tickMs: 250,
        windowMs: 1000,
        routeLeaseMs: 30_000,
        http: { port: 0, host: '127.0.0.1' },
        thresholds: { drainTimeoutMs: 120_000 },
      }),
      { logger: capture('controller') },
    );
    /** partition -> offsets the group processed (for the diagnosis of a gap) */
    const processed = new Map<number, Set<string>>();
    consumer = new CheckingConsumer(kafka, {
      topic,
      groupId,
      costMicros: 100,
      concurrency: 1,
      members: 3,
      onRecord: (r) => {
        let s = processed.get(r.partition);
        if (s === undefined) processed.set(r.partition, (s = new Set()));
        s.add(r.offset);
      },
    });
    /** Where each missing record is in the log (if at all), and what the group did around it. */
    let killedAt = 0;
    const diagnose = async (): Promise<string> => {
      const missing = consumer!.checker.missing(50);
      const want = new Set(missing.map((m) => `${m.stream}#${m.seq}`));
      const found: string[] = [];
      const fresh = new CheckingConsumer(kafka, {
        topic,
        groupId: uniqueName('c3-recheck'),
        costMicros: 0,
        concurrency: 3,
        onRecord: (r) => {
          const stream = r.shardKey === undefined ? r.tenant : `${r.tenant}[${r.shardKey}]`;
          if (!want.has(`${stream}#${r.seq}`)) return;
          const seen = processed.get(r.partition);
          const near = [-1, 0, 1].map((d) => seen?.has(String(Number(r.offset) + d)) ?? false);
          found.push(
            `${stream}#${r.seq} at p${r.partition}@${r.offset} group processed [-1,0,+1]=${near.join(',')}`,
          );
        },
      });
      await fresh.start();
      await waitFor(() => found.length >= missing.length, 'missing records in the log', 30_000, 200).catch(
        () => undefined,
      );
      await fresh.stop();
      return JSON.stringify({
        killedAt,
        resentRecords: producer!.stats().resentRecords,
        sent: load!.sent,
        unique: consumer!.checker.unique,
        report: consumer!.checker.report(),
        missing,
        foundInLog: found,
        freshUnique: fresh.checker.unique,
      });
    };
    await consumer.start();
    producer = new SmartProducer(
      kafka,
      {
        ...names,
        lingerMs: 5,
        retries: 30,
        routeLeaseMs: 30_000,
        trafficIntervalMs: 250,
        maxBlockMs: 120_000,
      },
      { logger: capture('producer') },
    );
    await producer.connect();
    load = new TenantLoad(producer, topic);
    // vip will be sharded: its order is promised per shard key, so it sends with keys.
    load.set('vip', { rate: 100, shardKeys: ['k0', 'k1', 'k2', 'k3'] });
    for (const tn of ['a', 'b', 'c']) load.set(tn, { rate: 100 });
    load.start();
    await waitFor(() => consumer!.consumed > 200, 'traffic flowing', 30_000);

    // vip's state, drain progress and fence as the controller saw them, on each change (printed at
    // the end: how long each step took this run, and where a stalled move stood)
    const timeline: string[] = [];
    const t0 = Date.now();
    let lastSeen = '';
    const sampler = setInterval(() => {
      const v = svc!.isLeader() ? svc!.controller.tenants().find((x) => x.tenant === 'vip') : undefined;
      const seen = v
        ? JSON.stringify([v.state, v.drain?.remaining, v.drain?.waitingFor, v.epoch])
        : 'standby (no leader in this process)';
      if (seen === lastSeen) return;
      lastSeen = seen;
      timeline.push(
        `${Date.now() - t0}ms ${seen}${killedAt > 0 ? ` (kill +${Date.now() - killedAt}ms)` : ''}`,
      );
    }, 100);
    onTestFinished(() => {
      clearInterval(sampler);
      console.info(`vip timeline:\n${timeline.join('\n')}`);
    });
    svc.controller.command({ op: 'pin', topic, tenant: 'vip', shards: 2 });
    // The producers' acks are in and the fence is taken: only the late group keeps the move waiting.
    await waitFor(
      () => {
        const v = svc!.controller.tenants().find((x) => x.tenant === 'vip');
        return v?.state === 'draining.waiting' && (v.drain?.waitingFor[lateGroup] ?? 0) > 0;
      },
      'vip draining, waiting for the late group',
      30_000,
      20,
    );
    // Kill the broker that coordinates the controller's election group: the controller loses its
    // leadership and, in the same process, wins it back mid-drain. The new leader must still see the
    // producer's ack its predecessor read (CI once saw it wait for it until the drain timed out). The
    // producer's batches in flight to that broker's partitions must fail over too.
    expect(await coordinatorOf(kafka, electionGroup)).toBe(victim);
    const leaders = await leadersOf(kafka, topic);
    const led = [...leaders].filter(([, l]) => l === victim).map(([p]) => p);
    console.info(`killing node ${victim}: election coordinator, leads partitions [${led.join(',')}]`);
    killedAt = Date.now();
    await localKafka.stopNode(opts, victim, 30_000, 'SIGKILL');
    await waitFor(
      async () => {
        const now = await leadersOf(kafka, topic);
        return led.every((p) => now.get(p) !== undefined && now.get(p) !== victim);
      },
      `the partitions node ${victim} led (${led.join(',')}) have new leaders`,
      60_000,
      200,
    );
    const releadAt = await waitFor(
      () => (timeline.some((l) => l.includes('standby')) && svc!.isLeader() ? Date.now() : undefined),
      'the controller loses its leadership and wins it back',
      90_000,
      100,
    );
    console.info(`leading again ${releadAt - killedAt} ms after the kill`);
    // The late group catches up: committed at the log end, past the fence.
    await waitFor(
      async () => {
        const a = kafka.admin();
        await a.connect();
        try {
          const ends = await a.fetchTopicOffsets(topic);
          await a.setOffsets({
            groupId: lateGroup,
            topic,
            partitions: ends.map((e) => ({ partition: e.partition, offset: e.high })),
          });
          return true;
        } catch {
          return false;
        } finally {
          await a.disconnect();
        }
      },
      'the late group committed past the fence',
      60_000,
      500,
    );

    // The drain waits for the group to commit past the fence, and the group may first have to find a
    // new coordinator and rebalance (kafkajs's rebalance timeout is 60 s): allow for that, and on a
    // timeout say where the move stood (CI saw one 90 s timeout here, with no diagnosis).
    const r = await waitFor(
      () => {
        const x = producer!.routes.table.route(topic, 'vip');
        return x?.state === 'sharded' ? x : undefined;
      },
      'vip sharded with a broker down',
      150_000,
      200,
    ).catch((e: unknown) => {
      const vip = svc!.isLeader() ? svc!.controller.tenants().find((x) => x.tenant === 'vip') : 'standby';
      console.error('DIAGNOSIS vip', JSON.stringify({ vip, producer: producer!.stats() }));
      console.error(`LOG (killed node ${victim} at ${killedAt})\n${logLines.slice(-200).join('\n')}`);
      throw e;
    });
    expect(r.partitions).toHaveLength(2);
    const sentAtFlip = load.sent;
    await waitFor(() => load!.sent > sentAtFlip + 100, 'sends continue after the flip', 60_000, 100);
    await load.stop();
    await producer.flush();
    const drained = await waitFor(
      () => consumer!.checker.unique >= load!.sent,
      'everything consumed',
      90_000,
      200,
    ).then(
      () => true,
      () => false,
    );
    const report = consumer.checker.report();
    console.info(
      `records sent again after kafkajs left partitions unanswered: ${producer.stats().resentRecords}`,
    );
    if (!drained || report.gaps > 0) console.error('DIAGNOSIS', await diagnose());
    expect(load.failed, `send errors: ${load.errors.join(' | ')}`).toBe(0);
    expect(consumer.checker.unique).toBe(load.sent);
    expect(report, report.examples.join('; ')).toMatchObject({ violations: 0, gaps: 0 });
  }, 330_000);
});
