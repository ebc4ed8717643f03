import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Partitioners, type Message } from 'kafkajs';
import { RouteWriter } from '../src/adapters/kafka/route-writer.js';
import { SmartProducer, bytesSerializer } from '../src/adapters/kafka/smart-producer/index.js';
import type { TenantId, TopicName } from '../src/domain/ids.js';
import { benchTopology, withBroker } from './broker.js';
import { machineInfo, median, progress, type BenchResult } from './harness.js';

const N = 200_000;
const PER_CALL_N = 20_000;
const RECORD_BYTES = 100;
const BATCH = 1000;
const TENANTS = 1000;
const ROUNDS = 3;
const SHARED = 8;
const DEDICATED = 4;

const value = Buffer.alloc(RECORD_BYTES, 120);
const tenantOf = (i: number) => `tenant-${i % TENANTS}`;

export async function producerBench(): Promise<BenchResult> {
  return withBroker(async (brokers, classpath) => {
    const { kafka, admin, names, topic } = await benchTopology(brokers, 'producer', SHARED, DEDICATED);

    const plain = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await plain.connect();
    const smart = new SmartProducer<Buffer>(
      kafka,
      {
        ...names,
        lingerMs: 5,
        batchBytes: BATCH * (RECORD_BYTES + 64),
        bufferMemory: 256 * 2 ** 20,
      },
      { serializer: bytesSerializer },
    );
    await smart.connect();

    const kafkajsSendBatch = async (): Promise<number> => {
      const t0 = performance.now();
      for (let off = 0; off < N; off += BATCH) {
        const messages: Message[] = [];
        for (let i = off; i < off + BATCH; i++)
          messages.push({ key: tenantOf(i), value, headers: { 'tenant-id': tenantOf(i) } });
        await plain.sendBatch({ topicMessages: [{ topic, messages }], acks: -1 });
      }
      return N / ((performance.now() - t0) / 1000);
    };
    const smartSend = async (): Promise<number> => {
      const t0 = performance.now();
      const all: Promise<unknown>[] = [];
      for (let i = 0; i < N; i++) all.push(smart.send({ topic, tenant: tenantOf(i), value }));
      await Promise.all(all);
      return N / ((performance.now() - t0) / 1000);
    };
    const smartSendMany = async (): Promise<number> => {
      const t0 = performance.now();
      for (let off = 0; off < N; off += BATCH) {
        const records = [];
        for (let i = off; i < off + BATCH; i++) records.push({ topic, tenant: tenantOf(i), value });
        await smart.sendMany(records);
      }
      return N / ((performance.now() - t0) / 1000);
    };
    const kafkajsPerCall = async (): Promise<number> => {
      const t0 = performance.now();
      let next = 0;
      await Promise.all(
        Array.from({ length: 100 }, async () => {
          while (next < PER_CALL_N) {
            const i = next++;
            await plain.send({
              topic,
              acks: -1,
              messages: [{ key: tenantOf(i), value, headers: { 'tenant-id': tenantOf(i) } }],
            });
          }
        }),
      );
      return PER_CALL_N / ((performance.now() - t0) / 1000);
    };

    progress('producer: warm-up');
    await kafkajsSendBatch();
    await smartSend();
    await smartSendMany();
    const base: number[] = [];
    const ours: number[] = [];
    const many: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      base.push(await kafkajsSendBatch());
      ours.push(await smartSend());
      many.push(await smartSendMany());
      progress(
        `  round ${r + 1}/${ROUNDS}: kafkajs sendBatch ${base[r]!.toFixed(0)} rec/s, SmartProducer send ${ours[r]!.toFixed(0)} rec/s, sendMany ${many[r]!.toFixed(0)} rec/s`,
      );
    }
    // The same send() rounds with every tenant on an explicit route (epoch >= 1), so each record also
    // carries the route-epoch header that unrouted tenants' records go without.
    progress('producer: routing all tenants');
    const writer = new RouteWriter(kafka, names.routingTopic, `ktb-bench-writer.${randomUUID()}`);
    await writer.connect();
    for (let i = 0; i < TENANTS; i++)
      await writer.write({
        v: 1,
        kind: 'route',
        topic: topic as TopicName,
        tenant: tenantOf(i) as TenantId,
        state: 'dedicated',
        partitions: [SHARED + (i % DEDICATED)],
        epoch: 1 + (i % 50),
        ordering: 'strict',
        reason: 'bench',
        updatedAt: Date.now(),
        writerEpoch: 0,
      });
    await writer.disconnect();
    const routedDeadline = Date.now() + 60_000;
    while (smart.routes.table.route(topic, tenantOf(TENANTS - 1))?.epoch === undefined) {
      if (Date.now() > routedDeadline) throw new Error('routes did not reach the SmartProducer within 60 s');
      await new Promise((r) => setTimeout(r, 50));
    }
    const baseRouted: number[] = [];
    const oursRouted: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      baseRouted.push(await kafkajsSendBatch());
      oursRouted.push(await smartSend());
      progress(
        `  routed round ${r + 1}/${ROUNDS}: kafkajs sendBatch ${baseRouted[r]!.toFixed(0)} rec/s, SmartProducer send ${oursRouted[r]!.toFixed(0)} rec/s`,
      );
    }

    const perCall = await kafkajsPerCall();
    progress(`  kafkajs per-call send (100 concurrent callers): ${perCall.toFixed(0)} rec/s`);
    await smart.disconnect();
    await plain.disconnect();

    let java: number | undefined;
    let javaNote =
      'Java ProducerPerformance skipped: KAFKA_BROKERS was set, so no local Kafka jars were resolved.';
    if (classpath !== undefined) {
      progress('  Java kafka-producer-perf-test (ProducerPerformance from the Kafka jars)');
      const r = spawnSync(
        'java',
        [
          '-cp',
          classpath,
          'org.apache.kafka.tools.ProducerPerformance',
          '--topic',
          topic,
          '--num-records',
          String(N),
          '--record-size',
          String(RECORD_BYTES),
          '--throughput',
          '-1',
          '--producer-props',
          `bootstrap.servers=${brokers.join(',')}`,
          'acks=all',
          'enable.idempotence=true',
          `batch.size=${BATCH * RECORD_BYTES}`,
          'linger.ms=5',
        ],
        { encoding: 'utf8', timeout: 300_000 },
      );
      const m = /([\d.]+) records\/sec/.exec(r.stdout.trim().split('\n').pop() ?? '');
      java = m ? Number(m[1]) : undefined;
      javaNote =
        java === undefined
          ? `Java ProducerPerformance failed: ${(r.stderr || r.stdout).slice(-300)}`
          : 'Java ProducerPerformance: the Java client on the same broker, same record size, acks=all, idempotent, linger.ms=5, keyless.';
    }
    await admin.disconnect();
    const b = median(base);
    const o = median(ours);
    return {
      name: 'producer',
      title: 'Producer throughput: SmartProducer vs plain kafkajs (same broker, same run)',
      date: new Date().toISOString(),
      machine: machineInfo(),
      rows: [
        {
          metric: 'SmartProducer send() (accumulator; tenants on the default route)',
          value: o,
          unit: 'rec/s',
          baseline: { name: 'kafkajs sendBatch, same batch size', value: b },
          target: { op: '>=', bound: 0.95, on: 'ratio' },
        },
        {
          metric: `SmartProducer sendMany() (${BATCH} records a call, awaited like the baseline)`,
          value: median(many),
          unit: 'rec/s',
          baseline: { name: 'kafkajs sendBatch, same batch size', value: b },
          target: { op: '>=', bound: 0.95, on: 'ratio' },
        },
        {
          metric:
            'SmartProducer send(), every tenant on a dedicated route (route-epoch header on each record)',
          value: median(oursRouted),
          unit: 'rec/s',
          baseline: { name: 'kafkajs sendBatch, same batch size', value: median(baseRouted) },
          target: { op: '>=', bound: 0.95, on: 'ratio' },
        },
        {
          metric: 'SmartProducer send() vs kafkajs per-call send()',
          value: o,
          unit: 'rec/s',
          baseline: { name: 'kafkajs send(), 100 concurrent callers', value: perCall },
        },
        ...(java !== undefined
          ? [
              {
                metric: 'SmartProducer vs the Java client (ceiling)',
                value: o,
                unit: 'rec/s',
                baseline: { name: 'Java ProducerPerformance', value: java },
              },
            ]
          : []),
      ],
      notes: [
        `${N} records of ${RECORD_BYTES} bytes over ${TENANTS} tenants, batches of ${BATCH} records, acks=all, idempotent, 1 batch in flight, local single broker; median of ${ROUNDS} alternating rounds after a warm-up.`,
        `Default route: the tenants have no route record, so the SmartProducer hashes them over the ${SHARED} shared partitions like kafkajs's default partitioner, and their records carry no route-epoch header (epoch 0). Dedicated route: every tenant routed to one of ${DEDICATED} dedicated partitions, each record stamped with its route epoch; measured after the default-route rounds, against its own interleaved kafkajs rounds.`,
        'kafkajs per-call send: 100 concurrent callers each awaiting one-record sends (a common application pattern), 20,000 records.',
        javaNote,
      ],
    };
  });
}
