import { partitionForKey } from './murmur2.js';
import type { TenantRoute } from './route-record.js';
import type { RoutingTable } from './routing-table.js';

export interface PartitionRequest {
  readonly topic: string;
  readonly tenant?: string | undefined;
  /** Orders records within a sharded tenant (e.g. user id); picks the shard. */
  readonly secondaryKey?: string | Uint8Array | undefined;
  readonly partition?: number | undefined;
}

export type PartitionChoice =
  | { readonly kind: 'explicit' | 'hashed' | 'routed'; readonly partition: number; readonly epoch: number }
  /** The tenant is draining: the producer must hold the record until the new route arrives. */
  | { readonly kind: 'held'; readonly route: TenantRoute }
  /** Topic without a pool layout, or a record without a tenant: plain kafkajs partitioning. */
  | { readonly kind: 'default' };

const DEFAULT: PartitionChoice = { kind: 'default' };
const HASH_CACHE_LIMIT = 1_000_000;

export interface PartitionChooserOptions {
  /** A sharded tenant without a secondary key stays on one shard for this many records, then moves on. */
  readonly stickyBatch?: number;
}

/**
 * The routing decision, synchronous and allocation-light: it runs once per record. Hashes of
 * unrouted tenants are cached per topic (the shared pool never changes size, so they never go stale).
 */
export function createPartitionChooser(table: RoutingTable, opts: PartitionChooserOptions = {}) {
  const stickyBatch = opts.stickyBatch ?? 100;
  const hashCache = new Map<string, { shared: number; byTenant: Map<string, PartitionChoice> }>();
  const sticky = new Map<TenantRoute, { index: number; left: number }>();

  // Choices are immutable, so one object per (tenant, epoch) is shared by every record: no allocation per record.
  const hashed = (topic: string, tenant: string, shared: number, epoch: number): PartitionChoice => {
    let cache = hashCache.get(topic);
    if (cache === undefined || cache.shared !== shared) {
      cache = { shared, byTenant: new Map() };
      hashCache.set(topic, cache);
    }
    let c = cache.byTenant.get(tenant);
    if (c === undefined || (c as { epoch: number }).epoch !== epoch) {
      if (cache.byTenant.size >= HASH_CACHE_LIMIT) cache.byTenant.clear();
      c = { kind: 'hashed', partition: partitionForKey(tenant, shared), epoch };
      cache.byTenant.set(tenant, c);
    }
    return c;
  };

  const shard = (route: TenantRoute, secondaryKey: string | Uint8Array | undefined): number => {
    const parts = route.partitions;
    if (secondaryKey !== undefined) return parts[partitionForKey(secondaryKey, parts.length)]!;
    let s = sticky.get(route);
    if (s === undefined) {
      if (sticky.size > 10_000) sticky.clear();
      s = { index: 0, left: stickyBatch };
      sticky.set(route, s);
    }
    if (s.left-- <= 0) {
      s.index = (s.index + 1) % parts.length;
      s.left = stickyBatch - 1;
    }
    return parts[s.index % parts.length]!;
  };

  let lastTopic: string | undefined;
  let lastVersion = -1;
  let lastPools: ReturnType<RoutingTable['pools']>;
  let lastEntries: ReturnType<RoutingTable['chooserEntriesOf']>;

  return (req: PartitionRequest): PartitionChoice => {
    if (req.partition !== undefined) {
      const route = req.tenant === undefined ? undefined : table.route(req.topic, req.tenant);
      return { kind: 'explicit', partition: req.partition, epoch: route?.epoch ?? 0 };
    }
    if (req.tenant === undefined) return DEFAULT;
    // Most records go to the topic of the previous one: its pools and routes are looked up once
    // per table version, not per record.
    if (req.topic !== lastTopic || table.version !== lastVersion) {
      lastTopic = req.topic;
      lastVersion = table.version;
      lastPools = table.pools(req.topic);
      lastEntries = table.chooserEntriesOf(req.topic);
    }
    const pools = lastPools;
    if (pools === undefined) return DEFAULT;
    const entry = lastEntries?.get(req.tenant);
    if (entry === undefined) return hashed(req.topic, req.tenant, pools.shared, 0);
    // A settled one-partition route: its choice was made when the route was applied (one lookup,
    // no route or partitions array to read per record).
    if (entry.kind === 'routed') return entry;
    const route = entry;
    if (route.state === 'draining') return { kind: 'held', route };
    if (route.partitions.length === 0) return hashed(req.topic, req.tenant, pools.shared, route.epoch);
    // Sharded (one-partition routes were answered above).
    return { kind: 'routed', partition: shard(route, req.secondaryKey), epoch: route.epoch };
  };
}

export type PartitionChooser = ReturnType<typeof createPartitionChooser>;

/** Where a tenant's records go when nothing else is said: its hash over the shared pool. */
export const defaultPartitionOf = (tenant: string, shared: number): number => partitionForKey(tenant, shared);
