import { randomBytes } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { createKafka } from '../adapters/kafka/client.js';
import { createManagedTopic } from '../adapters/kafka/managed-topics.js';
import { SmartProducer, type Serializer } from '../adapters/kafka/smart-producer/index.js';
import * as localKafka from '../adapters/local-kafka/index.js';
import { securityFromEnv } from '../app/connection-security.js';
import { parseControllerConfig } from '../app/controller-config.js';
import { startControllerService, type RunningController } from '../compose/controller-service.js';
import { avroSummary, startDemoAvro, type DemoEvent } from './avro-values.js';
import { CheckingConsumer } from './checking-consumer.js';
import { holdSummary } from './hold-summary.js';
import { ProcessLoad } from './process-load.js';
import { latencyByPhase } from './latency-stats.js';
import { render } from './live-view.js';
import { FirstMoveTimeline, movesByPhase, startsMove, type MoveStart } from './moves-by-phase.js';
import { TenantLoad } from './tenant-load.js';
import {
  DEDICATED,
  SHARED,
  SHARD_KEYS,
  STEADY_AFTER_MS,
  WHALE,
  phases,
  type DemoOptions,
  type DemoSummary,
} from './demo-scenario.js';

export { phases, type DemoOptions, type DemoSummary } from './demo-scenario.js';

/**
 * `tenant-balancer demo`: an embedded broker (unless KAFKA_BROKERS), a managed topic, the
 * controller, many small tenants and one whale that ramps up, outgrows a partition and cools, and
 * a consumer group with bounded per-partition capacity. Ends with the ordering/loss/latency summary.
 */
