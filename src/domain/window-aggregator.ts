import { ErrorCode, TenantBalancerError } from './errors.js';
import type { PartitionStep } from './offsets.js';
import type { TrafficReport } from './wire-records.js';

export interface WindowOptions {
  /** window length (ms); a multiple of stepMs */
  readonly windowMs: number;
  /** how often a window closes (ms) */
  readonly stepMs: number;
  /** EWMA weight of the newest window (0..1] */
  readonly ewmaAlpha: number;
  /** a producer silent for this many of its report intervals is gone */
  readonly silentIntervals: number;
}

export interface PartitionWindow {
  readonly topic: string;
  readonly partition: number;
  readonly at: number;
  readonly recordsPerSec: number;
  readonly ewmaRecordsPerSec: number;
  readonly end: number;
  /** group -> lag (null: no committed offset yet) */
  readonly lag: Readonly<Record<string, number | null>>;
}

export interface TenantRates {
  readonly topic: string;
  readonly tenant: string;
  readonly recordsPerSec: number;
  readonly bytesPerSec: number;
  readonly ewmaRecordsPerSec: number;
  readonly trend: number;
  /**
   * How far below the truth recordsPerSec may be: the error bounds of the heavy-hitter counts it
   * sums (v2 reports; 0 for exact counts). Decisions use recordsPerSec, the lower bound
   * (docs/architecture.md, "Traffic reports").
   */
  readonly errorRecordsPerSec: number;
}

export interface WindowSnapshot {
  readonly at: number;
  readonly partitions: PartitionWindow[];
  readonly tenants: TenantRates[];
  readonly producersAlive: string[];
  readonly producersGone: string[];
}

interface Series {
  readonly records: Float64Array;
  readonly bytes: Float64Array;
  sumRecords: number;
  sumBytes: number;
  ewma: number;
  lastRate: number;
}

/** errors: the error bounds of the counts (v2 reports), per bucket */
type TenantSeries = Series & {
  readonly topic: string;
  readonly tenant: string;
  readonly errors: Float64Array;
  sumErrors: number;
};

const newSeries = (n: number): Series => ({
  records: new Float64Array(n),
  bytes: new Float64Array(n),
  sumRecords: 0,
  sumBytes: 0,
  ewma: 0,
  lastRate: 0,
});

/**
 * Sliding windows of B = windowMs/stepMs buckets for partitions (from offset steps) and tenants
 * (from traffic reports). Pure: time only comes from the events. Rates never go negative or NaN;
 * a silent tenant decays to 0, is reported at 0 once, then forgotten (memory follows active tenants).
 */
export class WindowAggregator {
  private readonly buckets: number;
  private slot = 0;
  /**
   * by topic, then tenant (no "topic/tenant" string built per report entry: the controller merges
   * every producer's entries each interval); each series keeps its own topic and tenant strings
   */
  private readonly tenants = new Map<string, Map<string, TenantSeries>>();
  private tenantCount = 0;
  private readonly partitions = new Map<
    string,
    Series & {
      covered: Float64Array;
      sumCovered: number;
      end: number;
      lag: Record<string, number | null>;
      topic: string;
      partition: number;
    }
  >();
  private readonly producers = new Map<string, { lastAt: number; intervalMs: number }>();
  private readonly gone = new Set<string>();
  private startedAt: number | undefined;
  /** when each bucket opened (NaN: not yet) */
  private readonly bucketStart: Float64Array;

  constructor(readonly opts: WindowOptions) {
    if (!(opts.stepMs > 0) || !(opts.windowMs >= opts.stepMs))
      throw new TenantBalancerError(
        ErrorCode.ConfigInvalid,
        `window options: windowMs (${opts.windowMs}) must be >= stepMs (${opts.stepMs}) > 0; raise windowMs or lower the step (tickMs)`,
      );
    this.buckets = Math.max(1, Math.round(opts.windowMs / opts.stepMs));
    this.bucketStart = new Float64Array(this.buckets).fill(Number.NaN);
  }

  addSteps(steps: readonly PartitionStep[]): void {
    for (const s of steps) {
      const key = `${s.topic}/${s.partition}`;
      let p = this.partitions.get(key);
      if (p === undefined) {
        p = {
          ...newSeries(this.buckets),
          covered: new Float64Array(this.buckets),
          sumCovered: 0,
          end: s.end,
          lag: {},
          topic: s.topic,
          partition: s.partition,
        };
        this.partitions.set(key, p);
      }
      if (s.dtMs > 0) {
        p.records[this.slot]! += s.records;
        p.sumRecords += s.records;
        p.covered[this.slot]! += s.dtMs;
        p.sumCovered += s.dtMs;
      }
      p.end = s.end;
      p.lag = Object.fromEntries(s.lag);
    }
  }

