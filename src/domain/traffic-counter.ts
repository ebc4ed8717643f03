import { HeavyHitters } from './heavy-hitters.js';
import type { PartitionSummary, TenantCount, TopicSummary, TrafficReportV2 } from './traffic-report-v2.js';

/** Default f: 2% of a partition's records, far below the default isolateShare (30%). */
export const DEFAULT_HEAVY_HITTER_FRACTION = 0.02;
/** Where a record's tenant is counted: exactly (it holds a route) or in its shared partition's summary. */
export const ROUTED = -1;

/** Counters per partition: k = ceil(2/f), so the error bound N/(k+1) stays under f/2 of N. */
export const capacityFor = (fraction: number): number => Math.ceil(2 / fraction);

interface PartitionTraffic {
  records: number;
  bytes: number;
  readonly hh: HeavyHitters;
}

interface TopicTraffic {
  readonly exact: Map<string, { records: number; bytes: number }>;
  readonly partitions: Map<number, PartitionTraffic>;
}

/**
 * One producer's traffic for one interval, never reading payloads: tenants that hold a route
 * counted exactly, the others in a heavy-hitter summary (Misra-Gries, k = ceil(2/f) counters) per
 * shared partition beside that partition's exact totals. Memory per topic: O(routed tenants +
 * partitions x 2k), whatever the number of tenants.
 *
 * Guarantee per interval and shared partition p with N_p records from unrouted tenants: every
 * tenant with at least f x N_p of them is named; a named count is a lower bound at most
 * errorBound <= N_p / (k+1) < f/2 x N_p below the truth; an unnamed tenant sent fewer than f x N_p.
 */
export class TrafficCounter {
  private topics = new Map<string, TopicTraffic>();
  private seq = 0;
  readonly capacity: number;

  constructor(
    private readonly producerId: string,
    private intervalStart: number,
    readonly fraction = DEFAULT_HEAVY_HITTER_FRACTION,
  ) {
    this.capacity = capacityFor(fraction);
    new HeavyHitters(this.capacity); // validates the capacity (and so the fraction) up front
  }

  /** `where`: the tenant's shared partition, or ROUTED for a tenant that holds a route. */
  count(topic: string, tenant: string, bytes: number, where: number): void {
    let t = this.topics.get(topic);
    if (t === undefined) {
      t = { exact: new Map(), partitions: new Map() };
      this.topics.set(topic, t);
    }
    if (where === ROUTED) {
      const c = t.exact.get(tenant);
      if (c === undefined) t.exact.set(tenant, { records: 1, bytes });
      else {
        c.records++;
        c.bytes += bytes;
      }
      return;
    }
    let p = t.partitions.get(where);
    if (p === undefined) {
      p = { records: 0, bytes: 0, hh: new HeavyHitters(this.capacity) };
      t.partitions.set(where, p);
    }
    p.records++;
    p.bytes += bytes;
    p.hh.add(tenant, 1, bytes);
  }

  /** Closes the interval: the report to publish (no topics = heartbeat), counters reset. */
  cut(now: number, routesApplied?: number): TrafficReportV2 {
    const topics: TopicSummary[] = [];
    for (const [topic, t] of this.topics) {
      const exact: TenantCount[] = [];
      for (const [tenant, c] of t.exact) exact.push({ tenant, records: c.records, bytes: c.bytes });
      const partitions: PartitionSummary[] = [];
      for (const [partition, p] of t.partitions) partitions.push(this.summarize(partition, p));
      topics.push({ topic, exact, partitions });
    }
    const report: TrafficReportV2 = {
      producerId: this.producerId,
      seq: this.seq++,
      intervalStart: this.intervalStart,
      intervalEnd: now,
      ...(routesApplied !== undefined ? { routesApplied } : {}),
      fraction: this.fraction,
      topics,
    };
    this.topics = new Map();
    this.intervalStart = now;
    return report;
  }

  /** Names the counters whose upper bound (estimate + error) reaches f x N_p: at most 2/f of them. */
  private summarize(partition: number, p: PartitionTraffic): PartitionSummary {
    const top = p.hh.top();
    const errorBound = p.hh.errorBound();
    const floor = this.fraction * p.records;
    const named: TenantCount[] = [];
    for (const { key, estimate } of top) {
      if (estimate + errorBound < floor) break;
      named.push({ tenant: key, records: estimate, bytes: Math.round(p.hh.extraOf(key)) });
    }
    return { partition, records: p.records, bytes: p.bytes, errorBound, named };
  }
}
