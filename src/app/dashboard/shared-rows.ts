import { defaultPartitionOf } from '../../domain/partition-choice.js';
import type { TenantRow } from './view-model.js';

/**
 * At most this many tenants without an actor get a row, the busiest first. Traffic reports are
 * untrusted: a forged one naming a million tenants must not make every page's snapshot a million
 * rows (10,000 rows are ~2 MB of JSON, 0.1 MB gzip-streamed: docs/benchmarks.md, "Dashboard").
 */
export const MAX_UNFOLLOWED_ROWS = 10_000;

/** The parts of a tenant's route record a row shows (a released tenant keeps its epoch). */
export interface RouteFacts {
  readonly state: string;
  readonly partitions: readonly number[];
  readonly epoch: number;
  readonly ordering: string;
}

export interface UnfollowedInput {
  /** every tenant's records/s in the latest window (claims from the traffic reports) */
  readonly traffic: readonly { topic: string; tenant: string; recordsPerSec: number }[];
  /** keys (`topic/tenant`) of the tenants that have an actor: they have their own rows */
  readonly followed: ReadonlySet<string>;
  /** the topic's shared pool size; undefined or 0: not a topic the page shows */
  readonly shared: (topic: string) => number | undefined;
  readonly partition: (topic: string, p: number) => { rate: number; lag: number } | undefined;
  readonly route?: (topic: string, tenant: string) => RouteFacts | undefined;
  readonly round: (rate: number) => number;
}

/**
 * Rows for the tenants below the actor floor (most small tenants): on their hash partition of the
 * shared pool (or their route record's, a tenant released before its actor retired), with the rate
 * they report, their share of their partitions' records/s when known, those partitions' lag, no
 * decision. Rates are rounded like the followed rows', so a jitter makes no delta.
 */
export function unfollowedRows(o: UnfollowedInput): TenantRow[] {
  let candidates = o.traffic.filter(
    (t) => (o.shared(t.topic) ?? 0) > 0 && !o.followed.has(`${t.topic}/${t.tenant}`),
  );
  if (candidates.length > MAX_UNFOLLOWED_ROWS)
    candidates = [...candidates]
      .sort((a, b) => b.recordsPerSec - a.recordsPerSec)
      .slice(0, MAX_UNFOLLOWED_ROWS);
  return candidates.map((t) => {
    const route = o.route?.(t.topic, t.tenant);
    const partitions =
      route !== undefined && route.partitions.length > 0
        ? route.partitions
        : [defaultPartitionOf(t.tenant, o.shared(t.topic)!)];
    let partRate = 0;
    let lag: number | null = null;
    for (const p of partitions) {
      const s = o.partition(t.topic, p);
      if (s === undefined) continue;
      partRate += s.rate;
      lag = (lag ?? 0) + s.lag;
    }
    const rate = Math.max(0, t.recordsPerSec);
    return {
      key: `${t.topic}/${t.tenant}`,
      topic: t.topic,
      tenant: t.tenant,
      state: route?.state ?? 'shared',
      partitions,
      epoch: route?.epoch ?? 0,
      ordering: route?.ordering ?? 'strict',
      manual: false,
      rate: o.round(rate),
      share: partRate > 0 ? Math.round(Math.min(1, rate / partRate) * 100) / 100 : null,
      lag: lag === null ? null : Math.round(lag),
      decision: null,
      stuck: false,
    };
  });
}
