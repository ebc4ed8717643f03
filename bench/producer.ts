import { Partitioners, type Message } from 'kafkajs';
import {
  SmartProducer,
  bytesSerializer,
  type RecordMetadata,
} from '../src/adapters/kafka/smart-producer/index.js';
import { benchTopology, withBroker } from './broker.js';
import { machineInfo, median, progress, type BenchResult } from './harness.js';
import { javaProducerPerf } from './java-perf.js';
import {
  BATCH,
  DEDICATED,
  N,
  PER_CALL_N,
  RECORD_BYTES,
  SHARED,
  SMART_BATCH_BYTES,
  TENANTS,
  baselineMessage,
  checkPlacement,
  routeDedicatedTenants,
  smartRecord,
  type Placement,
} from './producer-workload.js';

const ROUNDS = 3;

/**
 * SmartProducer vs kafkajs on equal work (bench/producer-workload.ts): both sides send the same
 * records (tenant id as key, same value and tenant-id header), the same number of them, to the same
 * partitions of the same topic. What each row compares:
 * - default route: tenants without a route record; the SmartProducer hashes each over the 8 shared
 *   partitions, the baseline sends each record to that same partition (explicit partition). The ratio
 *   is our accumulator, chooser and bookkeeping against a bare sendBatch.
 * - dedicated route: records of 4 tenants, each routed to a dedicated partition of its own (the routing
 *   rules allow one tenant per dedicated partition); the baseline sends each record to that same partition. The ratio adds the route-epoch header (which the baseline does not
 *   send: it is part of our overhead) and the routed chooser path.
 * - per-call: an application pattern (100 callers each awaiting one-record sends) against send() over
 *   the same 20,000 records; no target.
 * - Java: a ceiling on the same broker, not equal work (keyless, no headers, all partitions).
 */
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
      { ...names, lingerMs: 5, batchBytes: SMART_BATCH_BYTES, bufferMemory: 256 * 2 ** 20 },
      { serializer: bytesSerializer },
    );
    await smart.connect();

    const rate = (n: number, t0: number): number => n / ((performance.now() - t0) / 1000);
    const kafkajsSendBatch = async (placement: Placement): Promise<number> => {
      const t0 = performance.now();
      for (let off = 0; off < N; off += BATCH) {
        const messages: Message[] = [];
        for (let i = off; i < off + BATCH; i++) messages.push(baselineMessage(i, placement));
        await plain.sendBatch({ topicMessages: [{ topic, messages }], acks: -1 });
      }
      return rate(N, t0);
    };
    // Each SmartProducer round checks, after its clock stops, that every record went where the
    // baseline sends it.
    const smartSend = async (placement: Placement, n = N): Promise<number> => {
      const t0 = performance.now();
      const all: Promise<RecordMetadata>[] = [];
      for (let i = 0; i < n; i++) all.push(smart.send(smartRecord(topic, i, placement)));
      const mds = await Promise.all(all);
      const r = rate(n, t0);
      checkPlacement(placement, mds);
      return r;
    };
    const smartSendMany = async (placement: Placement): Promise<number> => {
      const t0 = performance.now();
      const mds: RecordMetadata[][] = [];
      for (let off = 0; off < N; off += BATCH) {
        const records = [];
        for (let i = off; i < off + BATCH; i++) records.push(smartRecord(topic, i, placement));
        mds.push(await smart.sendMany(records));
      }
      const r = rate(N, t0);
      checkPlacement(placement, mds.flat());
      return r;
    };
    const kafkajsPerCall = async (): Promise<number> => {
      const t0 = performance.now();
      let next = 0;
      await Promise.all(
        Array.from({ length: 100 }, async () => {
          while (next < PER_CALL_N) {
            const i = next++;
            await plain.send({ topic, acks: -1, messages: [baselineMessage(i, 'shared')] });
          }
        }),
      );
      return rate(PER_CALL_N, t0);
    };

    progress('producer: warm-up');
    await kafkajsSendBatch('shared');
    await smartSend('shared');
    await smartSendMany('shared');
    const base: number[] = [];
    const ours: number[] = [];
    const many: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      base.push(await kafkajsSendBatch('shared'));
      ours.push(await smartSend('shared'));
      many.push(await smartSendMany('shared'));
      progress(
        `  round ${r + 1}/${ROUNDS}: kafkajs sendBatch ${base[r]!.toFixed(0)} rec/s, SmartProducer send ${ours[r]!.toFixed(0)} rec/s, sendMany ${many[r]!.toFixed(0)} rec/s`,
      );
    }
    // Per-call: still on the default route, so both sides send the same records to the same partitions.
    const perCall = await kafkajsPerCall();
    const oursPerCallN: number[] = [];
    for (let r = 0; r < ROUNDS; r++) oursPerCallN.push(await smartSend('shared', PER_CALL_N));
    progress(
      `  ${PER_CALL_N} records: kafkajs per-call send (100 concurrent callers) ${perCall.toFixed(0)} rec/s, SmartProducer send ${median(oursPerCallN).toFixed(0)} rec/s`,
    );

    // The same send() rounds with records of routed tenants only, each on a dedicated partition of its
    // own (epoch >= 1), so each record also carries the route-epoch header; the baseline sends the same
    // records to the same dedicated partitions.
    progress(`producer: routing ${DEDICATED} tenants to dedicated partitions`);
    await routeDedicatedTenants(kafka, names.routingTopic, topic, smart.routes);
    const baseRouted: number[] = [];
    const oursRouted: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      baseRouted.push(await kafkajsSendBatch('dedicated'));
      oursRouted.push(await smartSend('dedicated'));
      progress(
        `  routed round ${r + 1}/${ROUNDS}: kafkajs sendBatch ${baseRouted[r]!.toFixed(0)} rec/s, SmartProducer send ${oursRouted[r]!.toFixed(0)} rec/s`,
      );
    }
    await smart.disconnect();
    await plain.disconnect();

    const java = javaProducerPerf({
      classpath,
      brokers,
      topic,
      records: N,
      recordBytes: RECORD_BYTES,
      batchBytes: BATCH * RECORD_BYTES,
    });
    await admin.disconnect();
    const b = median(base);
    const o = median(ours);
    const sameBatch = `kafkajs sendBatch, same records and partitions`;
    return {
      name: 'producer',
      title: 'Producer throughput: SmartProducer vs plain kafkajs (same broker, same run)',
      date: new Date().toISOString(),
      machine: machineInfo(),
      rows: [
        {
          metric: `SmartProducer send() (accumulator; tenants on the default route, ${SHARED} shared partitions)`,
          value: o,
          unit: 'rec/s',
          baseline: { name: sameBatch, value: b },
          target: { op: '>=', bound: 0.95, on: 'ratio' },
        },
        {
          metric: `SmartProducer sendMany() (${BATCH} records a call, awaited like the baseline)`,
          value: median(many),
          unit: 'rec/s',
          baseline: { name: sameBatch, value: b },
          target: { op: '>=', bound: 0.95, on: 'ratio' },
        },
        {
          metric: `SmartProducer send(), ${DEDICATED} tenants each on a dedicated route (${DEDICATED} partitions, route-epoch header on each record)`,
          value: median(oursRouted),
          unit: 'rec/s',
          baseline: { name: sameBatch, value: median(baseRouted) },
          target: { op: '>=', bound: 0.95, on: 'ratio' },
        },
        {
          metric: `SmartProducer send() vs kafkajs per-call send() (${PER_CALL_N} records each)`,
          value: median(oursPerCallN),
          unit: 'rec/s',
          baseline: { name: 'kafkajs send(), 100 concurrent callers', value: perCall },
        },
        ...(java.rate !== undefined
          ? [
              {
                metric: 'SmartProducer vs the Java client (ceiling)',
                value: o,
                unit: 'rec/s',
                baseline: { name: 'Java ProducerPerformance', value: java.rate },
              },
            ]
          : []),
      ],
      notes: [
        `Equal work on both sides: ${N} records per round, each record keyed by its tenant id (10 bytes) with a ${RECORD_BYTES}-byte value and a tenant-id header, to the same partitions of the same ${SHARED} + ${DEDICATED}-partition topic; batches of ${BATCH} records, acks=all, idempotent, 1 batch in flight, local single broker; median of ${ROUNDS} alternating rounds after a warm-up. Every SmartProducer round is checked to have put each record on the baseline's partition.`,
        `Default route: records cycle over ${TENANTS} tenants with no route record, so the SmartProducer hashes each over the ${SHARED} shared partitions and its records carry no route-epoch header (epoch 0); the baseline (kafkajs DefaultPartitioner) gets each record with that partition set explicitly, looked up rather than hashed, so the ratio includes our partition choice in full.`,
        `Dedicated route: the records cycle over ${DEDICATED} tenants, each routed to a dedicated partition of its own (the routing rules give a dedicated partition to one tenant), so ${N / DEDICATED} records per partition as before with 1,000 tenants on ${DEDICATED} partitions; each record stamped with its route epoch. The baseline sends the same records to the same partitions without that header (the header is our overhead). Measured after the default-route rounds, against its own interleaved kafkajs rounds.`,
        `Per-call: kafkajs with 100 concurrent callers each awaiting one-record sends (a common application pattern) vs SmartProducer send() (median of ${ROUNDS}), both over the same first ${PER_CALL_N} records on the default route.`,
        java.note,
      ],
    };
  });
}