  addReport(r: TrafficReport, receivedAt: number): void {
    this.producers.set(r.producerId, {
      lastAt: receivedAt,
      intervalMs: Math.max(1, r.intervalEnd - r.intervalStart),
    });
    this.gone.delete(r.producerId);
    let topic = '';
    let byTenant: Map<string, TenantSeries> | undefined;
    for (const t of r.tenants) {
      if (byTenant === undefined || t.topic !== topic) {
        topic = t.topic;
        byTenant = this.tenants.get(topic);
        if (byTenant === undefined) {
          byTenant = new Map();
          this.tenants.set(topic, byTenant);
        }
      }
      let s = byTenant.get(t.tenant);
      if (s === undefined) {
        // One literal (one object shape) for every tenant series: the close loop stays monomorphic.
        s = {
          topic: t.topic,
          tenant: t.tenant,
          records: new Float64Array(this.buckets),
          bytes: new Float64Array(this.buckets),
          sumRecords: 0,
          sumBytes: 0,
          errors: new Float64Array(this.buckets),
          sumErrors: 0,
          ewma: 0,
          lastRate: 0,
        };
        byTenant.set(t.tenant, s);
        this.tenantCount++;
      }
      s.records[this.slot]! += t.records;
      s.bytes[this.slot]! += t.bytes;
      s.sumRecords += t.records;
      s.sumBytes += t.bytes;
      if (t.error !== undefined && t.error > 0) {
        s.errors[this.slot]! += t.error;
        s.sumErrors += t.error;
      }
    }
  }

  /** Closes the current step: the window summary ending at `at`, then the oldest bucket rolls off. */
  close(at: number): WindowSnapshot {
    this.startedAt ??= at - this.opts.stepMs;
    // Closes can be late (a busy event loop, a slow poll): the window covers from the opening of
    // its oldest bucket to now, not B x stepMs, or late steps would inflate every rate.
    const next = (this.slot + 1) % this.buckets;
    const oldest = this.bucketStart[next] ?? Number.NaN;
    const coveredMs = Math.max(this.opts.stepMs / 2, at - (Number.isNaN(oldest) ? this.startedAt : oldest));
    const a = this.opts.ewmaAlpha;
    const tenants: TenantRates[] = [];
    for (const [topic, byTenant] of this.tenants)
      for (const [tenant, s] of byTenant) {
        const rate = Math.max(0, (s.sumRecords * 1000) / coveredMs);
        const bytesRate = Math.max(0, (s.sumBytes * 1000) / coveredMs);
        s.ewma = s.ewma === 0 && s.lastRate === 0 ? rate : a * rate + (1 - a) * s.ewma;
        // The series keeps its topic and tenant strings: no slicing (and no new strings) per tick.
        tenants.push({
          topic: s.topic,
          tenant: s.tenant,
          recordsPerSec: rate,
          bytesPerSec: bytesRate,
          ewmaRecordsPerSec: Math.max(0, s.ewma),
          trend: rate - s.lastRate,
          errorRecordsPerSec: (s.sumErrors * 1000) / coveredMs,
        });
        s.lastRate = rate;
        s.sumRecords = Math.max(0, s.sumRecords - s.records[next]!);
        s.sumBytes = Math.max(0, s.sumBytes - s.bytes[next]!);
        s.sumErrors = Math.max(0, s.sumErrors - s.errors[next]!);
        s.records[next] = 0;
        s.bytes[next] = 0;
        s.errors[next] = 0;
        if (rate === 0 && s.sumRecords === 0) {
          byTenant.delete(tenant);
          this.tenantCount--;
          if (byTenant.size === 0) this.tenants.delete(topic);
        }
      }
    const partitions: PartitionWindow[] = [];
    for (const p of this.partitions.values()) {
      const rate = p.sumCovered > 0 ? Math.max(0, (p.sumRecords * 1000) / p.sumCovered) : 0;
      p.ewma = a * rate + (1 - a) * p.ewma;
      partitions.push({
        topic: p.topic,
        partition: p.partition,
        at,
        recordsPerSec: rate,
        ewmaRecordsPerSec: p.ewma,
        end: p.end,
        lag: p.lag,
      });
      p.sumRecords = Math.max(0, p.sumRecords - p.records[next]!);
      p.sumCovered = Math.max(0, p.sumCovered - p.covered[next]!);
      p.records[next] = 0;
      p.covered[next] = 0;
    }
    this.slot = next;
    this.bucketStart[next] = at;
    const alive: string[] = [];
    for (const [id, p] of this.producers) {
      if (at - p.lastAt > this.opts.silentIntervals * p.intervalMs) {
        this.producers.delete(id);
        this.gone.add(id);
      } else alive.push(id);
    }
    const producersGone = [...this.gone];
    this.gone.clear();
    return { at, partitions, tenants, producersAlive: alive, producersGone };
  }

  get activeTenants(): number {
    return this.tenantCount;
  }
}
