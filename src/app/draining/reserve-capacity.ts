import type { TenantEvent } from '../../../machines/tenant.machine.js';
import { routeKey } from '../../domain/route-record.js';
import type { RoutingTable } from '../../domain/routing-table.js';
import { place } from '../../policy/placement.js';
import type { Capacity } from '../capacity.js';
import type { PartitionLoad } from '../partition-load.js';
import { stepActor, type StepDeps } from './step.js';

export interface ReserveDeps extends StepDeps {
  readonly table: RoutingTable;
  readonly capacity: Capacity;
  readonly load: PartitionLoad;
}

/**
 * Step 1 (`isolating`): persist the intent, then reserve the partitions the tenant moves to: the
 * operator's explicit ones if free, else the placement policy's choice, growing the topic if needed.
 */
export const reserveCapacity = (deps: ReserveDeps) =>
  stepActor('reserveCapacity', deps, async (c, { signal }) => {
    const key = routeKey(c.topic, c.tenant);
    await deps.persist(key, 'isolating', c.partitions);
    if (signal.aborted) return undefined;
    const now = () => deps.ports.clock.now();
    const pools = deps.table.pools(c.topic)!;
    const total = deps.capacity.partitionCount(c.topic) ?? pools.total;
    const owners = deps.capacity.owners(key);
    if (c.requested !== undefined) {
      const taken = c.requested.filter((p) => owners.has(p));
      if (taken.length > 0)
        return {
          type: 'capacity.unavailable',
          reason: `partition(s) ${taken.join(',')} belong to another tenant`,
          now: now(),
        } satisfies TenantEvent;
      deps.capacity.reserve(key, c.requested);
      return { type: 'capacity.reserved', partitions: c.requested };
    }
    const placement = place({
      shared: pools.shared,
      total,
      maxPartitions: deps.config.maxPartitions,
      owners,
      load: deps.load.rates(c.topic),
      tenant: key,
      k: c.wantShards,
      maxGrowth: deps.config.maxGrowthPerDecision,
    });
    if (placement.kind === 'none')
      return { type: 'capacity.unavailable', reason: placement.reason, now: now() };
    deps.capacity.reserve(key, placement.partitions);
    if (placement.kind === 'grow') {
      await deps.capacity.growTo(c.topic, placement.newTotal);
      deps.ports.log.info({ topic: c.topic, total: placement.newTotal }, placement.reason);
    }
    return { type: 'capacity.reserved', partitions: placement.partitions };
  });
