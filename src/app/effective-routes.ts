import { ErrorCode, TenantBalancerError } from '../domain/errors.js';
import { defaultPartitionOf } from '../domain/partition-choice.js';
import type { RouteState } from '../domain/route-record.js';
import type { RoutingTable } from '../domain/routing-table.js';

export interface EffectiveRoute {
  readonly topic: string;
  readonly tenant: string;
  readonly state: RouteState;
  readonly partitions: readonly number[];
  readonly epoch: number;
  /** `record`: from the routing topic; `hash`: no record, murmur2 over the shared pool. */
  readonly source: 'record' | 'hash';
  readonly reason?: string;
}

/** Where tenants' records go now, including tenants that never had a route record. */
export function effectiveRoutes(
  table: RoutingTable,
  q: { topic?: string; tenants?: readonly string[] },
): EffectiveRoute[] {
  const topics = q.topic === undefined ? table.topics() : [q.topic];
  const out: EffectiveRoute[] = [];
  for (const topic of topics) {
    const pools = table.pools(topic);
    if (pools === undefined) {
      throw new TenantBalancerError(
        ErrorCode.TopicNotManaged,
        `topic "${topic}" is not managed (no pool layout in the routing topic); create it with \`tenant-balancer topics create\``,
      );
    }
    const tenants = q.tenants ?? table.tenants(topic);
    for (const tenant of tenants) {
      const r = table.route(topic, tenant);
      if (r === undefined || r.partitions.length === 0) {
        out.push({
          topic,
          tenant,
          state: r?.state ?? 'shared',
          partitions: [defaultPartitionOf(tenant, pools.shared)],
          epoch: r?.epoch ?? 0,
          source: r ? 'record' : 'hash',
          ...(r ? { reason: r.reason } : {}),
        });
      } else {
        out.push({
          topic,
          tenant,
          state: r.state,
          partitions: r.partitions,
          epoch: r.epoch,
          source: 'record',
          reason: r.reason,
        });
      }
    }
  }
  return out;
}
