import { Partitioners } from 'kafkajs';
import { createPartitionChooser } from '../src/domain/partition-choice.js';
import type { TenantId, TopicName } from '../src/domain/ids.js';
import { RoutingTable } from '../src/domain/routing-table.js';
import { machineInfo, median, progress, type BenchResult } from './harness.js';

const TENANTS = 100_000;
const SHARED = 64;
/**
 * Our routing table: the routing rules give a dedicated partition to one tenant only
 * (src/domain/route-rules.ts), so 100k routed tenants, 90% on one partition and 10% sharded over
 * two, need 110,000 dedicated partitions. The chooser's cost per record does not depend on the
 * partition count (one Map lookup per tenant).
 */
const DEDICATED = 110_000;
/**
 * kafkajs's topic: 1,064 partitions (64 + 1,000, the layout this benchmark used before the rule),
 * and 12. kafkajs filters the partition list on every record, so its cost grows with the count;
 * comparing with it at 1,064 partitions rather than 110,064 is the harder baseline for us.
 */
const KAFKAJS_PARTITIONS = 1064;
/** Both sides time the same records: this many, in the same pseudo-random tenant order. */
const RECORDS = 200_000;
const PASSES = 3;
/** Timed rounds per pass: kafkajs takes ~1-4 s a round, ours ~20-60 ms, so ours gets more rounds for a stable median. */
const KAFKAJS_ROUNDS = 7;
const OUR_ROUNDS = 31;

/** ns per record of fn over the given tenant order, median of `rounds` after one warm-up round. */
function timePerRecord(fn: (i: number) => number, order: Uint32Array, rounds: number): number {
  const times: number[] = [];
  let sink = 0;
  for (let r = 0; r <= rounds; r++) {
    // kafkajs allocates ~8 KB per record here (it filters 1,064 partitions): collect that garbage
    // before each round so one side's GC debt is not paid on the other side's clock.
    global.gc?.();
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < order.length; i++) sink ^= fn(order[i]!);
    const ns = Number(process.hrtime.bigint() - t0) / order.length;
    if (r > 0) times.push(ns);
  }
  if (sink === 0.5) progress('impossible');
  return median(times);
}

