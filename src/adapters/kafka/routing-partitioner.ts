import { Partitioners, type ICustomPartitioner, type IHeaders } from 'kafkajs';
import { createPartitionChooser } from '../../domain/partition-choice.js';
import type { RoutingTable } from '../../domain/routing-table.js';
import { Headers } from '../../domain/record-headers.js';

const headerString = (headers: IHeaders | undefined, name: string): string | undefined => {
  const v = headers?.[name];
  const one = Array.isArray(v) ? v[0] : v;
  return one === undefined ? undefined : Buffer.isBuffer(one) ? one.toString('utf8') : String(one);
};

/**
 * A kafkajs custom partitioner over the routing table, for applications that keep a plain kafkajs
 * producer: the tenant comes from the `tenant-id` header, the shard key from `shard-key` or the
 * record key. Synchronous; reads only the in-memory snapshot. A plain producer cannot hold a
 * draining tenant, so it keeps such a tenant on its old partitions: use SmartProducer for the
 * ordering guarantee across moves.
 */
export const createRoutingPartitioner =
  (table: RoutingTable): ICustomPartitioner =>
  () => {
    const choose = createPartitionChooser(table);
    const fallback = Partitioners.DefaultPartitioner();
    return (args) => {
      const m = args.message;
      if (m.partition !== undefined && m.partition !== null) return m.partition;
      const tenant = headerString(m.headers, Headers.tenantId);
      if (tenant === undefined) return fallback(args);
      const secondaryKey =
        headerString(m.headers, Headers.shardKey) ??
        (m.key === null || m.key === undefined ? undefined : m.key);
      const c = choose({ topic: args.topic, tenant, secondaryKey });
      if (c.kind === 'default') return fallback(args);
      if (c.kind === 'held') return c.route.from?.[0] ?? fallback(args);
      return c.partition;
    };
  };
