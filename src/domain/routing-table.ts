import type { TenantId, TopicName } from './ids.js';
import type { PoolLayout, RoutingEntry, TenantRoute } from './route-record.js';

export type ApplyOutcome = 'applied' | 'stale';

/**
 * The in-memory snapshot of the routing topic. Lookups are synchronous (the partitioner cannot
 * await). Writes from an older controller epoch than one already seen are ignored, so a paused old
 * leader cannot overwrite the new one.
 */
export class RoutingTable {
  private readonly byTopic = new Map<string, Map<string, TenantRoute>>();
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
    if (entry.kind === 'tombstone') {
      routes?.delete(entry.tenant);
      return 'applied';
    }
    if (routes === undefined) {
      routes = new Map();
      this.byTopic.set(entry.topic, routes);
    }
    routes.set(entry.tenant, entry);
    return 'applied';
  }

  route(topic: string, tenant: string): TenantRoute | undefined {
    return this.byTopic.get(topic)?.get(tenant);
  }

  /** The per-topic map itself, for hot paths that look up many tenants of one topic. */
  routesOf(topic: string): ReadonlyMap<string, TenantRoute> | undefined {
    return this.byTopic.get(topic);
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
