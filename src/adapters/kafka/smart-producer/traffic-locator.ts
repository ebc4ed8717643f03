import { defaultPartitionOf } from '../../../domain/partition-choice.js';
import type { RoutingTable } from '../../../domain/routing-table.js';
import { ROUTED } from '../../../domain/traffic-counter.js';

/** locate() for a topic the routing table does not manage: its traffic is not reported. */
export const UNMANAGED = -2;
const MAX_CACHED = 100_000;

/**
 * Where the traffic counter books a record: ROUTED for a tenant that holds a route (counted
 * exactly), else the shared partition it hashes to (its heavy-hitter summary). Cached per tenant,
 * since murmur2 on every record would cost more than the count; any routing change clears it.
 */
export class TrafficLocator {
  private cache = new Map<string, Map<string, number>>();
  private version = -1;
  private cached = 0;

  constructor(private readonly table: RoutingTable) {}

  locate(topic: string, tenant: string): number {
    if (this.table.version !== this.version || this.cached > MAX_CACHED) {
      this.cache = new Map();
      this.cached = 0;
      this.version = this.table.version;
    }
    let byTenant = this.cache.get(topic);
    if (byTenant === undefined) {
      byTenant = new Map();
      this.cache.set(topic, byTenant);
    }
    let where = byTenant.get(tenant);
    if (where === undefined) {
      const pools = this.table.pools(topic);
      where =
        pools === undefined
          ? UNMANAGED
          : this.table.route(topic, tenant) !== undefined
            ? ROUTED
            : defaultPartitionOf(tenant, pools.shared);
      byTenant.set(tenant, where);
      this.cached++;
    }
    return where;
  }
}
