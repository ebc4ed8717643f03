import type { TenantId, TopicName } from './ids.js';
import type { PoolLayout, RoutingEntry, TenantRoute } from './route-record.js';

export type ApplyOutcome = 'applied' | 'stale';

/** A settled one-partition route, as the partition chooser returns it (made once per route write). */
export interface SinglePartitionChoice {
  readonly kind: 'routed';
  readonly partition: number;
  readonly epoch: number;
}

/** What the partition chooser finds for a tenant in one lookup: a ready choice, or the route. */
export type ChooserEntry = SinglePartitionChoice | TenantRoute;

/**
 * The in-memory snapshot of the routing topic. Lookups are synchronous (the partitioner cannot
 * await). Writes from an older controller epoch than one already seen are ignored, so a paused old
 * leader cannot overwrite the new one.
 */
export class RoutingTable {
  private readonly byTopic = new Map<string, Map<string, TenantRoute>>();
  /** Per topic, per tenant: the ready choice of a settled one-partition route, else the route. */
  private readonly chooserByTopic = new Map<string, Map<string, ChooserEntry>>();
  private readonly poolsByTopic = new Map<string, PoolLayout>();
  private maxWriterEpoch = 0;
  /** Bumps on every applied change; caches compare it. */
  version = 0;

  apply(entry: RoutingEntry): ApplyOutcome {
    // Only controller route writes are fenced; pool layouts come from `topics create` too.
    if (entry.kind === 'route') {
      if (entry.writerEpoch < this.maxWriterEpoch) return 'stale';
      this.maxWriterEpoch = entry.writerEpoch;
    }
    this.version++;
    if (entry.kind === 'pools') {
      this.poolsByTopic.set(entry.topic, entry);
      return 'applied';
    }
    let routes = this.byTopic.get(entry.topic);
    let chooser = this.chooserByTopic.get(entry.topic);
    if (entry.kind === 'tombstone') {
      routes?.delete(entry.tenant);
      chooser?.delete(entry.tenant);
      return 'applied';
    }
    if (routes === undefined || chooser === undefined) {
      routes = new Map();
      chooser = new Map();
      this.byTopic.set(entry.topic, routes);
      this.chooserByTopic.set(entry.topic, chooser);
    }
    routes.set(entry.tenant, entry);
    chooser.set(
      entry.tenant,
      entry.state !== 'draining' && entry.partitions.length === 1
        ? { kind: 'routed', partition: entry.partitions[0]!, epoch: entry.epoch }
        : entry,
    );
    return 'applied';
  }

  route(topic: string, tenant: string): TenantRoute | undefined {
    return this.byTopic.get(topic)?.get(tenant);
  }

  /** The per-topic map itself, for hot paths that look up many tenants of one topic. */
  routesOf(topic: string): ReadonlyMap<string, TenantRoute> | undefined {
    return this.byTopic.get(topic);
  }

  /** The partition chooser's per-topic map: one lookup gives a ready choice or the route. */
  chooserEntriesOf(topic: string): ReadonlyMap<string, ChooserEntry> | undefined {
    return this.chooserByTopic.get(topic);
  }

  pools(topic: string): PoolLayout | undefined {
    return this.poolsByTopic.get(topic);
  }

  topics(): TopicName[] {
    return [...this.poolsByTopic.keys()] as TopicName[];
  }

  routes(topic?: string): TenantRoute[] {
    const topics = topic === undefined ? [...this.byTopic.keys()] : [topic];
    return topics.flatMap((t) => [...(this.byTopic.get(t)?.values() ?? [])]);
  }

  get writerEpoch(): number {
    return this.maxWriterEpoch;
  }

  tenants(topic: string): TenantId[] {
    return [...(this.byTopic.get(topic)?.keys() ?? [])] as TenantId[];
  }
}
