import type { TenantId, TopicName } from './ids.js';
import type { PoolLayout, RoutingEntry, TenantRoute } from './route-record.js';
import { heldPartitions, routeRejection } from './route-rules.js';

/** `rejected`: the entry breaks a rule of `route-rules.ts`; `lastRejection` says which. */
export type ApplyOutcome = 'applied' | 'rejected';

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
 * await). Every entry passes `routeRejection` first (pool layout, one tenant per dedicated
 * partition, epochs that only step forward); a rejected one leaves the table as it was. Fencing a
 * paused old controller is the broker's job (route writes are transactional, see RouteWriter), so
 * `writerEpoch` is informational here.
 */
export class RoutingTable {
  private readonly byTopic = new Map<string, Map<string, TenantRoute>>();
  /** Per topic, per tenant: the ready choice of a settled one-partition route, else the route. */
  private readonly chooserByTopic = new Map<string, Map<string, ChooserEntry>>();
  private readonly poolsByTopic = new Map<string, PoolLayout>();
  /** per topic, per dedicated partition: the tenant that holds it */
  private readonly ownersByTopic = new Map<string, Map<number, string>>();
  private maxWriterEpoch = 0;
  /** why the last `rejected` entry was refused */
  lastRejection = '';
  /** Bumps on every applied change; caches compare it. */
  version = 0;

  apply(entry: RoutingEntry): ApplyOutcome {
    const rejection = routeRejection(this, entry);
    if (rejection !== undefined) {
      this.lastRejection = rejection;
      return 'rejected';
    }
    if (entry.kind === 'route') this.maxWriterEpoch = Math.max(this.maxWriterEpoch, entry.writerEpoch);
    this.version++;
    if (entry.kind !== 'pools')
      this.setOwner(entry.topic, entry.tenant, entry.kind === 'route' ? entry : undefined);
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

  /** the tenant that holds a dedicated partition now (its route's partitions, or those it drains from) */
  ownerOf(topic: string, partition: number): string | undefined {
    return this.ownersByTopic.get(topic)?.get(partition);
  }

  private setOwner(topic: string, tenant: string, next: TenantRoute | undefined): void {
    let owners = this.ownersByTopic.get(topic);
    if (owners === undefined) this.ownersByTopic.set(topic, (owners = new Map()));
    const before = this.route(topic, tenant);
    if (before !== undefined)
      for (const p of heldPartitions(before)) if (owners.get(p) === tenant) owners.delete(p);
    const shared = this.poolsByTopic.get(topic)?.shared ?? 0;
    if (next !== undefined) for (const p of heldPartitions(next, shared)) owners.set(p, tenant);
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

  /** the highest writer epoch among applied routes (informational: shown, never compared) */
  get writerEpoch(): number {
    return this.maxWriterEpoch;
  }

  tenants(topic: string): TenantId[] {
    return [...(this.byTopic.get(topic)?.keys() ?? [])] as TenantId[];
  }
}