export async function runDemo(o: DemoOptions, abort: AbortSignal): Promise<DemoSummary> {
  const log = o.logger;
  const cleanups: (() => Promise<unknown>)[] = [];
  try {
    let brokers = process.env['KAFKA_BROKERS']?.split(',');
    // An external cluster may need SASL/TLS (KAFKA_SASL_* / KAFKA_SSL_*); the embedded broker does not.
    let security: ReturnType<typeof securityFromEnv> = {};
    if (brokers !== undefined && brokers[0] !== '') security = securityFromEnv(process.env);
    else {
      const opts = localKafka.defaultLocalKafkaOptions();
      const started = await localKafka.start(opts, (l) => o.ui && console.error(l));
      if (started.started) cleanups.push(() => localKafka.stop(opts));
      brokers = started.bootstrap;
    }
    const kafka: Kafka = createKafka({ brokers, clientId: 'tenant-balancer-demo', ...security }, log);
    const admin = kafka.admin();
    await admin.connect();
    cleanups.push(() => admin.disconnect());
    const run = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
    const topic = o.topic ?? `demo-${run}`;
    const names = { routingTopic: 'ktb.routes', acksTopic: 'ktb.acks', trafficTopic: 'ktb.traffic' };
    // A named topic (docker-compose: created by `topics create` before the controller starts) is reused.
    if (o.topic === undefined || !(await admin.listTopics()).includes(topic)) {
      await createManagedTopic(kafka, admin, names, { topic, shared: SHARED, dedicated: DEDICATED });
    }
    const groupId = `demo-consumers-${run}`;
    const costMicros = o.costMicros ?? 1000;
    const capacity = 1e6 / costMicros;

    let svc: RunningController | undefined;
    const transitions: string[] = [];
    /** when the whale's route flipped off the shared pool (ms epoch) */
    const flips: number[] = [];
    const moveStarts: MoveStart[] = [];
    const firstMove = new FirstMoveTimeline(WHALE);
    if (o.controller === 'in-process') {
      const config = parseControllerConfig({
        brokers,
        ...security,
        topics: [topic],
        ...names,
        groups: [groupId],
        // Evaluated every 100 ms, fed by producers' traffic reports every 100 ms (below): the whale is
        // seen within a few hundred ms of its spike. 250 ms ticks and reports left it on the small
        // tenants' partition ~0.5 s longer (noisy-neighbour benchmark, docs/benchmarks.md).
        tickMs: 100,
        windowMs: 1000,
        routeLeaseMs: 5000,
        http: { port: o.httpPort ?? 0, host: '127.0.0.1' },
        authToken: randomBytes(16).toString('hex'),
        thresholds: {
          isolateRate: capacity * 0.25,
          isolateShare: 0.3,
          // One hot evaluation of the 1 s window: 250 records in the last second is already a sustained
          // rate, and each extra confirmation kept the whale on the small tenants' partition 250 ms longer.
          hotWindows: 1,
          releaseRate: capacity * 0.05,
          coldWindows: 3,
          partitionCapacity: capacity,
          headroom: 0.8,
          cooldownMs: 3000,
          reshardWindows: 2,
          // The whale's steady 2,400/s sits on 3 x 800/s: noise just above it must not add a 4th partition.
          growMargin: 0.1,
          drainTimeoutMs: 30_000,
          actorFloorRate: 20,
        },
      });
      svc = await startControllerService(config, {
        logger: log,
        ...(o.inspect ? { inspect: o.inspect } : {}),
        telemetry: {
          migrationStep: (e) => firstMove.step(e.tenant, e.step, e.phase, Date.now()),
          transition: (e) => {
            firstMove.transition(e.tenant, e.from, e.to, Date.now());
            if (startsMove(e.from, e.to)) moveStarts.push({ at: Date.now(), tenant: e.tenant });
            transitions.push(
              `${new Date().toISOString().slice(11, 19)} ${e.tenant}: ${e.from} -> ${e.to}${e.reason ? ` (${e.reason})` : ''}`,
            );
            if (e.tenant === WHALE && e.from === 'committing' && (e.to === 'dedicated' || e.to === 'sharded'))
              flips.push(Date.now());
          },
        },
      });
      cleanups.push(() => svc!.stop());
      // stderr: stdout carries the summary (--json); the live view repeats the address each second
      console.error(`dashboard: ${svc.url}/`);
    }

    const avro = o.avro === true ? await startDemoAvro((l) => console.error(l)) : undefined;
    if (avro !== undefined) cleanups.push(() => avro.stop());
    const consumer = new CheckingConsumer(kafka, {
      topic,
      groupId,
      costMicros,
      concurrency: 2,
      members: SHARED + DEDICATED,
      // the ordered consumer (unless --no-gated-consumers): the group holds a moved tenant itself,
      // so producers never wait for it
      ...(o.gatedConsumers !== false
        ? { ordered: { routingTopic: names.routingTopic, acksTopic: names.acksTopic } }
        : {}),
      ...(avro !== undefined ? { decodeValue: avro.deserializer } : {}),
    });
    await consumer.start();
    cleanups.push(() => consumer.stop());
    const producer = new SmartProducer<string | DemoEvent>(
      kafka,
      { ...names, lingerMs: 5, routeLeaseMs: 5000, trafficIntervalMs: 100 },
      {
        logger: log,
        ...(avro !== undefined ? { serializer: avro.serializer as Serializer<string | DemoEvent> } : {}),
      },
    );
    await producer.connect();
    cleanups.push(() => producer.disconnect());
    const load = new TenantLoad<string | DemoEvent>(producer, topic, 20, (tenant, seq, shardKey) =>
      avro !== undefined ? { tenant, seq, shardKey: shardKey ?? null } : `${tenant}:${seq}`,
    );
    const small = Array.from({ length: o.tenants }, (_, i) => `tenant-${String(i).padStart(3, '0')}`);
    for (const s of small) load.set(s, { rate: 15 });

    const start = Date.now();
    const processLoad = new ProcessLoad();
    cleanups.push(async () => processLoad.stop());
    const durationMs = o.durationSec * 1000;
    const plan = phases(start, durationMs, o.whaleRate);
    load.set(WHALE, { rate: plan[0]!.whale, shardKeys: SHARD_KEYS });
    load.start();
    const stopLoad = (() => {
      let stopped: Promise<void> | undefined;
      return () => (stopped ??= load.stop());
    })();
    cleanups.push(stopLoad);

    while (Date.now() - start < durationMs && !abort.aborted) {
      const now = Date.now();
      const phase = plan.find((p) => now >= p.from && now < p.to) ?? plan[plan.length - 1]!;
      if (load.rateOf(WHALE) !== phase.whale) load.set(WHALE, { rate: phase.whale, shardKeys: SHARD_KEYS });
      if (o.ui)
        render({
          whale: WHALE,
          topic,
          phase: phase.name,
          elapsed: (now - start) / 1000,
          duration: o.durationSec,
          whaleRate: phase.whale,
          tenants: svc?.controller.tenants() ?? [],
          consumer,
          load,
          transitions,
          migrations: svc?.controller.migrationsDone ?? 0,
          small,
          ...(svc ? { dashboard: `${svc.url}/` } : {}),
        });
      await sleep(1000, abort);
    }

    await stopLoad();
    await producer.flush();
    const produced = load.sent;
    // Drain the consumer: every accepted record must arrive (bounded wait).
    const deadline = Date.now() + 60_000;
    while (consumer.checker.unique < produced && Date.now() < deadline) await sleep(200);
    const end = Date.now();
    processLoad.stop();
    const windows = [
      { name: 'before spike', from: plan[0]!.from, to: plan[0]!.to },
      { name: 'during spike', from: plan[1]!.from, to: plan[2]!.to },
      { name: 'after spike', from: plan[3]!.from, to: end },
      // The two halves of "during", to tell the reaction to the spike from the peak's load.
      { name: 'spike phase', from: plan[1]!.from, to: plan[1]!.to },
      { name: 'peak phase', from: plan[2]!.from, to: plan[2]!.to },
    ];
    const summary: DemoSummary = {
      topic,
      controller: o.controller,
      migrations: svc?.controller.migrationsDone ?? 0,
      movesByPhase: movesByPhase(
        moveStarts,
        [
          ...plan.map((p, i) => ({ name: p.name, from: p.from, to: i === plan.length - 1 ? end : p.to })),
          // The peak after its ramp and one grow cooldown: the whale's rate is steady there (#17).
          { name: 'steady peak', from: plan[2]!.from + STEADY_AFTER_MS, to: plan[2]!.to },
        ],
        WHALE,
      ),
      firstMove: firstMove.relativeTo(plan[1]!.from),
      transitions,
      produced,
      consumed: consumer.consumed,
      lost: Math.max(0, produced - consumer.checker.unique),
      sendFailures: load.failed,
      checker: consumer.checker.report(),
      holds: holdSummary(
        producer.stats().holdEpisodesMs,
        consumer.ordered.map((c) => c.stats()),
      ),
      spikeStartAt: plan[1]!.from,
      firstFlipAt: flips[0],
      ...avroSummary(avro, consumer),
      smallTenantLatency: latencyByPhase(consumer.latency, (t) => t !== WHALE, windows),
      processLoad: processLoad.byPhase(windows),
    };
    return summary;
  } finally {
    for (const c of cleanups.reverse())
      await c().catch((e: unknown) => log.warn({ err: String(e) }, 'cleanup failed'));
  }
}

const sleep = (ms: number, abort?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const onAbort = () => {
      clearTimeout(t);
      resolve();
    };
    const t = setTimeout(() => {
      abort?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    abort?.addEventListener('abort', onAbort, { once: true });
  });
