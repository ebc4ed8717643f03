/**
 * Traffic report v2: what one producer sent in one interval, summarized so its size follows the
 * number of partitions and the heavy-hitter capacity, not the number of tenants
 * (docs/architecture.md, "Traffic reports"). Encoded by traffic-report-codec.ts, possibly in parts.
 */
export const REPORT_V2 = 2;
/** a report that needs more parts than this under its byte budget is not published (counted, logged) */
export const MAX_REPORT_PARTS = 64;

export interface TenantCount {
  readonly tenant: string;
  readonly records: number;
  readonly bytes: number;
}

/**
 * One shared partition of a managed topic, as one producer saw it: its records and bytes from
 * tenants without a route (all of them, the "rest" included), and the tenants its heavy-hitter
 * summary names, each a lower bound within `errorBound` records of the truth.
 */
export interface PartitionSummary {
  readonly partition: number;
  readonly records: number;
  readonly bytes: number;
  readonly errorBound: number;
  readonly named: readonly TenantCount[];
}

export interface TopicSummary {
  readonly topic: string;
  /** tenants that hold a route (dedicated, sharded, moving): counted exactly */
  readonly exact: readonly TenantCount[];
  readonly partitions: readonly PartitionSummary[];
}

export interface TrafficReportV2 {
  readonly producerId: string;
  /** one per interval; every part of one interval's report carries the same seq */
  readonly seq: number;
  readonly intervalStart: number;
  readonly intervalEnd: number;
  readonly routesApplied?: number;
  /** f: every unrouted tenant with at least f of its partition's records is named */
  readonly fraction: number;
  readonly topics: readonly TopicSummary[];
}

/**
 * One record of a report split under the byte budget. Parts are additive: each carries whole
 * entries, a partition's totals appear in the first part that names it (0 in the others), so the
 * controller sums them as they come and needs no reassembly buffer.
 */
export interface TrafficReportPart extends TrafficReportV2 {
  readonly part: number;
  readonly parts: number;
}
