import type { TenantEvent } from '../../../machines/tenant.machine.js';
import { routeKey } from '../../domain/route-record.js';
import type { RoutingTable } from '../../domain/routing-table.js';
import { landingNote, type Leaders } from '../../policy/broker-spread.js';
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
 * operator's explicit ones if free, else the placement policy's choice (broker-aware when the
 * partition leaders can be read), growing the topic if needed.
 */
export const reserveCapacity = (deps: ReserveDeps) =>
  stepActor('reserveCapacity', deps, async (c, { signal }) => {
    const key = routeKey(c.topic, c.tenant);
    await deps.persist(key, 'isolating', c.partitions);
    if (signal.aborted) return undefined;
    const now = () => deps.ports.clock.now();
    // Leaders are read before owners and counts: from here to reserve() nothing awaits, so a tenant
    // placed in the same tick sees this one's reservation.
    const leaders = c.requested === undefined ? await readLeaders(deps, c.topic, c.tenant) : undefined;
    if (signal.aborted) return undefined;
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
      ...(leaders !== undefined ? { leaders } : {}),
    });
    if (placement.kind === 'none')
      return { type: 'capacity.unavailable', reason: placement.reason, now: now() };
    deps.capacity.reserve(key, placement.partitions);
    if (placement.kind === 'reserved') {
      deps.ports.log.info(
        {
          topic: c.topic,
          tenant: c.tenant,
          partitions: placement.partitions,
          leaders: ledBy(placement.partitions, leaders),
        },
        placement.reason,
      );
      return { type: 'capacity.reserved', partitions: placement.partitions };
    }
    await deps.capacity.growTo(c.topic, placement.newTotal);
    // Where the new partitions landed is Kafka's choice: read it after the grow and say it.
    const after = await readLeaders(deps, c.topic, c.tenant);
    const added = placement.partitions.filter((p) => p >= total);
    deps.ports.log.info(
      { topic: c.topic, total: placement.newTotal, leaders: ledBy(placement.partitions, after) },
      after === undefined
        ? placement.reason
        : `${placement.reason}${landingNote(added, placement.partitions, after)}`,
    );
    return { type: 'capacity.reserved', partitions: placement.partitions };
  });

/**
 * The topic's partition leaders, or undefined with a warning when metadata cannot be read: placement
 * then goes on without them (leader-unaware, as before), a metadata failure never blocks a move.
 */
async function readLeaders(deps: ReserveDeps, topic: string, tenant: string): Promise<Leaders | undefined> {
  try {
    return await deps.ports.topics.leaders(topic);
  } catch (e) {
    deps.ports.log.warn(
      { topic, tenant, err: e instanceof Error ? e.message : String(e) },
      'partition leaders unknown (metadata failed); placing without them',
    );
    return undefined;
  }
}

/** partition -> leader (null: unknown), for the log record */
const ledBy = (partitions: readonly number[], leaders: Leaders | undefined): Record<number, number | null> =>
  Object.fromEntries(partitions.map((p) => [p, leaders?.get(p) ?? null]));
