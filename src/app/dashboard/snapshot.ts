import { defaultPartitionOf } from '../../domain/partition-choice.js';
import type { TenantStatus } from '../tenant-status.js';
import type { DashboardSnapshot, PartitionView, RoleView, TenantRow, TopicView } from './view-model.js';
import type { MovesLog } from './moves-log.js';
import { unfollowedRows, type RouteFacts } from './shared-rows.js';

/** What the dashboard reads from a running controller service (a standby has no tenants). */
export interface DashboardSource {
  readonly now: () => number;
  readonly role: () => RoleView;
  readonly topics: () => readonly string[];
  /** the pool layout: partitions 0..shared-1 shared, shared..total-1 dedicated */
  readonly pools: (topic: string) => { readonly shared: number; readonly total: number } | undefined;
  readonly tenants: () => readonly TenantStatus[];
  readonly partitions: () => readonly {
    topic: string;
    partition: number;
    recordsPerSec: number;
    lag: number;
  }[];
  readonly moves: MovesLog;
  /**
   * Every tenant's records/s in the latest window, those without an actor too (below the actor
   * floor: most small tenants); they sit on their hash partition in the shared pool.
   */
  readonly traffic?: () => readonly { topic: string; tenant: string; recordsPerSec: number }[];
  /** a tenant's route record, if it has one (a tenant released before its actor retired keeps its epoch) */
  readonly route?: (topic: string, tenant: string) => RouteFacts | undefined;
}

/**
 * Figures are rounded (rates to 2 significant digits below 100, else integers; shares to 1 %) so a
 * tenant whose rate jitters by a record a second does not make a delta every tick.
 */
export const roundRate = (r: number): number =>
  r >= 100 ? Math.round(r) : r >= 10 ? Math.round(r * 10) / 10 : Math.round(r * 100) / 100;

export function tenantRow(s: TenantStatus): TenantRow {
  return {
    key: `${s.topic}/${s.tenant}`,
    topic: s.topic,
    tenant: s.tenant,
    state: s.state,
    partitions: s.partitions,
    epoch: s.epoch,
    ordering: s.ordering,
    manual: s.manual,
    rate: s.rates ? roundRate(s.rates.recordsPerSec) : null,
    share: s.rates ? Math.round(s.rates.share * 100) / 100 : null,
    lag: s.rates ? Math.round(s.rates.lag) : null,
    decision: s.decision
      ? {
          at: s.decision.at,
          from: s.decision.from,
          to: s.decision.to,
          reason: s.decision.reason,
          numbers: s.decision.numbers,
          shadow: s.decision.shadow === true,
        }
      : null,
    stuck: s.drain?.alert === true,
  };
}

const TOP_SHARED = 3;

type PartitionStats = ReadonlyMap<number, { rate: number; lag: number }>;

/** The pool layout, or before it is known every partition with figures counted as shared. */
const layoutOf = (pools: { shared: number; total: number } | undefined, stats: PartitionStats) => {
  const total = Math.max(pools?.total ?? 0, ...[...stats.keys()].map((p) => p + 1));
  return { total, shared: pools?.shared ?? total };
};

function topicView(
  topic: string,
  layout: { shared: number; total: number },
  stats: PartitionStats,
  rows: readonly TenantRow[],
  traffic: readonly { topic: string; tenant: string; recordsPerSec: number }[],
): TopicView {
  const { total, shared } = layout;
  const onPartition = new Map<number, { tenant: string; rate: number }[]>();
  const put = (p: number, tenant: string, rate: number) => {
    const list = onPartition.get(p) ?? [];
    list.push({ tenant, rate: roundRate(rate) });
    onPartition.set(p, list);
  };
  const followed = new Set<string>();
  for (const r of rows) {
    if (r.topic !== topic) continue;
    followed.add(r.tenant);
    for (const p of r.partitions) put(p, r.tenant, (r.rate ?? 0) / r.partitions.length);
  }
  for (const t of traffic)
    if (t.topic === topic && !followed.has(t.tenant) && shared > 0)
      put(defaultPartitionOf(t.tenant, shared), t.tenant, t.recordsPerSec);
  const partitions: PartitionView[] = [];
  for (let p = 0; p < total; p++) {
    const pool = p < shared ? 'shared' : 'dedicated';
    const tenants = (onPartition.get(p) ?? []).sort((a, b) => b.rate - a.rate);
    partitions.push({
      partition: p,
      pool,
      rate: roundRate(stats.get(p)?.rate ?? 0),
      lag: Math.round(stats.get(p)?.lag ?? 0),
      tenantCount: tenants.length,
      tenants: pool === 'shared' ? tenants.slice(0, TOP_SHARED) : tenants.slice(0, 1),
    });
  }
  return { topic, partitions };
}

/**
 * One tick's full picture: role, topics (partition bars), tenant rows (followed tenants, then those
 * below the actor floor that sent traffic) and the recent moves.
 */
export function buildSnapshot(src: DashboardSource): DashboardSnapshot {
  const followed = src.tenants().map(tenantRow);
  const stuck = new Set(followed.filter((t) => t.stuck).map((t) => t.key));
  const stats = new Map<string, Map<number, { rate: number; lag: number }>>();
  for (const p of src.partitions()) {
    const m = stats.get(p.topic) ?? new Map<number, { rate: number; lag: number }>();
    m.set(p.partition, { rate: p.recordsPerSec, lag: p.lag });
    stats.set(p.topic, m);
  }
  const layouts = new Map(src.topics().map((t) => [t, layoutOf(src.pools(t), stats.get(t) ?? new Map())]));
  const traffic = src.traffic?.() ?? [];
  const tenants = [
    ...followed,
    ...unfollowedRows({
      traffic,
      followed: new Set(followed.map((r) => r.key)),
      shared: (t) => layouts.get(t)?.shared,
      partition: (t, p) => stats.get(t)?.get(p),
      ...(src.route ? { route: src.route } : {}),
      round: roundRate,
    }),
  ];
  return {
    at: src.now(),
    role: src.role(),
    topics: src
      .topics()
      .map((t) => topicView(t, layouts.get(t)!, stats.get(t) ?? new Map(), followed, traffic)),
    tenants,
    moves: src.moves.views((k) => stuck.has(k)),
  };
}
