import { SchemaType } from '@kafkajs/confluent-schema-registry';
import {
  SmartProducer,
  jsonSerializer,
  type Serializer,
} from '../src/adapters/kafka/smart-producer/index.js';
import * as localRegistry from '../src/adapters/local-registry/index.js';
import { schemaSerializer } from '../src/adapters/schema-registry/index.js';
import { benchTopology, withBroker } from './broker.js';
import { machineInfo, median, progress, type BenchResult } from './harness.js';
import { BATCH, SHARED, TENANTS, tenantOf } from './producer-workload.js';

const N = 100_000;
const ROUNDS = 3;
const COST_N = 200_000;

/** An order event: the same content goes out as JSON and as Avro. */
interface OrderEvent {
  tenant: string;
  seq: number;
  amount: number;
  currency: string;
  sku: string;
  note: string;
}
const orderSchema = {
  type: 'record',
  name: 'OrderEvent',
  namespace: 'ktb.bench',
  fields: [
    { name: 'tenant', type: 'string' },
    { name: 'seq', type: 'long' },
    { name: 'amount', type: 'double' },
    { name: 'currency', type: 'string' },
    { name: 'sku', type: 'string' },
    { name: 'note', type: 'string' },
  ],
};
const eventOf = (i: number): OrderEvent => ({
  tenant: tenantOf(i),
  seq: i,
  amount: (i % 10_000) / 100,
  currency: 'EUR',
  sku: `sku-${i % 5000}`,
  note: 'two items, gift wrapped, deliver after 6pm',
});

/** The bench's registry: SCHEMA_REGISTRY_URL, or a local one on KTB_BENCH_REGISTRY_PORT (default 19481) that we stop after. */
async function withRegistry<T>(fn: (url: string) => Promise<T>): Promise<T> {
  const external = process.env['SCHEMA_REGISTRY_URL'];
  if (external) return fn(external);
  const opts = localRegistry.defaultLocalRegistryOptions({
    port: Number(process.env['KTB_BENCH_REGISTRY_PORT'] ?? 19481),
  });
  const r = await localRegistry.startRegistry(opts, (l) => progress(l));
  try {
    return await fn(r.url);
  } finally {
    if (r.started) await localRegistry.stopRegistry(opts);
  }
}

/** ns per record of serialize() alone, on a warm serializer (the Avro one's schema id is cached). */
function serializerCost(s: Serializer<OrderEvent>, topic: string): { ns: number; bytes: number } {
  const events = Array.from({ length: 1000 }, (_, i) => eventOf(i));
  let bytes = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < COST_N; i++)
    bytes += (s.serialize(events[i % 1000]!, { topic, tenant: undefined }) as Buffer).length;
  return { ns: Number(process.hrtime.bigint() - t0) / COST_N, bytes: bytes / COST_N };
}

/**
 * sendMany() throughput with Avro values (schema registry serializer) against JSON values of the
 * same content, same records, keys, tenants and partitions, alternating which goes first each round.
 */
export async function avroBench(): Promise<BenchResult> {
  return withRegistry((url) =>
    withBroker(async (brokers) => {
      const { kafka, admin, names, topic } = await benchTopology(brokers, 'avro', SHARED, 4);
      const avro = schemaSerializer<OrderEvent>({
        registry: { url },
        schema: { type: SchemaType.AVRO, schema: JSON.stringify(orderSchema) },
      });
      const options = { ...names, lingerMs: 5, bufferMemory: 256 * 2 ** 20 };
      const json = new SmartProducer<OrderEvent>(kafka, options, { serializer: jsonSerializer });
      const avroP = new SmartProducer<OrderEvent>(kafka, options, { serializer: avro });
      await json.connect();
      await avroP.connect();
      const run = async (p: SmartProducer<OrderEvent>): Promise<number> => {
        const t0 = performance.now();
        for (let off = 0; off < N; off += BATCH) {
          const records = [];
          for (let i = off; i < off + BATCH; i++)
            records.push({ topic, tenant: tenantOf(i), key: tenantOf(i), value: eventOf(i) });
          await p.sendMany(records);
        }
        return N / ((performance.now() - t0) / 1000);
      };
      progress('avro: warm-up');
      await run(json);
      await run(avroP);
      const j: number[] = [];
      const a: number[] = [];
      for (let r = 0; r < ROUNDS; r++) {
        if (r % 2 === 0) {
          j.push(await run(json));
          a.push(await run(avroP));
        } else {
          a.push(await run(avroP));
          j.push(await run(json));
        }
        progress(
          `  round ${r + 1}/${ROUNDS}: JSON ${j[r]!.toFixed(0)} rec/s, Avro ${a[r]!.toFixed(0)} rec/s`,
        );
      }
      const lookups = avro.registryLookups();
      await json.disconnect();
      await avroP.disconnect();
      await admin.disconnect();
      const jc = serializerCost(jsonSerializer as Serializer<OrderEvent>, topic);
      const ac = serializerCost(avro, topic);
      const jc2 = serializerCost(jsonSerializer as Serializer<OrderEvent>, topic);
      const ac2 = serializerCost(avro, topic);
      return {
        name: 'avro',
        title: 'Avro (schema registry) vs JSON values: SmartProducer sendMany()',
        date: new Date().toISOString().slice(0, 10),
        machine: machineInfo(),
        rows: [
          {
            metric: `sendMany() throughput, Avro values (median of ${ROUNDS})`,
            value: median(a),
            unit: 'rec/s',
            baseline: { name: 'JSON values, same content', value: median(j) },
            target: { op: '>=', bound: 0.9, on: 'ratio' },
          },
          {
            metric: 'serialize() cost per record, Avro (warm: schema id cached)',
            value: Math.min(ac.ns, ac2.ns),
            unit: 'ns',
            baseline: { name: 'JSON.stringify + Buffer', value: Math.min(jc.ns, jc2.ns) },
          },
          {
            metric: 'value size per record, Avro (5-byte wire header included)',
            value: ac.bytes,
            unit: 'bytes',
            baseline: { name: 'JSON', value: jc.bytes },
          },
        ],
        notes: [
          `${N} records per run in batches of ${BATCH} (sendMany), ${TENANTS} tenants as keys over ${SHARED} shared partitions, one broker on this machine; JSON and Avro alternate which goes first each round.`,
          `Registry: ${url} (Apicurio, Confluent-compatible API). ${lookups} registry lookup(s) for all ${N * (ROUNDS + 1)} Avro records: the schema id is cached per subject, so serialize() is synchronous once warm.`,
          `Serializer cost: ${COST_N} serialize() calls per side, best of 2; Avro encodes with avsc (through @kafkajs/confluent-schema-registry) and adds the 5-byte wire header.`,
        ],
      };
    }),
  );
}