export function partitionerBench(): BenchResult {
  const topic = 'bench-orders' as TopicName;
  const tenants = Array.from({ length: TENANTS }, (_, i) => `tenant-${i}`);
  const table = new RoutingTable();
  table.apply({
    v: 1,
    kind: 'pools',
    topic,
    shared: SHARED,
    total: SHARED + DEDICATED,
    updatedAt: 0,
    writerEpoch: 0,
  });
  let next = SHARED;
  tenants.forEach((t, i) => {
    const sharded = i % 10 === 0;
    const outcome = table.apply({
      v: 1,
      kind: 'route',
      topic,
      tenant: t as TenantId,
      state: sharded ? 'sharded' : 'dedicated',
      partitions: sharded ? [next++, next++] : [next++],
      epoch: 1,
      ordering: 'strict',
      reason: 'bench',
      updatedAt: 0,
      writerEpoch: 0,
    });
    // A rejected route would leave the tenant on the hash path and the "routed" rows measuring that.
    if (outcome !== 'applied')
      throw new Error(`partitioner bench: route of ${t} was ${outcome}: ${table.lastRejection}`);
  });
  const order = new Uint32Array(RECORDS);
  let x = 12345;
  for (let i = 0; i < RECORDS; i++) order[i] = (x = (Math.imul(x, 1103515245) + 12345) >>> 0) % TENANTS;

  const partitionMetadata = Array.from({ length: KAFKAJS_PARTITIONS }, (_, p) => ({
    partitionId: p,
    leader: 0,
    replicas: [0],
    isr: [0],
    offlineReplicas: [],
    partitionErrorCode: 0,
  }));
  const smallMetadata = partitionMetadata.slice(0, 12);
  const kafkajsDefault = Partitioners.DefaultPartitioner();
  const ours = createPartitionChooser(table);
  const unrouted = new RoutingTable();
  unrouted.apply({
    v: 1,
    kind: 'pools',
    topic,
    shared: SHARED,
    total: SHARED + DEDICATED,
    updatedAt: 0,
    writerEpoch: 0,
  });
  const oursUnrouted = createPartitionChooser(unrouted);
  const pick = (c: ReturnType<typeof ours>): number =>
    c.kind === 'hashed' || c.kind === 'routed' || c.kind === 'explicit' ? c.partition : -1;

  progress(
    `partitioner: ${TENANTS} routed tenants, ${RECORDS} records a round on every side, ${PASSES} passes of ${KAFKAJS_ROUNDS} (kafkajs) / ${OUR_ROUNDS} (ours) rounds`,
  );
  // Interleave the measurements so drift hits both sides alike.
  const base: number[] = [];
  const base12: number[] = [];
  const routed: number[] = [];
  const hashed: number[] = [];
  for (let k = 0; k < PASSES; k++) {
    base.push(
      timePerRecord(
        (i) => kafkajsDefault({ topic, partitionMetadata, message: { key: tenants[i]!, value: null } }),
        order,
        KAFKAJS_ROUNDS,
      ),
    );
    base12.push(
      timePerRecord(
        (i) =>
          kafkajsDefault({
            topic,
            partitionMetadata: smallMetadata,
            message: { key: tenants[i]!, value: null },
          }),
        order,
        KAFKAJS_ROUNDS,
      ),
    );
    routed.push(timePerRecord((i) => pick(ours({ topic, tenant: tenants[i]! })), order, OUR_ROUNDS));
    hashed.push(timePerRecord((i) => pick(oursUnrouted({ topic, tenant: tenants[i]! })), order, OUR_ROUNDS));
    progress(
      `  pass ${k + 1}/${PASSES}: kafkajs ${base[k]!.toFixed(1)} ns (12 partitions: ${base12[k]!.toFixed(1)} ns), routed ${routed[k]!.toFixed(1)} ns, hashed ${hashed[k]!.toFixed(1)} ns`,
    );
  }
  const b = median(base);
  return {
    name: 'partitioner',
    title: 'Partitioner cost per record (100k routed tenants)',
    date: new Date().toISOString(),
    machine: machineInfo(),
    rows: [
      {
        metric: 'routing partitioner, 100k routed tenants',
        value: median(routed),
        unit: 'ns/record',
        baseline: {
          name: `kafkajs DefaultPartitioner (string key), ${KAFKAJS_PARTITIONS} partitions`,
          value: b,
        },
        target: { op: '<=', bound: 0.25, on: 'ratio' },
      },
      {
        metric: 'routing partitioner, 100k routed tenants (stretch)',
        value: median(routed),
        unit: 'ns/record',
        target: { op: '<=', bound: 150, on: 'value' },
      },
      {
        metric: 'routing partitioner vs kafkajs on a 12-partition topic',
        value: median(routed),
        unit: 'ns/record',
        baseline: { name: 'kafkajs DefaultPartitioner, 12 partitions', value: median(base12) },
        target: { op: '<=', bound: 0.25, on: 'ratio' },
      },
      {
        metric: 'routing partitioner, 100k unrouted tenants (hash cached)',
        value: median(hashed),
        unit: 'ns/record',
        baseline: {
          name: `kafkajs DefaultPartitioner (string key), ${KAFKAJS_PARTITIONS} partitions`,
          value: b,
        },
        target: { op: '<=', bound: 0.25, on: 'ratio' },
      },
    ],
    notes: [
      `Ours: ${TENANTS} routed tenants (90% dedicated, 10% sharded over 2 partitions), ${SHARED} shared + ${DEDICATED} dedicated partitions (a dedicated partition has one tenant), every route checked to be applied; the unrouted row: the same tenants with no route record. kafkajs: the same tenant ids as string keys on a ${KAFKAJS_PARTITIONS}-partition topic (and a 12-partition one). ${RECORDS} records in a fixed pseudo-random tenant order.`,
      `Both sides time the same ${RECORDS} records (same tenants, same order) per round. Each figure is the median of ${PASSES} interleaved passes, each the median of its timed rounds after a warm-up round (kafkajs ${KAFKAJS_ROUNDS} rounds, ours ${OUR_ROUNDS}: a round of ours takes ~1/50 of the time, so it gets more rounds for an equally stable median), in one process, with a full GC before each round (npm run bench passes --expose-gc).`,
      `kafkajs filters the partition list for leaders on every record, so its cost grows with the partition count (${KAFKAJS_PARTITIONS} here, not our table's ${SHARED + DEDICATED}: the harder baseline for us); the 12-partition row isolates its key encode + murmur2 cost.`,
      'kafkajs re-encodes and re-hashes each string key per record; ours does one Map lookup per record (the per-topic map is cached per table version) that yields a ready choice for a settled one-partition route, and caches hashes of unrouted tenants.',
    ],
  };
}
