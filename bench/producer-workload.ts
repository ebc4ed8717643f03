import { randomUUID } from 'node:crypto';
import type { Kafka, Message } from 'kafkajs';
import { Headers } from '../src/domain/record-headers.js';
import { RouteWriter } from '../src/adapters/kafka/route-writer.js';
import type { TenantId, TopicName } from '../src/domain/ids.js';
import { defaultPartitionOf } from '../src/domain/partition-choice.js';
import type { RoutingTable } from '../src/domain/routing-table.js';

/**
 * The producer benchmark's workload, one definition for both sides so they do equal work: the same
 * records (tenant id as the key, a 100-byte value, a tenant-id header), the same count, to the same
 * partitions of the same topic. The SmartProducer adds the tenant-id header itself and, for routed
 * tenants only, a route-epoch header: that header and the chooser are the overhead the ratios measure.
 */
export const N = 200_000;
export const PER_CALL_N = 20_000;
export const RECORD_BYTES = 100;
export const BATCH = 1000;
export const TENANTS = 1000;
export const SHARED = 8;
export const DEDICATED = 4;

export const value = Buffer.alloc(RECORD_BYTES, 120);
/** Fixed-length ids (tenant-000 .. tenant-999): every record has the same key and header bytes. */
export const tenantOf = (i: number): string => `tenant-${String(i % TENANTS).padStart(3, '0')}`;
const KEY_BYTES = tenantOf(0).length;
/**
 * The SmartProducer's batch.size: it counts value + key + 64 bytes per record, so this closes a
 * batch at exactly BATCH records, the baseline's sendBatch size.
 */
export const SMART_BATCH_BYTES = BATCH * (RECORD_BYTES + KEY_BYTES + 64);

/**
 * Default route: records cycle over all TENANTS tenants, none with a route record; the SmartProducer
 * hashes each over the shared pool. Dedicated route: the routing rules give a dedicated partition to
 * one tenant only (src/domain/route-rules.ts), so the routed rounds' records cycle over DEDICATED
 * tenants (tenant-000..), each routed to a dedicated partition of its own: the same number of
 * partitions, and records per partition per batch, as when all 1000 tenants shared those 4.
 */
export type Placement = 'shared' | 'dedicated';
const tenantIndex = (i: number, placement: Placement): number =>
  placement === 'shared' ? i % TENANTS : i % DEDICATED;
const sharedPartition = Array.from({ length: TENANTS }, (_, j) => defaultPartitionOf(tenantOf(j), SHARED));
export const partitionOf = (i: number, placement: Placement): number =>
  placement === 'shared' ? sharedPartition[i % TENANTS]! : SHARED + (i % DEDICATED);
const tenantAt = (i: number, placement: Placement): string => tenantOf(tenantIndex(i, placement));

/**
 * The baseline's record i: the same key, value and tenant-id header as the SmartProducer's, and an
 * explicit partition, the one the SmartProducer picks for that tenant (kafkajs's partitioners
 * return an explicit partition as given). The partitions are looked up, not hashed per record, so
 * the baseline pays nothing for choosing one and the ratio includes our chooser's whole cost.
 */
export const baselineMessage = (i: number, placement: Placement): Message => {
  const tenant = tenantAt(i, placement);
  return {
    key: tenant,
    value,
    headers: { [Headers.tenantId]: tenant },
    partition: partitionOf(i, placement),
  };
};

/** The SmartProducer's record i (it adds the tenant-id header and picks the partition itself). */
export const smartRecord = (topic: string, i: number, placement: Placement) => {
  const tenant = tenantAt(i, placement);
  return { topic, tenant, key: tenant, value };
};

/**
 * Routes tenant-000..tenant-{DEDICATED-1} each to a dedicated partition of its own (epoch >= 1, so
 * their records carry a route-epoch header) and waits until the SmartProducer has applied them all.
 */
export async function routeDedicatedTenants(
  kafka: Kafka,
  routingTopic: string,
  topic: string,
  reader: { readonly table: RoutingTable; readonly rejected: number },
): Promise<void> {
  const writer = new RouteWriter(kafka, routingTopic, `ktb-bench-writer.${randomUUID()}`);
  await writer.connect();
  try {
    for (let j = 0; j < DEDICATED; j++)
      await writer.write({
        v: 1,
        kind: 'route',
        topic: topic as TopicName,
        tenant: tenantOf(j) as TenantId,
        state: 'dedicated',
        partitions: [SHARED + j],
        epoch: 1 + j,
        ordering: 'strict',
        reason: 'bench',
        updatedAt: Date.now(),
        writerEpoch: 0,
      });
  } finally {
    await writer.disconnect();
  }
  const routed = () =>
    Array.from({ length: DEDICATED }, (_, j) => reader.table.route(topic, tenantOf(j))).every(
      (r) => r?.state === 'dedicated',
    );
  const deadline = Date.now() + 60_000;
  while (!routed()) {
    if (Date.now() > deadline)
      throw new Error(
        `producer bench: routes did not reach the SmartProducer within 60 s (${reader.rejected} rejected; last: ${reader.table.lastRejection || '-'})`,
      );
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Throws unless the SmartProducer put record i where the baseline puts it (checked on warm-up rounds). */
export function checkPlacement(
  placement: Placement,
  results: readonly { readonly partition: number }[],
  first = 0,
): void {
  results.forEach((md, k) => {
    const want = partitionOf(first + k, placement);
    if (md.partition !== want)
      throw new Error(
        `producer bench: SmartProducer sent record ${first + k} (${tenantAt(first + k, placement)}) to partition ${md.partition}, the baseline to ${want}; the rows would compare unequal work`,
      );
  });
}
